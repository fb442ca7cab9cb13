"""Discourse for Clarion: ambassadors share content as topics (or replies) on the company's forum.

The plugin Clarion loads is :mod:`clarion_discourse.plugin` (entry point ``discourse`` in the
``clarion`` group); settings, text rules, the HTTP API and the connector live in their own modules.
"""
