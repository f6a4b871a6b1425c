"""Benchmarks: scripts that print measured figures and ratios side by side (not tests)."""
