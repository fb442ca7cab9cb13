"""Benchmarks, run with ``python -m tests.benchmarks`` from the repository root; never collected by pytest.

Each figure comes with a baseline measured in the same run (hand-written SQL, a hello-world
Litestar app), so the ratios mean something on any machine.
"""
