"""Benchmarks: `make bench` (or `python -m benchmarks`) runs them all and prints one table."""
