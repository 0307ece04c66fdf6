"""Every failure on the action and button paths is a translated error and a recorded result.

Dates are bounded (yesterday .. a year ahead) before anything runs; a failing club lookup, a
server error or a bug inside a booking still ends in a result (sensor), an event and a
notification, and the caller gets a translated error, never a raw exception.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.playtomic.const import DOMAIN, EVENT_BOOKING_FAILED
from tests.attack.tally import tally
from tests.const import NORTE_ID, RIVERSIDE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import disable_backoff, record_notify, setup_integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Madrid
BUTTON = "button.weekday_evenings_book_now"
RESULT = "sensor.weekday_evenings_last_booking_result"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    freezer.move_to(NOW)
    disable_backoff(monkeypatch)


def _api_requests(fake: FakePlaytomic) -> list[Any]:
    return [r for r in fake.requests if not r.path.startswith("/_fake")]


def _target(entry: MockConfigEntry, tenant_id: str = NORTE_ID, day: str = "2026-03-03") -> dict:
    return {
        "config_entry_id": entry.entry_id,
        "tenant_id": tenant_id,
        "date": day,
        "window_start": "18:00:00",
        "window_end": "21:30:00",
        "duration": 90,
    }


@pytest.mark.parametrize(
    "day", ["9999-12-31", "0001-01-01", "2026-02-27", "2027-03-04", "2100-01-01"]
)
@pytest.mark.parametrize("service", ["book", "find_slots", "find_slots.end_date"])
async def test_dates_out_of_bounds_are_refused_before_any_request(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    service: str,
    day: str,
) -> None:
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.clear_requests()
    if service == "book":
        data = _target(mock_config_entry, day=day)
    elif service == "find_slots":
        data = {"config_entry_id": mock_config_entry.entry_id, "date": day}
    else:
        data = {"config_entry_id": mock_config_entry.entry_id, "end_date": day}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, service.split(".", maxsplit=1)[0], data, blocking=True, return_response=True
        )
    tally("action dates")
    assert err.value.translation_key == "date_out_of_range"
    assert err.value.translation_placeholders == {"first": "2026-03-01", "last": "2027-03-03"}
    assert _api_requests(fake_playtomic) == []


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
async def test_extreme_at_is_refused(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry, at: str
) -> None:
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.clear_requests()
    data = {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID, "at": at}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "book", data, blocking=True, return_response=True)
    tally("action dates")
    assert err.value.translation_key == "at_too_far"
    assert _api_requests(fake_playtomic) == []


async def test_failing_club_lookup_in_book_is_recorded_and_translated(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A one-off booking at a club not looked up yet, whose lookup fails."""
    calls = record_notify(hass)
    events = async_capture_events(hass, EVENT_BOOKING_FAILED)
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.fail("GET", f"^/v1/tenants/{RIVERSIDE_ID}", status=500, count=None)
    data = {**_target(mock_config_entry, RIVERSIDE_ID), "notify": ["mobile_app_alice_phone"]}

    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(DOMAIN, "book", data, blocking=True, return_response=True)
    await hass.async_block_till_done()

    assert err.value.translation_key == "reason_server_error"
    assert [e.data["reason"] for e in events] == ["server_error"]
    assert events[0].data["tenant_id"] == RIVERSIDE_ID
    assert len(calls) == 1
    assert calls[0]["title"].startswith("Booking failed")
    history = mock_config_entry.runtime_data.history.results
    assert [(r.outcome.value, r.reason) for r in history] == [("failed", "server_error")]


async def test_failing_club_lookup_on_book_now_is_recorded_and_translated(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    calls = record_notify(hass)
    events = async_capture_events(hass, EVENT_BOOKING_FAILED)
    await setup_integration(hass, mock_config_entry)
    mock_config_entry.runtime_data.availability._clubs.clear()  # the daily lookup is due
    fake_playtomic.fail("GET", f"^/v1/tenants/{NORTE_ID}$", status=503, count=None)

    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: BUTTON}, blocking=True)
    await hass.async_block_till_done()

    assert err.value.translation_key == "reason_server_error"
    state = hass.states.get(RESULT)
    assert state.state == "failed"
    assert state.attributes["reason"] == "server_error"
    assert [e.data["rule_id"] for e in events] == [RULE_SUBENTRY_ID]
    assert len(calls) == 1


async def test_a_bug_in_an_action_is_a_translated_internal_error(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await setup_integration(hass, mock_config_entry)
    client = mock_config_entry.runtime_data.client

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(client, "get_availability", broken)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "find_slots",
            {"config_entry_id": mock_config_entry.entry_id},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "reason_internal_error"
    assert "OverflowError" not in str(err.value)


async def test_a_bug_inside_a_booking_is_recorded_and_translated(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = async_capture_events(hass, EVENT_BOOKING_FAILED)
    await setup_integration(hass, mock_config_entry)
    client = mock_config_entry.runtime_data.client

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(client, "get_availability", broken)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: BUTTON}, blocking=True)
    await hass.async_block_till_done()
    assert err.value.translation_key == "reason_internal_error"
    assert [e.data["reason"] for e in events] == ["internal_error"]
    assert hass.states.get(RESULT).attributes["reason"] == "internal_error"
