"""Hostile input and races (issue 11): regression tests that assert on what the fake received."""
