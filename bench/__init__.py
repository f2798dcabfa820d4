"""Benchmarks: scripts that print figures (run against the real servers), not timed tests."""
