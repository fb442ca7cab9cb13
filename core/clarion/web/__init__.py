"""The web layer: Litestar app factory, JSON API, pages. No business rules live here."""
