"""Fake networks on 127.0.0.1 speaking each network's documented API, for connector tests."""
