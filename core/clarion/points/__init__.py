"""The points ledger: the core's pipeline on the after-commit event bus that turns events into points through the scoring rules."""
