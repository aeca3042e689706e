"""Throughput benchmarks: scripts that print figures (never timed tests)."""
