"""Tests of the benchmarks (scripts/benchmarks): they run, their figures are sane."""
