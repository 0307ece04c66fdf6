"""The newest Home Assistant's venv holds the frontend and friends that release pins.

The unit stage checks this for .venv and .venv-oldest (tests/test_repository.py); .venv-newest
runs only the end-to-end tests, so the check lives here and runs on every stack (skipped where
the unit stage covers it).
"""

from __future__ import annotations

from importlib import metadata

import pytest

from tests.requirement_pins import ROOT, check_dev_pins, pins


def test_newest_dev_requirements_match_this_home_assistant() -> None:
    """requirements_dev_newest.txt is what homeassistant 2026.11.0's constraints require."""
    newest = pins(ROOT / "requirements_test_newest.txt")["homeassistant"]
    if metadata.version("homeassistant") != newest:
        pytest.skip("not the newest stack: tests/test_repository.py checks this venv's pins")
    check_dev_pins(ROOT / "requirements_dev_newest.txt")
