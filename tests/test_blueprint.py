"""The shipped blueprint: saved without a phone, it books a rule's next release through `book`.

Home Assistant loads `blueprints/automation/playtomic/book_at_release.yaml` from a configuration
directory as a user's copy would be, against the real integration (rule device, Next booking
attempt sensor); only `playtomic.book` is replaced by a recorder, so the test sees exactly what
the automation asks for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.playtomic.const import DOMAIN
from custom_components.playtomic.entity import RULE_DEVICE_MODEL_ID
from tests.const import RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import record_notify, setup_integration

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINTS = ROOT / "blueprints"
BLUEPRINT = BLUEPRINTS / "automation" / "playtomic" / "book_at_release.yaml"
NEXT_ATTEMPT = "sensor.weekday_evenings_next_booking_attempt"
# Tuesday 3 March 2026, 08:30 Madrid: the rule's next release (tests/test_sensor.py).
RELEASE = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
BOOKED = {
    "outcome": "booked",
    "court_name": "Pista 2",
    "local_start": "2026-03-17T18:00:00+01:00",
    "reason": None,
}


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    """Monday 2 March 2026, 10:00 in Madrid."""
    freezer.move_to("2026-03-02T09:00:00+00:00")


def _blueprint() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(BLUEPRINT)  # resolves !input as Home Assistant does
    return data


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every mapping in the YAML tree."""
    if isinstance(node, dict):
        return [node, *(m for value in node.values() for m in _walk(value))]
    if isinstance(node, list):
        return [m for item in node for m in _walk(item)]
    return []


def test_blueprint_uses_current_keys_and_no_device_action() -> None:
    """`triggers:`/`actions:`, a rule-device input, an optional action list instead of a phone."""
    data = _blueprint()
    assert {"triggers", "actions"} <= set(data)
    assert not {"trigger", "action", "condition"} & set(data)
    inputs = data["blueprint"]["input"]
    assert set(inputs) == {"rule", "notify"}
    assert inputs["rule"]["selector"] == {
        "device": {"filter": [{"integration": DOMAIN, "model_id": RULE_DEVICE_MODEL_ID}]}
    }
    assert "default" not in inputs["rule"]
    assert inputs["notify"]["selector"] == {"action": {}}
    assert inputs["notify"]["default"] == []
    # A device action fails validation when its device is left empty (issue 12).
    assert not [m for m in _walk(data) if "device_id" in m or m.get("type") == "notify"]


async def _automation(
    hass: HomeAssistant, tmp_path: Path, inputs: dict[str, Any]
) -> list[dict[str, Any]]:
    """The blueprint installed by copying it into the configuration directory, one automation
    saved from it, and `playtomic.book` recording its calls."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints")
    calls: list[dict[str, Any]] = []

    async def book(call: ServiceCall) -> dict[str, Any]:
        calls.append(dict(call.data))
        return BOOKED

    hass.services.async_register(DOMAIN, "book", book, supports_response=SupportsResponse.OPTIONAL)
    config = {
        AUTOMATION_DOMAIN: {
            "id": "playtomic_release",
            "alias": "Book at release",
            "use_blueprint": {"path": "playtomic/book_at_release.yaml", "input": inputs},
        }
    }
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, config)
    await hass.async_block_till_done()
    assert hass.states.get("automation.book_at_release").state == "on"
    return calls


@pytest.fixture
async def rule_device(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> dr.DeviceEntry:
    """Alice's entry set up on the fake; the device of its one rule."""
    await setup_integration(hass, mock_config_entry)
    assert hass.states.get(NEXT_ATTEMPT).state == RELEASE.isoformat()
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), mock_config_entry.entry_id)
    # The selector's filter matches the rule's device and not the account's.
    assert sorted(d.model_id or "" for d in devices) == ["", RULE_DEVICE_MODEL_ID]
    return next(d for d in devices if d.model_id == RULE_DEVICE_MODEL_ID)


async def _move(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done()


async def test_saved_without_phone_books_the_next_release(
    hass: HomeAssistant,
    rule_device: dr.DeviceEntry,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    """Only the rule chosen: a minute before the release it calls `book` with that instant."""
    calls = await _automation(hass, tmp_path, {"rule": rule_device.id})

    await _move(hass, freezer, datetime(2026, 3, 3, 7, 28, tzinfo=UTC))
    assert calls == []
    await _move(hass, freezer, datetime(2026, 3, 3, 7, 29, tzinfo=UTC))
    assert calls == [
        {
            "config_entry_id": mock_config_entry.entry_id,
            "rule": RULE_SUBENTRY_ID,
            "at": RELEASE.isoformat(),
        }
    ]
    assert hass.states.get("automation.book_at_release").attributes["last_triggered"]


async def test_chosen_notify_action_gets_the_message(
    hass: HomeAssistant, rule_device: dr.DeviceEntry, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    """The user's own action runs after the attempt, with a ready sentence in `message`."""
    phone = record_notify(hass, "my_phone")
    notify = [{"action": "notify.my_phone", "data": {"message": "{{ message }}"}}]
    calls = await _automation(hass, tmp_path, {"rule": rule_device.id, "notify": notify})

    await _move(hass, freezer, datetime(2026, 3, 3, 7, 29, tzinfo=UTC))
    assert len(calls) == 1
    assert phone == [{"message": "Booked Pista 2 on Tue 17 Mar 18:00."}]
