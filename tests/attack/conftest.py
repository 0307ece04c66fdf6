"""The attack suite uses the integration fixtures (tests/conftest.py) and the client fixtures."""

from __future__ import annotations

# Fixtures, imported so pytest finds them here too.
from tests.api.conftest import client, clock, club, fake, make_client, session, sleeper  # noqa: F401


def pytest_sessionfinish() -> None:
    """Leave the per-surface counts for the closing note (see tally.py)."""
    from tests.attack.tally import dump

    dump()
