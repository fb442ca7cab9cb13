"""Share metrics: history with provenance, and CSV imports."""
