"""Built-in guardrails."""
