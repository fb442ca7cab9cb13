"""Benchmarks are run by ``python -m tests.benchmarks``, never by the test suite."""

collect_ignore_glob = ["*"]
