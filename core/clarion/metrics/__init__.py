"""The metrics domain: metric samples, their sync from networks and import from files, the daily rollups, potential reach and the figures read from them."""
