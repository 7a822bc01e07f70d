"""Benchmarks that drive a real Fusen server; run them by hand, never from the unit tests."""
