"""Built-in network connectors."""
