"""Built-in identity providers."""
