"""The cancellation watch in Home Assistant: a freed court is booked once, and only when wanted."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    flush_store,
)

from custom_components.playtomic.cancellation_watch import watch_store_key
from custom_components.playtomic.const import DOMAIN, EVENT_BOOKING_FAILED, EVENT_BOOKING_SUCCEEDED
from custom_components.playtomic.engine import AttemptResult, BookingEngine, Outcome
from custom_components.playtomic.engine.watch import HOURLY_REQUEST_CEILING
from custom_components.playtomic.scheduler import store_key
from tests.const import ALICE_ID, MIXED_ID, NORTE_ID, RIVERSIDE_ID, RULE_DATA, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakeMatch, FakePlaytomic
from tests.helpers import disable_backoff, entry_with_rules, record_notify, setup_integration, tick

MADRID = ZoneInfo("Europe/Madrid")
WATCH = "switch.weekday_evenings_cancellation_watch"
RESULT = "sensor.weekday_evenings_last_booking_result"
TARGET = date(2026, 3, 16)  # a Monday, opened by the 08:30 Madrid drop of 2 March
RELEASE_AT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
# One polling round later (rounds run every 5 or 10 minutes, +-30 s).
ROUND_MINUTES = 11
WATCH_TEXT = "The cancellation watch keeps looking for a freed court on this date."


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real sleeps in the client's retries."""
    disable_backoff(monkeypatch)


def _fill(fake: FakePlaytomic, day: date, owner: str = "someone-else") -> list[FakeMatch]:
    """Every court taken for the whole 18:00-21:30 window on `day`."""
    start = datetime.combine(day, time(18, 0), tzinfo=MADRID).astimezone(UTC)
    return [
        fake.book_directly(NORTE_ID, court.resource_id, start, 210, owner)
        for court in fake.clubs[NORTE_ID].courts
    ]


def _own(fake: FakePlaytomic, day: date) -> list[FakeMatch]:
    return [
        m
        for m in fake.matches
        if m.owner_id == ALICE_ID
        and m.status == "CONFIRMED"
        and m.start.astimezone(MADRID).date() == day
    ]


def _seed_watch(
    hass_storage: dict[str, Any], entry: MockConfigEntry, days: list[date], rule_id: str = ""
) -> None:
    hass_storage[watch_store_key(entry.entry_id)] = {
        "version": 1,
        "minor_version": 1,
        "key": watch_store_key(entry.entry_id),
        "data": {
            "rules": {
                rule_id or RULE_SUBENTRY_ID: {
                    day.isoformat(): RELEASE_AT.isoformat() for day in days
                }
            }
        },
    }


def _watched(hass: HomeAssistant) -> list[str]:
    return list(hass.states.get(WATCH).attributes["watched_dates"])


def _confirmations(fake: FakePlaytomic) -> int:
    return len([r for r in fake.requests if r.path.endswith("/confirmation")])


async def _no_slot_release(
    _engine: Any, attempt: Any, rule: Any, club: Any, **kwargs: Any
) -> AttemptResult:
    """The release burst, lost to competitors (the engine's own burst is tested elsewhere)."""
    return AttemptResult(
        outcome=Outcome.NO_SLOT,
        rule_id=rule.rule_id,
        tenant_id=rule.tenant_id,
        target_date=attempt.target_date,
        release_at=attempt.release_at,
        reason="all_candidates_gone",
    )


async def test_lost_release_is_watched_and_a_freed_court_is_booked_once(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A release lost to competitors: the watch says so, looks every round, books the court a
    cancellation frees, reports it like a release with `trigger: watch`, and stops."""
    freezer.move_to("2026-03-02T07:00:00+00:00")  # 08:00 Madrid, the drop is at 08:30
    calls = record_notify(hass)
    succeeded = async_capture_events(hass, EVENT_BOOKING_SUCCEEDED)
    taken = _fill(fake_playtomic, TARGET)
    with (
        patch.object(BookingEngine, "run_release", _no_slot_release),
        patch.object(BookingEngine, "prepare"),
    ):
        await setup_integration(hass, mock_config_entry)
        assert hass.states.get(WATCH).state == "on"
        assert _watched(hass) == []
        for minutes in (25, 29, 31):
            freezer.move_to(datetime(2026, 3, 2, 7, minutes, tzinfo=UTC))
            async_fire_time_changed(hass)
            # Not the background tasks: the release's own wait would hold the frozen clock.
            await hass.async_block_till_done()
    assert hass.states.get(RESULT).state == "no_slot"
    assert _watched(hass) == [TARGET.isoformat()]
    assert calls[-1]["message"].endswith(WATCH_TEXT)

    fake_playtomic.clear_requests()
    await tick(hass, freezer, ROUND_MINUTES)
    # The watched day is looked at, nothing is free, nothing is tried.
    assert [r for r in fake_playtomic.requests if r.path == "/v1/availability"]
    assert not _own(fake_playtomic, TARGET)

    fake_playtomic.cancel_match(taken[2].match_id)
    await tick(hass, freezer, ROUND_MINUTES)
    [booked] = _own(fake_playtomic, TARGET)
    assert booked.resource_id == taken[2].resource_id
    state = hass.states.get(RESULT)
    assert (state.state, state.attributes["trigger"]) == ("booked", "watch")
    assert [event.data["trigger"] for event in succeeded] == ["watch"]
    assert calls[-1]["title"] == "Court booked: Weekday evenings"
    assert _watched(hass) == []

    for _ in range(3):
        await tick(hass, freezer, ROUND_MINUTES)
    assert len(_own(fake_playtomic, TARGET)) == 1
    assert _confirmations(fake_playtomic) == 1
    assert len(succeeded) == 1


async def test_missed_release_is_watched(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A release missed while Home Assistant was down is reported once, then watched: the next
    round books a free court on that date."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    hass_storage[store_key(mock_config_entry.entry_id)] = {
        "version": 1,
        "minor_version": 1,
        "key": store_key(mock_config_entry.entry_id),
        "data": {"rules": {RULE_SUBENTRY_ID: {"armed": RELEASE_AT.isoformat()}}},
    }
    calls = record_notify(hass)
    failed = async_capture_events(hass, EVENT_BOOKING_FAILED)
    await setup_integration(hass, mock_config_entry)
    assert [event.data["outcome"] for event in failed] == ["missed"]
    assert calls[0]["message"].endswith(WATCH_TEXT)
    assert _watched(hass) == [TARGET.isoformat()]
    assert not _own(fake_playtomic, TARGET)

    await tick(hass, freezer, ROUND_MINUTES)
    assert len(_own(fake_playtomic, TARGET)) == 1
    assert hass.states.get(RESULT).attributes["trigger"] == "watch"
    await tick(hass, freezer, ROUND_MINUTES)
    assert len(_own(fake_playtomic, TARGET)) == 1


async def test_a_court_freed_outside_the_window_is_left_alone(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A morning court coming back does not fit the evening rule."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    _fill(fake_playtomic, TARGET)
    court = fake_playtomic.clubs[NORTE_ID].courts[0].resource_id
    morning = datetime.combine(TARGET, time(10, 0), tzinfo=MADRID).astimezone(UTC)
    early = fake_playtomic.book_directly(NORTE_ID, court, morning, 90, "someone-else")
    _seed_watch(hass_storage, mock_config_entry, [TARGET])
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.cancel_match(early.match_id)
    for _ in range(2):
        await tick(hass, freezer, ROUND_MINUTES)
    data = mock_config_entry.runtime_data.availability.data
    assert (NORTE_ID, "PADEL", TARGET) in data.fresh
    assert not _own(fake_playtomic, TARGET)
    assert not [r for r in fake_playtomic.requests if r.path == "/v1/payment_intents"]
    assert _watched(hass) == [TARGET.isoformat()]


async def test_nothing_is_booked_after_the_cutoff(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Watching today's date stops 2 hours before 18:00 (the default cutoff): a court freed
    later stays free, and the date is forgotten."""
    today = date(2026, 3, 2)
    freezer.move_to("2026-03-02T14:30:00+00:00")  # 15:30 Madrid
    taken = _fill(fake_playtomic, today)
    _seed_watch(hass_storage, mock_config_entry, [today])
    await setup_integration(hass, mock_config_entry)
    assert _watched(hass) == [today.isoformat()]
    await tick(hass, freezer, 35)  # 16:05 Madrid: past the cutoff
    assert _watched(hass) == []
    fake_playtomic.cancel_match(taken[0].match_id)
    for _ in range(2):
        await tick(hass, freezer, ROUND_MINUTES)
    assert not _own(fake_playtomic, today)
    await flush_store(mock_config_entry.runtime_data.watch._store)
    assert hass_storage[watch_store_key(mock_config_entry.entry_id)]["data"] == {"rules": {}}


async def test_a_date_already_ours_is_left_alone(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A watched date we already play on (booked by hand, or just before a restart) is not
    booked a second time, however many courts are free."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    court = fake_playtomic.clubs[NORTE_ID].courts[1].resource_id
    start = datetime.combine(TARGET, time(19, 0), tzinfo=MADRID).astimezone(UTC)
    fake_playtomic.book_directly(NORTE_ID, court, start, 90, ALICE_ID)
    _seed_watch(hass_storage, mock_config_entry, [TARGET])
    await setup_integration(hass, mock_config_entry)
    for _ in range(2):
        await tick(hass, freezer, ROUND_MINUTES)
    assert len(_own(fake_playtomic, TARGET)) == 1
    assert not [r for r in fake_playtomic.requests if r.path == "/v1/payment_intents"]
    assert _watched(hass) == []


async def test_switch_stops_and_resumes_the_watch(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off: the freed court stays free and the rule stores the choice; on again: it is booked."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    taken = _fill(fake_playtomic, TARGET)
    _seed_watch(hass_storage, mock_config_entry, [TARGET])
    await setup_integration(hass, mock_config_entry)
    await hass.services.async_call("switch", "turn_off", {"entity_id": WATCH}, blocking=True)
    assert hass.states.get(WATCH).state == "off"
    assert mock_config_entry.subentries[RULE_SUBENTRY_ID].data["watch"] is False
    assert _watched(hass) == []
    fake_playtomic.cancel_match(taken[0].match_id)
    for _ in range(2):
        await tick(hass, freezer, ROUND_MINUTES)
    assert not _own(fake_playtomic, TARGET)

    await hass.services.async_call("switch", "turn_on", {"entity_id": WATCH}, blocking=True)
    assert _watched(hass) == [TARGET.isoformat()]
    await tick(hass, freezer, ROUND_MINUTES)
    assert len(_own(fake_playtomic, TARGET)) == 1


async def test_watch_round_and_book_now_racing_book_once(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A watch round and the `book` action reach the freed court at the same time: one booking
    (the engine's per-date lock; the release path shares it, see tests/engine/test_watch.py)."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    for day in (date(2026, 3, 2), date(2026, 3, 9)):
        _fill(fake_playtomic, day)
    taken = _fill(fake_playtomic, TARGET)
    _seed_watch(hass_storage, mock_config_entry, [TARGET])
    await setup_integration(hass, mock_config_entry)
    # Mondays only: Book now's open dates are the three full Mondays, 16 March last.
    hass.config_entries.async_update_subentry(
        mock_config_entry,
        mock_config_entry.subentries[RULE_SUBENTRY_ID],
        data={**RULE_DATA, "weekdays": ["mon"]},
    )
    fake_playtomic.cancel_match(taken[0].match_id)
    freezer.tick(timedelta(minutes=11))
    async_fire_time_changed(hass)  # the round starts, and with it the watch's booking
    action = hass.async_create_task(
        hass.services.async_call(
            DOMAIN,
            "book",
            {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID},
            blocking=True,
            return_response=True,
        )
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    response = await action
    assert response is not None
    # Whichever came second found the date ours: Book now then has no other date to book.
    assert response["outcome"] in {"booked", "no_slot"}
    assert len(_own(fake_playtomic, TARGET)) == 1
    assert _confirmations(fake_playtomic) == 1


async def test_restart_during_a_watch_neither_loses_it_nor_books_twice(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The watched date survives a restart; after the booking, restarts book nothing more."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    taken = _fill(fake_playtomic, TARGET)
    await setup_integration(hass, mock_config_entry)
    # A release without a court, reported the way the scheduler reports it.
    mock_config_entry.runtime_data.watch.async_result(
        AttemptResult(
            outcome=Outcome.NO_SLOT,
            rule_id=RULE_SUBENTRY_ID,
            tenant_id=NORTE_ID,
            target_date=TARGET,
            release_at=RELEASE_AT,
        )
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert _watched(hass) == [TARGET.isoformat()]

    fake_playtomic.cancel_match(taken[1].match_id)
    await tick(hass, freezer, ROUND_MINUTES)
    assert len(_own(fake_playtomic, TARGET)) == 1
    for _ in range(2):
        assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        fake_playtomic.cancel_match(taken[3].match_id)
        await tick(hass, freezer, ROUND_MINUTES)
    assert len(_own(fake_playtomic, TARGET)) == 1
    assert _confirmations(fake_playtomic) == 1
    assert _watched(hass) == []


async def test_firewall_block_pauses_the_watch(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While Playtomic's firewall blocks us, rounds send nothing and the watch books nothing,
    even with a free court in the last listing; once the pause ends, it books."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    _seed_watch(hass_storage, mock_config_entry, [TARGET])
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.edge_block(count=1)
    await tick(hass, freezer, ROUND_MINUTES)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"edge_blocked_{mock_config_entry.entry_id}")
    assert mock_config_entry.runtime_data.watch.pause_reason() == "edge_blocked"
    fake_playtomic.clear_requests()
    await tick(hass, freezer, 1)
    await tick(hass, freezer, 3)
    assert not [r for r in fake_playtomic.requests if not r.path.startswith("/_fake")]
    assert not _own(fake_playtomic, TARGET)
    diagnostics_watch = mock_config_entry.runtime_data.watch.diagnostics()
    assert diagnostics_watch["paused"] == "edge_blocked"

    for _ in range(2):
        await tick(hass, freezer, ROUND_MINUTES)
    assert mock_config_entry.runtime_data.watch.pause_reason() is None
    assert len(_own(fake_playtomic, TARGET)) == 1


def _rule(name: str, tenant_id: str, weekdays: list[str], zone: str) -> dict[str, Any]:
    return {
        **RULE_DATA,
        "name": name,
        "tenant_id": tenant_id,
        "club_timezone": zone,
        "weekdays": weekdays,
        "window_start": "08:00:00",
        "window_end": "23:00:00",
        "auto_book": False,
        "notify": [],
        "watch_open_dates": True,
        "release_model": "rolling" if tenant_id == RIVERSIDE_ID else "daily_drop",
        "rolling_minutes": 2880,
    }


async def test_hourly_ceiling_holds_under_many_rules(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, freezer: FrozenDateTimeFactory
) -> None:
    """Eight rules watching every open date at two clubs: whatever they want, no hour of rounds
    sends more than the ceiling, and the diagnostics show it."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    for tenant_id in (NORTE_ID, RIVERSIDE_ID):
        club = fake_playtomic.clubs[tenant_id]
        for offset in range(17):
            day = date(2026, 3, 1) + timedelta(days=offset)
            for court in club.courts:
                start = datetime.combine(day, time(0, 0), tzinfo=club.zone).astimezone(UTC)
                fake_playtomic.book_directly(tenant_id, court.resource_id, start, 1439, "other")
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    rules = [
        _rule(f"Norte {n}", NORTE_ID, [days[n], days[(n + 3) % 7]], "Europe/Madrid")
        for n in range(5)
    ] + [_rule(f"River {n}", RIVERSIDE_ID, days, "Europe/London") for n in range(3)]
    entry = entry_with_rules({f"rule{n}": data for n, data in enumerate(rules)})
    await setup_integration(hass, entry)
    watched = entry.runtime_data.watch.watched()
    club_days = {
        (rules[int(rule_id[4:])]["tenant_id"], day) for rule_id, ds in watched.items() for day in ds
    }
    assert len(club_days) > HOURLY_REQUEST_CEILING // 2
    for _ in range(30):  # two and a half hours of rounds
        await tick(hass, freezer, 5)
    rounds = sorted(
        r.received_at
        for r in fake_playtomic.requests
        if r.path == "/v1/availability" or r.path.startswith("/v1/tenants")
    )
    assert rounds
    for index, first in enumerate(rounds):
        in_hour = [at for at in rounds[index:] if at < first + timedelta(hours=1)]
        assert len(in_hour) <= HOURLY_REQUEST_CEILING
    summary = entry.runtime_data.availability.summary()["requests"]
    assert summary["ceiling_per_hour"] == HOURLY_REQUEST_CEILING
    assert 0 < summary["peak_per_hour"] <= HOURLY_REQUEST_CEILING
    assert not [m for m in fake_playtomic.matches if m.owner_id == ALICE_ID]


async def test_one_request_per_club_day_and_clubs_batched(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mixed_club: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two rules at two Madrid clubs watching the same days: each round asks once per day for
    both clubs together (one comma-separated tenant_id), never twice for a club-day."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    rules = [
        {**RULE_DATA, "watch_open_dates": True, "auto_book": False, "notify": []},
        {
            **RULE_DATA,
            "name": "Mixta evenings",
            "tenant_id": MIXED_ID,
            "club_name": "Raqueta Mixta",
            "watch_open_dates": True,
            "auto_book": False,
            "notify": [],
        },
    ]
    for tenant_id in (NORTE_ID, MIXED_ID):
        club = fake_playtomic.clubs[tenant_id]
        for offset in range(16):
            day = date(2026, 3, 2) + timedelta(days=offset)
            start = datetime.combine(day, time(0, 0), tzinfo=MADRID).astimezone(UTC)
            for court in club.courts:
                fake_playtomic.book_directly(tenant_id, court.resource_id, start, 1439, "other")
    entry = entry_with_rules({f"rule{n}": data for n, data in enumerate(rules)})
    await setup_integration(hass, entry)
    for _ in range(3):
        fake_playtomic.clear_requests()
        await tick(hass, freezer, 5.5)
        asked = [r for r in fake_playtomic.requests if r.path == "/v1/availability"]
        assert asked
        assert all(set(r.query["tenant_id"].split(",")) == {NORTE_ID, MIXED_ID} for r in asked)
        days = [r.query["start_min"] for r in asked]
        assert len(days) == len(set(days))


async def test_reauth_needed_pauses_the_watch(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While the account waits for the user to sign in again, no round books; afterwards it does."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    _seed_watch(hass_storage, mock_config_entry, [TARGET])
    await setup_integration(hass, mock_config_entry)
    mock_config_entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    assert mock_config_entry.runtime_data.watch.pause_reason() == "reauth_needed"
    for _ in range(2):
        await tick(hass, freezer, ROUND_MINUTES)
    assert not _own(fake_playtomic, TARGET)
    assert not [r for r in fake_playtomic.requests if r.path == "/v1/payment_intents"]

    for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        hass.config_entries.flow.async_abort(flow["flow_id"])
    await tick(hass, freezer, ROUND_MINUTES)
    assert len(_own(fake_playtomic, TARGET)) == 1
