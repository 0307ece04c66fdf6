"""The integration against the API revisions of docs/playtomic-api.md §11, end to end over the fake server.

Each of these fails on the integration before §11: it asked for its matches with `owner_id`
and believed whatever came back (a rival's match made a date look booked; an expired match was
"upcoming"), it needed a refresh token in every refresh answer, and it polled one club per
availability request.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.playtomic.const import CONF_TOKENS
from tests.const import ALICE_ID, MIXED_ID, NORTE_ID, RULE_DATA, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.fake_playtomic.club import FakeClub
from tests.fake_playtomic.matches import match_json
from tests.helpers import (
    arm_auto_book,
    entry_with_rules,
    rule_with_release_soon,
    setup_integration,
    wait_booked,
)

MADRID = ZoneInfo("Europe/Madrid")
UPCOMING = "sensor.playtomic_alice_upcoming_booking"
CALENDAR = "calendar.playtomic_alice_bookings"
RESULT = "sensor.weekday_evenings_last_booking_result"
RIVAL = "rival-2002"


def _logins(fake: FakePlaytomic) -> int:
    return sum(1 for r in fake.requests if r.path == "/v3/auth/login")


async def test_rival_match_in_the_window_does_not_stop_the_release(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic
) -> None:
    """§11.3: another player's match inside the rule's window on the target date, on a server
    that lists every match at the club. Real time: the release still books Alice's court."""
    fake_playtomic.variants.ignore_user_filter = True
    soon = await rule_with_release_soon(hass, fake_playtomic)
    target = soon.target
    club = fake_playtomic.clubs[NORTE_ID]
    rival = fake_playtomic.book_directly(
        NORTE_ID,
        club.courts[3].resource_id,
        datetime.combine(target, time(19, 0), tzinfo=MADRID).astimezone(UTC),
        90,
        RIVAL,
    )
    await soon.entry.runtime_data.matches.async_refresh()
    assert soon.entry.runtime_data.matches.data == []  # the rival's match is not Alice's

    await wait_booked(hass, await arm_auto_book(hass))

    own = [m for m in fake_playtomic.matches if m.owner_id == ALICE_ID]
    assert len(own) == 1
    assert own[0].start.astimezone(MADRID).date() == target
    assert hass.states.get(RESULT).state == "booked"
    assert rival.status == "CONFIRMED"  # untouched
    matches_asked = [r.query for r in fake_playtomic.requests if r.path == "/v1/matches"]
    assert matches_asked
    assert all(q.get("user_id") == "me" and "owner_id" not in q for q in matches_asked)


async def test_upcoming_sensor_and_calendar_show_only_own_active_matches(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    freezer: FrozenDateTimeFactory,
) -> None:
    """§11.3: a server that ignores both filters lists a rival's match and Alice's expired one
    before her real booking; neither reaches the sensor or the calendar."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    club = fake_playtomic.clubs[NORTE_ID]
    court = club.courts[0].resource_id
    rivals = fake_playtomic.book_directly(
        NORTE_ID, court, datetime(2026, 3, 3, 17, 0, tzinfo=UTC), 90, RIVAL
    )
    expired = fake_playtomic.book_directly(
        NORTE_ID, court, datetime(2026, 3, 4, 17, 0, tzinfo=UTC), 90, ALICE_ID
    )
    expired.status = "EXPIRED"
    rejected = fake_playtomic.book_directly(
        NORTE_ID, court, datetime(2026, 3, 4, 19, 0, tzinfo=UTC), 60, ALICE_ID
    )
    rejected.status = "REJECTED"
    mine = fake_playtomic.book_directly(
        NORTE_ID, court, datetime(2026, 3, 5, 17, 0, tzinfo=UTC), 90, ALICE_ID
    )
    listed = [match_json(fake_playtomic, m) for m in (rivals, expired, rejected, mine)]
    fake_playtomic.respond("GET", "^/v1/matches$", json=listed, count=None)
    await setup_integration(hass, entry_with_rules({RULE_SUBENTRY_ID: RULE_DATA}))

    state = hass.states.get(UPCOMING)
    assert state.state == mine.start.isoformat()
    assert state.attributes["match_id"] == mine.match_id
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": CALENDAR,
            "start_date_time": "2026-03-01T00:00:00+00:00",
            "duration": {"days": 14},
        },
        blocking=True,
        return_response=True,
    )
    events = response[CALENDAR]["events"]
    assert [datetime.fromisoformat(e["start"]) for e in events] == [mine.start]


async def test_restart_with_refreshes_that_keep_the_refresh_token_never_logs_in(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    freezer: FrozenDateTimeFactory,
) -> None:
    """§11.4: refresh answers without a refresh token, across hours and a restart: the stored
    refresh token stays the one from set-up, and no password login follows set-up."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    entry = entry_with_rules({RULE_SUBENTRY_ID: RULE_DATA})
    await setup_integration(hass, entry)
    assert _logins(fake_playtomic) == 1  # set-up without stored tokens
    first = entry.data[CONF_TOKENS]
    fake_playtomic.variants.refresh_keeps_token = True
    fake_playtomic.clear_requests()

    for _ in range(3):  # three access-token lifetimes, with the coordinators polling
        freezer.tick(timedelta(minutes=61))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry.state is ConfigEntryState.LOADED
    refreshes = [r for r in fake_playtomic.requests if r.path == "/v3/auth/token"]
    assert len(refreshes) >= 4
    assert {r.json["refresh_token"] for r in refreshes} == {first["refresh_token"]}
    assert entry.data[CONF_TOKENS]["refresh_token"] == first["refresh_token"]
    assert entry.data[CONF_TOKENS]["access_token"] != first["access_token"]
    assert _logins(fake_playtomic) == 0
    assert hass.states.get(UPCOMING).state != "unavailable"


async def test_two_clubs_in_one_zone_share_each_availability_request(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mixed_club: FakeClub,
    freezer: FrozenDateTimeFactory,
) -> None:
    """§11.5: rules at two Madrid clubs are polled with one request per day for both."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    second = {**RULE_DATA, "tenant_id": MIXED_ID, "club_name": "Raqueta Mixta", "name": "Mixta"}
    fake_playtomic.clear_requests()
    await setup_integration(
        hass, entry_with_rules({RULE_SUBENTRY_ID: RULE_DATA, "01JRULE0000000000000000009": second})
    )
    asked = [r.query for r in fake_playtomic.requests if r.path == "/v1/availability"]
    # One request per day: a day both rules look at is asked for once, for both clubs.
    assert len({q["start_min"] for q in asked}) == len(asked)
    both = [q for q in asked if sorted(q["tenant_id"].split(",")) == sorted([NORTE_ID, MIXED_ID])]
    assert both
    norte = hass.states.get("sensor.weekday_evenings_next_open_slot")
    mixta = hass.states.get("sensor.mixta_next_open_slot")
    assert norte.attributes["court"] in {c.name for c in fake_playtomic.clubs[NORTE_ID].courts}
    assert mixta.attributes["court"] in {"Pista 1", "Pista 2"}
    assert norte.attributes["booking_url"].startswith(
        f"https://app.playtomic.io/tenant/{NORTE_ID}?"
    )
    assert mixta.attributes["booking_url"].startswith(
        f"https://app.playtomic.io/tenant/{MIXED_ID}?"
    )
