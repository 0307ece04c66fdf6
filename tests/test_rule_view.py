"""Each rule entity computes its view (rule, slots, plan, last result) once per state write."""

from __future__ import annotations

from collections import Counter

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.entity import PlaytomicRuleEntity, RuleView
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration


async def test_one_view_per_state_write(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await setup_integration(hass, mock_config_entry)
    rule_entities = [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), mock_config_entry.entry_id
        )
        if entity.config_subentry_id
    ]
    assert len(rule_entities) >= 5  # three sensors, the switches and the button

    computed: Counter[str] = Counter()
    original = PlaytomicRuleEntity._compute_view

    def counting(self: PlaytomicRuleEntity) -> RuleView | None:
        computed[self.entity_id] += 1
        return original(self)

    monkeypatch.setattr(PlaytomicRuleEntity, "_compute_view", counting)
    before = {entity_id: hass.states.get(entity_id).last_reported for entity_id in rule_entities}
    mock_config_entry.runtime_data.availability.async_update_listeners()
    await hass.async_block_till_done()

    assert computed == Counter(dict.fromkeys(rule_entities, 1))
    # ... and every one of them did write its state.
    assert all(hass.states.get(e).last_reported != before[e] for e in rule_entities)
