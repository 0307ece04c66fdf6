"""End-to-end tests: a real `hass` process against the fake Playtomic server, over loopback.

Excluded from the default collection (`norecursedirs` in setup.cfg) because they start
processes and take a minute; `scripts/test` runs them as their own stage.
"""
