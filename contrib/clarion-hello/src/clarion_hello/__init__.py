"""Hello Social for Clarion: a network connector and a disclosure-hashtag guardrail.

The plugin Clarion loads is :mod:`clarion_hello.plugin` (entry point ``hello`` in the
``clarion`` group); the connector and the guardrail live in their own modules.
"""
