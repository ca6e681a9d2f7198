"""Allocator comparison harness used by bench/run_comparison.py."""
