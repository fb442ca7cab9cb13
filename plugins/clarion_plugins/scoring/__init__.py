"""Built-in scoring: the ledger observer and the default rules, each a plugin of its own."""
