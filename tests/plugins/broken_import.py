"""A plugin whose import fails, as one with a missing dependency would."""

from __future__ import annotations

raise ImportError("No module named 'acme_sdk' (install acme-sdk to use this plugin)")
