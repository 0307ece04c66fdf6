"""The release scheduler: arming, firing through the engine, restarts, misses, joins."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.playtomic.const import DOMAIN, EVENT_BOOKING_FAILED, EVENT_BOOKING_SUCCEEDED
from custom_components.playtomic.engine import AttemptResult, BookingEngine, Outcome, Reason
from custom_components.playtomic.scheduler import store_key
from tests.const import ALICE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import arm_auto_book, rule_with_release_soon, setup_integration, wait_booked

MADRID = ZoneInfo("Europe/Madrid")
RESULT = "sensor.weekday_evenings_last_booking_result"
NEXT_ATTEMPT = "sensor.weekday_evenings_next_booking_attempt"


def _seed_scheduler_state(
    hass_storage: dict[str, Any], entry: MockConfigEntry, state: dict[str, Any]
) -> None:
    hass_storage[store_key(entry.entry_id)] = {
        "version": 1,
        "minor_version": 1,
        "key": store_key(entry.entry_id),
        "data": {"rules": {RULE_SUBENTRY_ID: state}},
    }


class RunRecorder:
    """Stands in for the engine's burst where the frozen clock would stall its monotonic wait."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, attempt: Any, rule: Any, club: Any, **kwargs: Any) -> AttemptResult:
        self.calls.append({"attempt": attempt, "rule": rule, **kwargs})
        await self.release.wait()
        return AttemptResult(
            outcome=Outcome.NO_SLOT,
            rule_id=rule.rule_id,
            tenant_id=rule.tenant_id,
            target_date=attempt.target_date,
            release_at=attempt.release_at,
            reason=Reason.ALL_CANDIDATES_GONE,
        )


async def test_release_fires_on_time_and_books_once(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic
) -> None:
    """Real time, real sockets: the armed rule fires at the release and books exactly once.

    The rule is set up with auto-book off; only then is the club's daily drop moved to whole
    seconds ahead (the rule stores whole seconds) and auto-book switched on, which arms it. A
    slow set-up (a loaded machine) therefore cannot let the release pass before it is armed.
    """
    soon = await rule_with_release_soon(hass, fake_playtomic)
    release_at, target = soon.release_at, soon.target
    succeeded = async_capture_events(hass, EVENT_BOOKING_SUCCEEDED)
    booked = await arm_auto_book(hass)
    assert hass.states.get(NEXT_ATTEMPT).state == release_at.isoformat()

    await wait_booked(hass, booked)

    own = [m for m in fake_playtomic.matches if m.owner_id == ALICE_ID]
    assert len(own) == 1
    assert own[0].start.astimezone(MADRID).date() == target
    creates = [r for r in fake_playtomic.requests if r.path == "/v1/payment_intents"]
    assert creates[0].received_at >= release_at
    print(
        f"first create request {(creates[0].received_at - release_at).total_seconds() * 1000:.1f} ms after the release"
    )
    assert hass.states.get(RESULT).state == "booked"
    assert succeeded[0].data["match_id"] == own[0].match_id
    # The next release (a week later) is armed; this date is not tried again.
    assert hass.states.get(NEXT_ATTEMPT).state != release_at.isoformat()


async def test_missed_release_is_reported_once(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A release that passed while Home Assistant was down is `missed`, never a late booking."""
    freezer.move_to("2026-03-02T09:00:00+00:00")  # Monday 10:00 Madrid
    armed = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 Madrid today: passed
    _seed_scheduler_state(hass_storage, mock_config_entry, {"armed": armed.isoformat()})
    failed = async_capture_events(hass, EVENT_BOOKING_FAILED)
    with patch.object(BookingEngine, "run_release") as run_release:
        await setup_integration(hass, mock_config_entry)
        assert not run_release.called
    assert hass.states.get(RESULT).state == "missed"
    assert [event.data["outcome"] for event in failed] == ["missed"]
    assert failed[0].data["reason"] == "home_assistant_down"
    assert not [r for r in fake_playtomic.requests if r.path == "/v1/payment_intents"]

    # Reported once: a restart does not report it again.
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert len(failed) == 1


async def test_restart_before_the_instant_still_fires(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The plan is rebuilt at start-up and the armed release fires at its instant."""
    freezer.move_to("2026-03-02T07:00:00+00:00")  # 08:00 Madrid, release at 08:30
    release_at = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    _seed_scheduler_state(hass_storage, mock_config_entry, {"armed": release_at.isoformat()})
    recorder = RunRecorder()
    with (
        patch.object(BookingEngine, "run_release", recorder),
        patch.object(BookingEngine, "prepare") as prepare,
    ):
        await setup_integration(hass, mock_config_entry)
        assert hass.states.get(NEXT_ATTEMPT).state == release_at.isoformat()
        assert not recorder.calls

        for minutes in (25, 29):  # token refresh at -5 min, warm-up at -1 min
            freezer.move_to(datetime(2026, 3, 2, 7, minutes, tzinfo=UTC))
            async_fire_time_changed(hass)
            await hass.async_block_till_done()
        assert prepare.called
        assert len(recorder.calls) == 1
    call = recorder.calls[0]
    assert call["attempt"].release_at == release_at
    assert call["attempt"].target_date == date(2026, 3, 16)
    assert call["resume_intent_ids"] == ()
    assert hass.states.get(RESULT).state == "no_slot"


async def test_restart_inside_the_burst_resumes_with_reconciliation(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Intents persisted during a burst are handed back to the engine to reconcile first."""
    freezer.move_to("2026-03-02T07:30:10+00:00")  # 10 s into the 08:30 Madrid release
    release_at = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    _seed_scheduler_state(
        hass_storage,
        mock_config_entry,
        {"armed": release_at.isoformat(), "intents": ["intent-1"]},
    )
    recorder = RunRecorder()
    with patch.object(BookingEngine, "run_release", recorder):
        await setup_integration(hass, mock_config_entry)
    assert len(recorder.calls) == 1
    assert recorder.calls[0]["attempt"].release_at == release_at
    assert recorder.calls[0]["resume_intent_ids"] == ("intent-1",)
    # Once the outcome is known nothing in flight is left to resume.
    stored = hass_storage[store_key(mock_config_entry.entry_id)]["data"]["rules"]
    assert "intents" not in stored.get(RULE_SUBENTRY_ID, {})


async def test_book_at_joins_the_armed_release(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Auto-book and a `book` action with the same `at` share one burst: no double booking."""
    freezer.move_to("2026-03-02T07:25:00+00:00")  # 5 minutes before the 08:30 Madrid release
    release_at = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    recorder = RunRecorder()
    recorder.release.clear()
    with (
        patch.object(BookingEngine, "run_release", recorder),
        patch.object(BookingEngine, "prepare"),
    ):
        await setup_integration(hass, mock_config_entry)
        freezer.move_to(datetime(2026, 3, 2, 7, 29, 30, tzinfo=UTC))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        assert len(recorder.calls) == 1  # the armed auto-book run is in its last minute

        service = hass.async_create_task(
            hass.services.async_call(
                DOMAIN,
                "book",
                {
                    "config_entry_id": mock_config_entry.entry_id,
                    "rule": RULE_SUBENTRY_ID,
                    "at": release_at.isoformat(),
                },
                blocking=True,
                return_response=True,
            )
        )
        for _ in range(10):
            await asyncio.sleep(0)
        recorder.release.set()
        result = await service
    assert len(recorder.calls) == 1
    assert result["outcome"] == "no_slot"


async def test_rule_with_auto_book_off_is_not_armed(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With auto-book off the release passes untouched and is not reported as missed later."""
    freezer.move_to("2026-03-02T07:00:00+00:00")
    subentry = dict(mock_config_entry.subentries[RULE_SUBENTRY_ID].data)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_subentry(
        mock_config_entry,
        mock_config_entry.subentries[RULE_SUBENTRY_ID],
        data={**subentry, "auto_book": False},
    )
    recorder = RunRecorder()
    with patch.object(BookingEngine, "run_release", recorder):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        freezer.move_to(datetime(2026, 3, 2, 7, 31, tzinfo=UTC))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert not recorder.calls
    assert hass.states.get(NEXT_ATTEMPT).attributes["auto_book"] is False
    assert hass.states.get(RESULT).state == "unknown"
    rules = hass_storage[store_key(mock_config_entry.entry_id)]["data"]["rules"]
    assert "armed" not in rules.get(RULE_SUBENTRY_ID, {})
    assert time(8, 30) == time.fromisoformat(subentry["release_time"])
