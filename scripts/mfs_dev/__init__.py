"""Helpers shared by the demo (scripts/develop), the end-to-end tests and the benchmarks."""
