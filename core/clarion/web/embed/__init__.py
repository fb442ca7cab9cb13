"""Embedding: widget fragments, framable widget pages, ``embed.js`` and widget sessions."""
