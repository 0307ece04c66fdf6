"""A rule's sport end to end: at a club with padel and tennis courts, a tennis rule polls, lists
and books tennis courts only, and the actions take a sport for an explicit club."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.const import DOMAIN
from tests.const import ALICE_ID, MIXED_ID, TENNIS_RULE_SUBENTRY_ID
from tests.fake_playtomic import FakeClub, FakePlaytomic
from tests.fake_playtomic.models import RecordedRequest
from tests.helpers import setup_integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Madrid
NEXT_SLOT = "sensor.tennis_evenings_next_open_slot"
TENNIS_COURTS = {"Tenis 1", "Tenis 2"}
PADEL_COURTS = {"Pista 1", "Pista 2"}


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to(NOW)


def _mixed_club_listings(fake: FakePlaytomic) -> list[RecordedRequest]:
    return [
        r
        for r in fake.requests
        if r.path == "/v1/availability" and r.query["tenant_id"] == MIXED_ID
    ]


def _booked_courts(fake: FakePlaytomic, club: FakeClub) -> list[tuple[str, str]]:
    """(name, sport) of the courts of Alice's confirmed matches."""
    courts = [club.court(m.resource_id) for m in fake.matches if m.owner_id == ALICE_ID]
    return [(court.name, court.sport) for court in courts if court is not None]


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def test_next_open_slot_of_a_tennis_rule_is_a_tennis_slot(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mixed_club: FakeClub,
    tennis_config_entry: MockConfigEntry,
) -> None:
    """The availability poll asks for tennis, so only tennis courts are offered."""
    fake_playtomic.clear_requests()
    await setup_integration(hass, tennis_config_entry)

    listings = _mixed_club_listings(fake_playtomic)
    assert listings
    assert {r.query["sport_id"] for r in listings} == {"TENNIS"}
    state = hass.states.get(NEXT_SLOT)
    assert state is not None
    assert state.attributes["court"] in TENNIS_COURTS
    assert state.attributes["alternatives"]
    assert {alt["court"] for alt in state.attributes["alternatives"]} <= TENNIS_COURTS


async def test_book_for_a_tennis_rule_books_a_tennis_court(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mixed_club: FakeClub,
    tennis_config_entry: MockConfigEntry,
) -> None:
    """Book now for the tennis rule: tennis availability, a tennis court, a tennis match."""
    await setup_integration(hass, tennis_config_entry)
    fake_playtomic.clear_requests()

    result = await _call(
        hass,
        "book",
        {"config_entry_id": tennis_config_entry.entry_id, "rule": TENNIS_RULE_SUBENTRY_ID},
    )

    assert result["outcome"] == "booked"
    assert result["court_name"] in TENNIS_COURTS
    assert {r.query["sport_id"] for r in _mixed_club_listings(fake_playtomic)} == {"TENNIS"}
    tennis_ids = {c.resource_id for c in mixed_club.courts if c.sport == "TENNIS"}
    creates = [r for r in fake_playtomic.requests if r.path == "/v1/payment_intents"]
    assert creates
    for create in creates:
        item = create.json["cart"]["requested_item"]["cart_item_data"]
        assert item["resource_id"] in tennis_ids
    assert _booked_courts(fake_playtomic, mixed_club) == [(result["court_name"], "TENNIS")]
    match = await tennis_config_entry.runtime_data.client.get_match(result["match_id"])
    assert match.sport_id == "TENNIS"


@pytest.fixture
async def at_mixed_club(
    hass: HomeAssistant, mixed_club: FakeClub, mock_config_entry: MockConfigEntry
) -> dict[str, Any]:
    """Alice's padel account, loaded; action data naming Raqueta Mixta on Tuesday 3 March."""
    await setup_integration(hass, mock_config_entry)
    return {
        "config_entry_id": mock_config_entry.entry_id,
        "tenant_id": MIXED_ID,
        "date": "2026-03-03",
    }


async def test_find_slots_lists_the_sport_asked_for(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, at_mixed_club: dict[str, Any]
) -> None:
    """`sport` picks the courts listed at a club; without it the default sport (padel) is."""
    fake_playtomic.clear_requests()
    tennis = await _call(hass, "find_slots", {**at_mixed_club, "sport": "tennis"})
    assert tennis["slots"]
    assert {slot["court"] for slot in tennis["slots"]} == TENNIS_COURTS
    assert [r.query["sport_id"] for r in _mixed_club_listings(fake_playtomic)] == ["TENNIS"]

    padel = await _call(hass, "find_slots", at_mixed_club)
    assert {slot["court"] for slot in padel["slots"]} == PADEL_COURTS


async def test_book_an_explicit_club_and_sport(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, at_mixed_club: dict[str, Any]
) -> None:
    """A one-off target with a sport books that sport; a padel court the same day is separate."""
    target = {**at_mixed_club, "window_start": "18:00:00", "window_end": "21:30:00"}
    tennis = await _call(hass, "book", {**target, "duration": 60, "sport": "TENNIS"})
    assert tennis["outcome"] == "booked"
    assert tennis["court_name"] in TENNIS_COURTS

    padel = await _call(hass, "book", {**target, "duration": 90})
    assert padel["outcome"] == "booked"
    assert padel["court_name"] in PADEL_COURTS
    assert sorted(_booked_courts(fake_playtomic, fake_playtomic.clubs[MIXED_ID])) == sorted(
        [(tennis["court_name"], "TENNIS"), (padel["court_name"], "PADEL")]
    )
