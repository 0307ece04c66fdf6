"""Shared fixtures of the test suite.

Integration tests run against the fake Playtomic server over loopback sockets: the fake's clock
follows `datetime.now(UTC)`, so HA's `freezer` moves Home Assistant and the fake together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import time
from importlib import metadata
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock, patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.const import ENV_API_URL

from .const import (
    ALICE_EMAIL,
    ALICE_ID,
    ALICE_PASSWORD,
    ENTRY_ID,
    HOME,
    MIXED_ID,
    NORTE_ID,
    RIVERSIDE_ID,
    RULE_DATA,
    RULE_SUBENTRY_ID,
    TENNIS_ENTRY_ID,
    TENNIS_RULE_DATA,
    TENNIS_RULE_SUBENTRY_ID,
)
from .helpers import entry_with_rules

if TYPE_CHECKING:
    from tests.fake_playtomic import FakeClock, FakeClub, FakePlaytomic


def _snapshots_recorded_with_this_stack() -> bool:
    """Whether the installed phcc is the one requirements_test.txt pins (the main test job)."""
    pinned = re.search(
        r"^pytest-homeassistant-custom-component==(\S+)",
        (Path(__file__).parent.parent / "requirements_test.txt").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    installed = metadata.version("pytest-homeassistant-custom-component")
    return pinned is not None and pinned[1] == installed


class _UnassertedSnapshot:
    """Equal to anything: syrupy's `snapshot` on a Home Assistant the snapshots were not recorded on."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]

    def __call__(self, *args: Any, **kwargs: Any) -> _UnassertedSnapshot:
        return self

    def with_defaults(self, *args: Any, **kwargs: Any) -> _UnassertedSnapshot:
        return self

    def use_extension(self, *args: Any, **kwargs: Any) -> _UnassertedSnapshot:
        return self


if not _snapshots_recorded_with_this_stack():
    # Snapshots hold Home Assistant's own output (entity registry fields, diagnostics, state
    # attributes), which changes between releases; they are recorded and asserted with the stack
    # requirements_test.txt pins. Other stacks (scripts/test's oldest-HA run on .venv-oldest) get
    # a snapshot equal to anything, so the rest of each snapshot test still runs there. Never pass
    # --snapshot-update on such a stack: syrupy would see every snapshot as unused and delete it.
    @pytest.fixture
    def snapshot() -> _UnassertedSnapshot:
        """Stand-in for syrupy's fixture that asserts nothing."""
        return _UnassertedSnapshot()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/playtomic in every test."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: phcc still restricts them to 127.0.0.1, so only the fake server is reachable."""


@pytest.fixture
def home_in_madrid(hass: HomeAssistant) -> None:
    """Put the Home Assistant home location next to Club Padel Norte (the club search's centre)."""
    hass.config.latitude, hass.config.longitude = HOME


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Keep the integration itself out of flow tests (a finished flow or an edited rule would
    set up or reload the entry)."""
    with patch("custom_components.playtomic.async_setup_entry", return_value=True) as mock:
        yield mock


@pytest.fixture
def fake_clock() -> FakeClock:
    """Server clock of the fake: real time, so HA's freezer drives it."""
    from tests.fake_playtomic import FakeClock

    return FakeClock.real()


@pytest.fixture
async def fake_playtomic(
    fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FakePlaytomic]:
    """A running fake Playtomic with Alice's account and two clubs in two time zones."""
    from tests.fake_playtomic import CourtSpec, DailyDrop, FakePlaytomic, Rolling

    fake = FakePlaytomic(clock=fake_clock)
    fake.add_account(ALICE_EMAIL, ALICE_PASSWORD, user_id=ALICE_ID, name="Alice")
    fake.add_club(
        "Club Padel Norte",
        timezone="Europe/Madrid",
        city="Madrid",
        country_code="ES",
        lat=40.45,
        lon=-3.69,
        tenant_id=NORTE_ID,
        courts=[
            CourtSpec("Pista 1", indoor=True),
            CourtSpec("Pista 2", indoor=True),
            CourtSpec("Pista 3", indoor=False),
            CourtSpec("Pista 4", indoor=False),
        ],
        release=DailyDrop(days_ahead=14, time=time(8, 30)),
    )
    fake.add_club(
        "Riverside Padel",
        timezone="Europe/London",
        city="London",
        country_code="GB",
        lat=51.50,
        lon=-0.12,
        tenant_id=RIVERSIDE_ID,
        courts=2,
        release=Rolling(minutes=2880),
        currency="GBP",
    )
    await fake.start(host="127.0.0.1", port=0)
    monkeypatch.setenv(ENV_API_URL, fake.url)
    yield fake
    await fake.stop()


@pytest.fixture
def mixed_club(fake_playtomic: FakePlaytomic) -> FakeClub:
    """A Madrid club near Club Padel Norte with two padel and two (hourly) tennis courts."""
    from tests.fake_playtomic import CourtSpec

    return fake_playtomic.add_club(
        "Raqueta Mixta",
        lat=40.44,
        lon=-3.69,
        tenant_id=MIXED_ID,
        courts=[
            CourtSpec("Pista 1"),
            CourtSpec("Pista 2"),
            CourtSpec("Tenis 1", sport="TENNIS", durations=(60, 120)),
            CourtSpec("Tenis 2", sport="TENNIS", durations=(60, 120)),
        ],
    )


# Every payment category allowed, in the default order.
ALL_METHODS = {"payment_methods": ["zero_amount", "offer", "wallet", "at_club"], "dry_run": False}


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """Alice's account entry with one booking rule at Club Padel Norte (no stored tokens)."""
    return entry_with_rules({RULE_SUBENTRY_ID: RULE_DATA}, options=ALL_METHODS, entry_id=ENTRY_ID)


@pytest.fixture
def tennis_config_entry() -> MockConfigEntry:
    """Alice's account entry with one tennis rule at Raqueta Mixta (needs `mixed_club`)."""
    return entry_with_rules(
        {TENNIS_RULE_SUBENTRY_ID: TENNIS_RULE_DATA}, options=ALL_METHODS, entry_id=TENNIS_ENTRY_ID
    )
