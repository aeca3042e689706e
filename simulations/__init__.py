"""Scenarios and benchmarks run on the real engine in virtual time."""
