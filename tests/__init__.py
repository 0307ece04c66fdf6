"""Tests of the Playtomic integration."""
