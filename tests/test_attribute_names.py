"""Every state attribute a Playtomic entity shows has a translated name (en and es)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.const import DOMAIN
from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.results import async_report_result
from tests.const import ALICE_ID, NORTE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

TRANSLATIONS = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Attributes Home Assistant itself names (entity basics, and the calendar's event fields).
HA_ATTRIBUTES = {"friendly_name", "icon", "device_class", "options", "unit_of_measurement"}
HA_DOMAINS = {"calendar"}


def _names(lang: str) -> dict[str, Any]:
    return json.loads((TRANSLATIONS / f"{lang}.json").read_text(encoding="utf-8"))["entity"]


async def test_every_sensor_and_switch_attribute_is_translated(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
) -> None:
    freezer.move_to(NOW)
    club = fake_playtomic.clubs[NORTE_ID]
    fake_playtomic.book_directly(
        NORTE_ID, club.courts[0].resource_id, NOW + timedelta(days=1, hours=9), 90, ALICE_ID
    )
    await setup_integration(hass, mock_config_entry)
    await async_report_result(
        hass,
        mock_config_entry,
        AttemptResult(
            outcome=Outcome.BOOKED,
            rule_id=RULE_SUBENTRY_ID,
            tenant_id=NORTE_ID,
            club_name="Club Padel Norte",
            match_id="m1",
        ),
    )
    await hass.async_block_till_done()

    entries = er.async_entries_for_config_entry(er.async_get(hass), mock_config_entry.entry_id)
    seen: set[str] = set()
    missing: list[str] = []
    for lang in ("en", "es"):
        names = _names(lang)
        for entity in entries:
            if entity.domain in HA_DOMAINS or (state := hass.states.get(entity.entity_id)) is None:
                continue
            known = (
                names.get(entity.domain, {})
                .get(entity.translation_key, {})
                .get("state_attributes", {})
            )
            for attribute in set(state.attributes) - HA_ATTRIBUTES:
                seen.add(f"{entity.translation_key}.{attribute}")
                if "name" not in known.get(attribute, {}):
                    missing.append(f"{lang}: {entity.entity_id} {attribute}")
    assert missing == []
    # The walk met the attributes of every kind of sensor and the rule's booking event (it can fail).
    assert {
        "next_booking_attempt.target_date",
        "last_booking_result.match_id",
        "upcoming_booking.court",
        "token_expires.refresh_expires",
        "booking.event_type",
        "booking.match_id",
    } <= seen
