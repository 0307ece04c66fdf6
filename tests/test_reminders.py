"""Free cancellation: the deadline on the upcoming-booking sensor and in the calendar, the rule's
reminder before it, and a booking made inside the window saying so."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.playtomic.const import DOMAIN
from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.results import async_report_result
from tests.const import ALICE_ID, NORTE_ID, RULE_DATA, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import entry_with_rules, record_notify, setup_integration

MADRID = ZoneInfo("Europe/Madrid")
UPCOMING = "sensor.playtomic_alice_upcoming_booking"
CALENDAR = "calendar.playtomic_alice_bookings"
# Wednesday 4 March, 19:00 Madrid; the club lets players cancel for free until 24 h before.
START = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)
REMINDER_TITLE = "Cancel for free until 2026-03-03 19:00: Weekday evenings"
INSIDE = (
    "This booking is already inside the free-cancellation window: "
    "it can no longer be cancelled for free."
)


def _entry(**rule: Any) -> MockConfigEntry:
    return entry_with_rules({RULE_SUBENTRY_ID: {**RULE_DATA, "auto_book": False, **rule}})


@pytest.fixture
def own_match(fake_playtomic: FakePlaytomic) -> str:
    club = fake_playtomic.clubs[NORTE_ID]
    return fake_playtomic.book_directly(
        NORTE_ID, club.courts[0].resource_id, START, 90, ALICE_ID
    ).match_id


def _reminders(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [call for call in calls if call["title"].startswith("Cancel for free")]


async def _move(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_deadline_on_the_sensor_and_in_the_calendar(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    own_match: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to("2026-03-02T09:00:00+00:00")
    await setup_integration(hass, _entry())
    state = hass.states.get(UPCOMING)
    assert datetime.fromisoformat(state.attributes["free_cancellation_until"]) == DEADLINE
    event = hass.states.get(CALENDAR)
    assert "Free cancellation until 2026-03-03 19:00" in event.attributes["description"]
    assert f"https://app.playtomic.io/matches/{own_match}" in event.attributes["description"]


async def test_no_policy_no_deadline(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    own_match: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A club whose answer has no cancellation policy: no deadline is made up."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    fake_playtomic.respond(
        "GET",
        f"^/v1/tenants/{NORTE_ID}$",
        json={
            "tenant_id": NORTE_ID,
            "tenant_name": "Club Padel Norte",
            "address": {"timezone": "Europe/Madrid"},
            "playtomic_status": "ACTIVE",
        },
        count=None,
    )
    await setup_integration(hass, _entry())
    assert hass.states.get(UPCOMING).attributes["free_cancellation_until"] is None
    assert "Free cancellation" not in hass.states.get(CALENDAR).attributes["description"]


async def test_reminder_before_the_deadline_once(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    own_match: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Six hours before the deadline the rule's targets get the reminder with the match link;
    a restart does not send it again."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    calls = record_notify(hass)
    entry = _entry(reminder_hours=6)
    await setup_integration(hass, entry)
    await _move(hass, freezer, DEADLINE - timedelta(hours=6, minutes=1))
    assert _reminders(calls) == []
    await _move(hass, freezer, DEADLINE - timedelta(hours=6) + timedelta(seconds=1))
    [reminder] = _reminders(calls)
    link = f"https://app.playtomic.io/matches/{own_match}"
    assert reminder["title"] == REMINDER_TITLE
    assert reminder["message"] == (
        "Club Padel Norte, Pista 1, Wednesday 2026-03-04 19:00. Not playing? "
        f"Cancel before 2026-03-03 19:00 to get your money back: {link}"
    )
    assert reminder["data"] == {"url": link, "clickAction": link}

    assert await hass.config_entries.async_reload(entry.entry_id)
    await _move(hass, freezer, DEADLINE - timedelta(hours=1))
    assert len(_reminders(calls)) == 1


async def test_reminder_missed_while_down_is_sent_at_start_but_not_after_the_deadline(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    own_match: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(DEADLINE - timedelta(hours=2))
    calls = record_notify(hass)
    await setup_integration(hass, _entry(reminder_hours=6))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [call["title"] for call in _reminders(calls)] == [REMINDER_TITLE]


async def test_no_reminder_by_default_or_after_the_deadline(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    own_match: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to("2026-03-02T09:00:00+00:00")
    calls = record_notify(hass)
    await setup_integration(hass, _entry())
    await _move(hass, freezer, DEADLINE - timedelta(minutes=1))
    assert _reminders(calls) == []
    await hass.config_entries.async_unload(hass.config_entries.async_entries(DOMAIN)[0].entry_id)

    late = _entry(reminder_hours=6)
    freezer.move_to(DEADLINE + timedelta(minutes=1))
    await setup_integration(hass, late)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _reminders(calls) == []


@pytest.mark.parametrize(
    ("start", "inside"),
    [
        (datetime(2026, 3, 2, 18, 0, tzinfo=UTC), True),  # tonight: 9 h ahead, policy 24 h
        (START, False),
    ],
)
async def test_booking_inside_the_free_cancellation_window_says_so(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    freezer: FrozenDateTimeFactory,
    start: datetime,
    inside: bool,
) -> None:
    freezer.move_to("2026-03-02T09:00:00+00:00")
    calls = record_notify(hass)
    entry = _entry()
    await setup_integration(hass, entry)
    await async_report_result(
        hass,
        entry,
        AttemptResult(
            outcome=Outcome.BOOKED,
            rule_id=RULE_SUBENTRY_ID,
            tenant_id=NORTE_ID,
            club_name="Club Padel Norte",
            target_date=date(2026, 3, 2),
            court_name="Pista 1",
            start=start,
            local_start=start.astimezone(MADRID),
            duration=90,
            match_id="m-1",
        ),
    )
    await hass.async_block_till_done()
    assert calls[-1]["message"].endswith(INSIDE) is inside
