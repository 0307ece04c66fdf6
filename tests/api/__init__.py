"""Tests of the HA-free Playtomic API client."""
