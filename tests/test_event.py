"""The `booking` event entity of a rule: each announced attempt fires it with the outcome as the
event type and the bus event's data as attributes."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.playtomic.const import EVENT_BOOKING_FAILED, EVENT_BOOKING_SUCCEEDED
from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.engine.reasons import Reason
from custom_components.playtomic.results import async_report_result
from tests.const import ALICE_ID, NORTE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

EVENT = "event.weekday_evenings_booking"
BUTTON = "button.weekday_evenings_book_now"
NOW = "2026-03-02T09:00:00+00:00"  # Monday, 10:00 in Madrid


def _data_of(hass: HomeAssistant) -> dict[str, object]:
    """The event entity's attributes that repeat the bus event's data."""
    state = hass.states.get(EVENT)
    assert state is not None
    return {
        key: value
        for key, value in state.attributes.items()
        if key not in {"event_type", "event_types", "friendly_name"}
    }


async def _press(hass: HomeAssistant) -> None:
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: BUTTON}, blocking=True)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("dry_run", "courts_free", "event_type", "bus_event"),
    [
        (False, True, "booked", EVENT_BOOKING_SUCCEEDED),
        (True, True, "dry_run", EVENT_BOOKING_SUCCEEDED),
        (False, False, "no_slot", EVENT_BOOKING_FAILED),
    ],
    ids=["booked", "dry_run", "no_slot"],
)
async def test_a_book_now_press_fires_the_rule_event(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    dry_run: bool,
    courts_free: bool,
    event_type: str,
    bus_event: str,
) -> None:
    """An attempt against the fake server fires the rule's event: the outcome as the event type
    (a dry run is its own type and books nothing), the bus event's data as attributes."""
    freezer.move_to(NOW)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**mock_config_entry.options, "dry_run": dry_run}
    )
    bus = async_capture_events(hass, bus_event)
    await setup_integration(hass, mock_config_entry)
    before = hass.states.get(EVENT)
    assert before is not None
    assert before.state == STATE_UNKNOWN
    assert before.attributes["event_types"] == [outcome.value for outcome in Outcome]
    if not courts_free:
        fake_playtomic.respond("GET", "^/v1/availability$", status=200, json=[], count=None)

    await _press(hass)

    own = [m for m in fake_playtomic.matches if m.owner_id == ALICE_ID]
    state = hass.states.get(EVENT)
    assert state.state == "2026-03-02T09:00:00.000+00:00"
    assert state.attributes["event_type"] == event_type
    assert len(bus) == 1
    assert _data_of(hass) == bus[0].data
    assert bus[0].data["outcome"] == event_type
    assert bus[0].data["rule_id"] == RULE_SUBENTRY_ID
    assert bus[0].data["dry_run"] is dry_run
    if event_type == "booked":
        assert len(own) == 1
        assert bus[0].data["match_id"] == own[0].match_id
        assert bus[0].data["start"] == own[0].start.isoformat()
        assert "reason" not in bus[0].data
    else:
        assert own == []
        assert bus[0].data["match_id"] is None
    if event_type == "no_slot":
        assert bus[0].data["reason"] == "no_matching_slot"


@pytest.mark.parametrize("outcome", list(Outcome))
async def test_every_outcome_is_an_event_type(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    outcome: Outcome,
) -> None:
    """Each outcome fires its own declared event type (an undeclared one would raise)."""
    freezer.move_to(NOW)
    await setup_integration(hass, mock_config_entry)
    await async_report_result(
        hass,
        mock_config_entry,
        AttemptResult(outcome=outcome, rule_id=RULE_SUBENTRY_ID, tenant_id=NORTE_ID),
    )
    await hass.async_block_till_done()
    state = hass.states.get(EVENT)
    assert state.attributes["event_type"] == outcome.value
    assert state.attributes["outcome"] == outcome.value


@pytest.mark.parametrize(
    "result",
    [
        # The date was already ours: no bus event, no entity event.
        AttemptResult(
            outcome=Outcome.NO_SLOT,
            rule_id=RULE_SUBENTRY_ID,
            tenant_id=NORTE_ID,
            reason=Reason.ALREADY_BOOKED,
        ),
        # A one-off booking (no rule) and another rule's result leave this rule's event alone.
        AttemptResult(outcome=Outcome.BOOKED, rule_id=None, tenant_id=NORTE_ID),
        AttemptResult(outcome=Outcome.BOOKED, rule_id="another-rule", tenant_id=NORTE_ID),
    ],
    ids=["already_booked", "one_off", "other_rule"],
)
async def test_results_that_are_not_this_rules_event(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    result: AttemptResult,
) -> None:
    freezer.move_to(NOW)
    await setup_integration(hass, mock_config_entry)
    await async_report_result(hass, mock_config_entry, result)
    await hass.async_block_till_done()
    state = hass.states.get(EVENT)
    assert state.state == STATE_UNKNOWN
    assert "event_type" not in state.attributes or state.attributes["event_type"] is None
