"""Coordinators: polling, request volume, error handling, stale data, edge blocks."""

from __future__ import annotations

from datetime import date, datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.const import DOMAIN
from custom_components.playtomic.coordinator import MAX_CLUB_DAYS_PER_REFRESH
from tests.const import ALICE_EMAIL, ALICE_ID, NORTE_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import disable_backoff, setup_integration, tick

NEXT_SLOT = "sensor.weekday_evenings_next_open_slot"
UPCOMING = "sensor.playtomic_alice_upcoming_booking"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Monday morning, and no real sleeps in the client's retries."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    disable_backoff(monkeypatch)


def _availability_requests(fake: FakePlaytomic) -> list:
    return [r for r in fake.requests if r.path == "/v1/availability"]


async def test_availability_volume_is_capped(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A refresh asks for at most 7 club-days, club details once a day, every 10 minutes."""
    fake_playtomic.clear_requests()
    await setup_integration(hass, mock_config_entry)
    assert 0 < len(_availability_requests(fake_playtomic)) <= MAX_CLUB_DAYS_PER_REFRESH
    clubs = [r for r in fake_playtomic.requests if r.path == f"/v1/tenants/{NORTE_ID}"]
    assert len(clubs) == 1

    fake_playtomic.clear_requests()
    await tick(hass, freezer, 5)
    assert not _availability_requests(fake_playtomic)
    await tick(hass, freezer, 6)
    assert 0 < len(_availability_requests(fake_playtomic)) <= MAX_CLUB_DAYS_PER_REFRESH
    # The club's courts are cached for a day.
    assert not [r for r in fake_playtomic.requests if r.path.startswith("/v1/tenants")]


async def test_matches_poll_every_15_minutes(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A booking made elsewhere shows up at the next matches poll."""
    await setup_integration(hass, mock_config_entry)
    assert hass.states.get(UPCOMING).state == "unknown"
    club = fake_playtomic.clubs[NORTE_ID]
    start = datetime.fromisoformat("2026-03-04T18:00:00+00:00")
    fake_playtomic.book_directly(NORTE_ID, club.courts[0].resource_id, start, 90, ALICE_ID)

    await tick(hass, freezer, 10)
    assert hass.states.get(UPCOMING).state == "unknown"
    await tick(hass, freezer, 6)
    assert hass.states.get(UPCOMING).state == start.isoformat()


async def test_booked_day_is_skipped(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A day the account already plays at the club inside the window is not offered again."""
    club = fake_playtomic.clubs[NORTE_ID]
    # Monday 2 March, 19:00 Madrid.
    fake_playtomic.book_directly(
        NORTE_ID,
        club.courts[0].resource_id,
        datetime.fromisoformat("2026-03-02T18:00:00+00:00"),
        90,
        ALICE_ID,
    )
    await setup_integration(hass, mock_config_entry)
    state = hass.states.get(NEXT_SLOT)
    assert datetime.fromisoformat(state.attributes["local_start"]).date() == date(2026, 3, 3)


async def test_rate_limit_keeps_data_until_stale(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 429 keeps the previous slots; after an hour without fresh data they go unavailable."""
    await setup_integration(hass, mock_config_entry)
    before = hass.states.get(NEXT_SLOT).state
    fake_playtomic.rate_limit("GET", "/v1/availability", retry_after="0", count=None)
    await tick(hass, freezer, 11)
    assert hass.states.get(NEXT_SLOT).state == before

    for _ in range(6):
        await tick(hass, freezer, 11)
    assert hass.states.get(NEXT_SLOT).state == STATE_UNAVAILABLE

    fake_playtomic.clear_faults()
    await tick(hass, freezer, 11)
    assert hass.states.get(NEXT_SLOT).state != STATE_UNAVAILABLE


async def test_rate_limit_without_data_fails(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """With nothing to keep, a 429 at setup means: retry later."""
    fake_playtomic.rate_limit("GET", "/v1/matches", retry_after="0", count=None)
    await setup_integration(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "slow down" in mock_config_entry.reason


async def test_api_error_makes_entities_unavailable(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A failing poll marks the data's entities unavailable, and they come back with it."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.fail("GET", "/v1/matches", status=500, count=None)
    await tick(hass, freezer, 16)
    assert hass.states.get(UPCOMING).state == STATE_UNAVAILABLE
    # Health sensors stay readable exactly then.
    assert hass.states.get("sensor.playtomic_alice_token_expires").state != STATE_UNAVAILABLE
    assert mock_config_entry.runtime_data.health.error == "server_error"

    fake_playtomic.clear_faults()
    await tick(hass, freezer, 16)
    assert hass.states.get(UPCOMING).state == "unknown"


async def test_connection_error_makes_entities_unavailable(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A server that cannot be reached makes the slot sensor unavailable."""
    await setup_integration(hass, mock_config_entry)
    await fake_playtomic.stop()
    await tick(hass, freezer, 11)
    assert hass.states.get(NEXT_SLOT).state == STATE_UNAVAILABLE
    assert mock_config_entry.runtime_data.health.error == "cannot_connect"


async def test_edge_block_pauses_and_raises_issue(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An edge block raises a repair issue, pauses requests, and clears once requests pass."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.edge_block(count=1)
    await tick(hass, freezer, 11)
    issue_id = f"edge_blocked_{mock_config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get(NEXT_SLOT).state == STATE_UNAVAILABLE

    # While the client's pause lasts, polls send nothing.
    fake_playtomic.clear_requests()
    await tick(hass, freezer, 1)
    await tick(hass, freezer, 11)
    assert not [r for r in fake_playtomic.requests if not r.path.startswith("/_fake")]

    await tick(hass, freezer, 16)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(NEXT_SLOT).state != STATE_UNAVAILABLE


async def test_auth_failure_while_polling_starts_reauth(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Tokens dead and the password changed elsewhere: ask the user to sign in again."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.accounts[ALICE_EMAIL].password = "changed-elsewhere"
    fake_playtomic.expire_tokens()
    fake_playtomic.expire_tokens(refresh=True)
    await tick(hass, freezer, 16)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_unknown_club_does_not_break_other_data(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A club that answers 404 fails the availability poll with a translated reason."""
    fake_playtomic.fail("GET", f"/v1/tenants/{NORTE_ID}", status=404, count=None)
    await setup_integration(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.reason == "Playtomic does not know what was asked for"
