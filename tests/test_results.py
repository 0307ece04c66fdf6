"""The results seam: state, bus events, notifications, repairs and the history store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    flush_store,
)

from custom_components.playtomic.const import DOMAIN, EVENT_BOOKING_FAILED, EVENT_BOOKING_SUCCEEDED
from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.engine.reasons import Reason
from custom_components.playtomic.history import HISTORY_LIMIT, ResultHistory, history_key
from custom_components.playtomic.results import async_report_result
from tests.const import ALICE_PASSWORD, NORTE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import record_notify, setup_integration

MADRID = ZoneInfo("Europe/Madrid")
START = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
RESULT_SENSOR = "sensor.weekday_evenings_last_booking_result"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    """A Monday morning."""
    freezer.move_to("2026-03-02T09:00:00+00:00")


def _result(outcome: Outcome, **changes: object) -> AttemptResult:
    values: dict[str, object] = {
        "outcome": outcome,
        "rule_id": RULE_SUBENTRY_ID,
        "tenant_id": NORTE_ID,
        "club_name": "Club Padel Norte",
        "target_date": date(2026, 3, 3),
        "resource_id": "court-1",
        "court_name": "Pista 1",
        "start": START,
        "local_start": START.astimezone(MADRID),
        "duration": 90,
        "price": "36 EUR",
        "attempts": 2,
        "requests_used": 5,
        "latency_ms": 412.5,
    }
    values.update(changes)
    return AttemptResult(**values)  # type: ignore[arg-type]


async def test_booked_result(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A booking updates the sensor, fires the success event and notifies with the match link,
    the price and the payment method used; a success carries no reason."""
    calls = record_notify(hass)
    events = async_capture_events(hass, EVENT_BOOKING_SUCCEEDED)
    await setup_integration(hass, mock_config_entry)

    await async_report_result(
        hass,
        mock_config_entry,
        _result(Outcome.BOOKED, match_id="match-42", payment_method="wallet"),
    )
    await hass.async_block_till_done()

    state = hass.states.get(RESULT_SENSOR)
    assert state.state == "booked"
    assert state.attributes["match_id"] == "match-42"
    assert state.attributes["court"] == "Pista 1"
    assert state.attributes["attempts"] == 2
    assert state.attributes["latency_ms"] == 412.5
    assert state.attributes["requests"] == 5
    assert state.attributes["slot"] == "2026-03-03T18:00:00+01:00"
    assert state.attributes["payment_method"] == "wallet"
    assert state.attributes["price"] == "36 EUR"
    assert state.attributes["dry_run"] is False
    assert "reason" not in state.attributes

    assert len(events) == 1
    assert events[0].data == {
        "entry_id": mock_config_entry.entry_id,
        "rule_id": RULE_SUBENTRY_ID,
        "rule": "Weekday evenings",
        "club": "Club Padel Norte",
        "tenant_id": NORTE_ID,
        "court": "Pista 1",
        "resource_id": "court-1",
        "local_start": "2026-03-03T18:00:00+01:00",
        "start": "2026-03-03T17:00:00+00:00",
        "duration": 90,
        "match_id": "match-42",
        "outcome": "booked",
        "latency_ms": 412.5,
        "price": "36 EUR",
        "payment_method": "wallet",
        "dry_run": False,
        "url": "https://app.playtomic.io/matches/match-42",
        "trigger": "book_now",
    }
    assert calls == [
        {
            "title": "Court booked: Weekday evenings",
            "message": "Club Padel Norte, Pista 1, Tuesday 2026-03-03 18:00, 90 min, 36 EUR, "
            "Club wallet. [Open in Playtomic](https://app.playtomic.io/matches/match-42)",
            "data": {
                "url": "https://app.playtomic.io/matches/match-42",
                "clickAction": "https://app.playtomic.io/matches/match-42",
            },
        }
    ]


async def test_failed_result_carries_reason_and_checkout_link(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A failure fires the failure event and says why, with the link to finish by hand."""
    calls = record_notify(hass)
    events = async_capture_events(hass, EVENT_BOOKING_FAILED)
    await setup_integration(hass, mock_config_entry)

    await async_report_result(
        hass,
        mock_config_entry,
        _result(Outcome.OUTCOME_UNKNOWN, reason=Reason.CONFIRMATION_UNCONFIRMED),
    )
    await hass.async_block_till_done()

    link = (  # docs/playtomic-api.md §11.5: the exact slot, club-local date and time
        f"https://app.playtomic.io/tenant/{NORTE_ID}?sport=PADEL&date=2026-03-03"
        "&startTime=18:00&resourceId=court-1"
    )
    assert events[0].data["outcome"] == "outcome_unknown"
    assert events[0].data["reason"] == "confirmation_unconfirmed"
    assert events[0].data["url"] == link
    assert calls[0]["title"] == "Booking unclear: Weekday evenings"
    assert calls[0]["message"] == (
        "Playtomic did not confirm whether the booking went through. Club Padel Norte, "
        f"Pista 1, Tuesday 2026-03-03 18:00, 90 min, 36 EUR. Finish it in the app: "
        f"[Open in Playtomic]({link})"
    )
    assert calls[0]["data"] == {"url": link, "clickAction": link}
    assert hass.states.get(RESULT_SENSOR).attributes["reason"] == "confirmation_unconfirmed"


async def test_no_slot_links_to_the_club(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Without a slot the link opens the club in the app."""
    calls = record_notify(hass)
    await setup_integration(hass, mock_config_entry)
    await async_report_result(
        hass,
        mock_config_entry,
        AttemptResult(
            outcome=Outcome.NO_SLOT,
            rule_id=RULE_SUBENTRY_ID,
            tenant_id=NORTE_ID,
            club_name="Club Padel Norte",
            reason=Reason.API_ERROR,
        ),
    )
    await hass.async_block_till_done()
    assert calls[0]["title"] == "No court free: Weekday evenings"
    assert calls[0]["message"] == (
        "Playtomic answered with an error. Club Padel Norte. Finish it in the app: "
        f"[Open in Playtomic](https://app.playtomic.io/tenant/{NORTE_ID})"
    )


async def test_dry_run_says_nothing_was_booked(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A dry run counts as success for automations, and the message says it booked nothing."""
    calls = record_notify(hass)
    events = async_capture_events(hass, EVENT_BOOKING_SUCCEEDED)
    await setup_integration(hass, mock_config_entry)
    await async_report_result(
        hass,
        mock_config_entry,
        _result(Outcome.DRY_RUN, reason=Reason.DRY_RUN, payment_method="at_club"),
    )
    await hass.async_block_till_done()
    assert events[0].data["outcome"] == "dry_run"
    assert events[0].data["dry_run"] is True
    assert events[0].data["payment_method"] == "at_club"
    assert calls[0]["title"] == "Dry run, nothing booked: Weekday evenings"
    assert calls[0]["message"].startswith("Nothing was booked (dry run).")
    assert "Pay at the club" in calls[0]["message"]
    state = hass.states.get(RESULT_SENSOR)
    assert state.state == "dry_run"
    assert state.attributes["dry_run"] is True
    assert state.attributes["payment_method"] == "at_club"


async def test_spanish_notification(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A Spanish Home Assistant sends Spanish messages."""
    hass.config.language = "es"
    calls = record_notify(hass)
    await setup_integration(hass, mock_config_entry)
    await async_report_result(hass, mock_config_entry, _result(Outcome.BOOKED, match_id="m1"))
    await hass.async_block_till_done()
    assert calls[0]["title"] == "Pista reservada: Weekday evenings"
    assert calls[0]["message"].startswith("Club Padel Norte, Pista 1, Martes 2026-03-03 18:00,")


async def test_missing_notify_service_is_logged_once(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A notify target that does not exist is skipped with one warning, never an error."""
    await setup_integration(hass, mock_config_entry)
    for _ in range(3):
        await async_report_result(hass, mock_config_entry, _result(Outcome.NO_SLOT))
    await hass.async_block_till_done()
    warnings = [r for r in caplog.records if "notify.mobile_app_alice_phone" in r.getMessage()]
    assert len(warnings) == 1


async def test_failing_notify_service_does_not_raise(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A notify service that raises is logged; the result is still recorded."""

    async def broken(call: object) -> None:
        raise HomeAssistantError("phone offline")

    hass.services.async_register("notify", "mobile_app_alice_phone", broken)
    await setup_integration(hass, mock_config_entry)
    await async_report_result(hass, mock_config_entry, _result(Outcome.BOOKED, match_id="m"))
    await hass.async_block_till_done()
    assert "phone offline" in caplog.text
    assert hass.states.get(RESULT_SENSOR).state == "booked"


async def test_payment_issue_raised_and_cleared(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Payment not possible needs the user: a repair issue, gone after the next booking."""
    await setup_integration(hass, mock_config_entry)
    registry = ir.async_get(hass)
    issue_id = f"payment_not_possible_{mock_config_entry.entry_id}_{RULE_SUBENTRY_ID}"

    await async_report_result(
        hass,
        mock_config_entry,
        _result(Outcome.PAYMENT_NOT_POSSIBLE, reason=Reason.NO_ALLOWED_PAYMENT_METHOD),
    )
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "payment_not_possible"
    assert issue.translation_placeholders["rule"] == "Weekday evenings"
    assert issue.translation_placeholders["link"].startswith(
        f"https://app.playtomic.io/tenant/{NORTE_ID}?sport=PADEL&date="
    )

    await async_report_result(hass, mock_config_entry, _result(Outcome.BOOKED, match_id="m"))
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_auth_and_edge_failures_raise_issues(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A booking refused for the login starts reauth; an edge block explains itself."""
    await setup_integration(hass, mock_config_entry)
    registry = ir.async_get(hass)
    await async_report_result(
        hass, mock_config_entry, _result(Outcome.FAILED, reason=Reason.AUTH_FAILED)
    )
    await hass.async_block_till_done()
    assert registry.async_get_issue(DOMAIN, f"auth_failed_{mock_config_entry.entry_id}")
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]

    await async_report_result(
        hass, mock_config_entry, _result(Outcome.FAILED, reason=Reason.EDGE_BLOCKED)
    )
    assert registry.async_get_issue(DOMAIN, f"edge_blocked_{mock_config_entry.entry_id}")


async def test_history_is_bounded_and_restored(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict,
) -> None:
    """The last 50 results are stored; the last result survives a restart."""
    await setup_integration(hass, mock_config_entry)
    for n in range(HISTORY_LIMIT + 5):
        await async_report_result(
            hass,
            mock_config_entry,
            _result(Outcome.NO_SLOT, attempts=n, reason=Reason.NO_MATCHING_SLOT),
        )
    await async_report_result(hass, mock_config_entry, _result(Outcome.BOOKED, match_id="m9"))
    await flush_store(mock_config_entry.runtime_data.history._store)
    stored = hass_storage[history_key(mock_config_entry.entry_id)]["data"]["results"]
    assert len(stored) == HISTORY_LIMIT
    assert stored[-1]["match_id"] == "m9"

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(RESULT_SENSOR)
    assert state.state == "booked"
    assert state.attributes["match_id"] == "m9"


async def test_damaged_history_records_are_skipped(hass: HomeAssistant, hass_storage: dict) -> None:
    """A record that no longer parses is dropped instead of failing setup."""
    hass_storage[history_key("abc")] = {
        "version": 1,
        "key": history_key("abc"),
        "data": {
            "results": [
                {"outcome": "not-an-outcome", "rule_id": "r", "tenant_id": "t"},
                _result(Outcome.BOOKED).as_dict(),
            ]
        },
    }
    history = ResultHistory(hass, "abc")
    await history.async_load()
    assert [r.outcome for r in history.results] == [Outcome.BOOKED]
    assert history.last_by_rule[RULE_SUBENTRY_ID].outcome is Outcome.BOOKED


async def test_secrets_never_reach_notifications_or_logs(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither the password nor any token ever appears in a message, an event or the log."""
    caplog.set_level("DEBUG")
    calls = record_notify(hass)
    events = async_capture_events(hass, EVENT_BOOKING_SUCCEEDED)
    await setup_integration(hass, mock_config_entry)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.weekday_evenings_book_now"}, blocking=True
    )
    await hass.async_block_till_done()
    assert calls
    assert events
    secrets = [ALICE_PASSWORD, *fake_playtomic.issued_tokens]
    assert len(secrets) > 2
    haystack = caplog.text + repr(calls) + repr([e.data for e in events])
    for secret in secrets:
        assert secret not in haystack
