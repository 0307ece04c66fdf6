"""Snapshots of every platform's entities (registry entry and state) and of the diagnostics.

They sit next to the wire-level tests: these catch an unintended change in what Home Assistant
stores and shows (ids, names, translation keys, device classes, attributes). Recorded on the stack
requirements_test.txt pins; other stacks compare against a stand-in (tests/conftest.py).
Update with `pytest tests/test_snapshots.py --snapshot-update` on that stack only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
import itertools
from typing import Any
from unittest.mock import PropertyMock, patch
import uuid

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.results import async_report_result
from tests.const import ALICE_ID, NORTE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Madrid


@pytest.fixture(autouse=True)
def numbered_uuids() -> Iterator[None]:
    """The fake's court and match ids come from uuid4: numbered instead, so snapshots are stable.

    Autouse, and defined before `scene`, so it is in place before the fake server is built.
    """
    numbers = itertools.count(1)
    with patch("uuid.uuid4", lambda: uuid.UUID(int=next(numbers))):
        yield


@pytest.fixture(autouse=True)
def scene(freezer: FrozenDateTimeFactory, fake_playtomic: FakePlaytomic) -> None:
    """A fixed morning with one own booking tomorrow evening."""
    freezer.move_to(NOW)
    club = fake_playtomic.clubs[NORTE_ID]
    fake_playtomic.book_directly(
        NORTE_ID, club.courts[0].resource_id, NOW + timedelta(days=1, hours=9), 90, ALICE_ID
    )


@pytest.fixture
def ha_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot extension (ids of registry entries read as ANY)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Entities disabled by default (diagnostic sensors) are snapshotted too."""
    with patch.object(
        Entity, "entity_registry_enabled_default", return_value=True, new_callable=PropertyMock
    ):
        yield


async def _with_a_result(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await async_report_result(
        hass,
        entry,
        AttemptResult(
            outcome=Outcome.BOOKED,
            rule_id=RULE_SUBENTRY_ID,
            tenant_id=NORTE_ID,
            club_name="Club Padel Norte",
            match_id="m1",
            finished_at=NOW,
        ),
    )
    await hass.async_block_till_done()


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize(
    "platform",
    [Platform.SENSOR, Platform.SWITCH, Platform.BUTTON, Platform.CALENDAR, Platform.EVENT],
)
async def test_platform_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    ha_snapshot: SnapshotAssertion,
    mock_config_entry: MockConfigEntry,
    platform: Platform,
) -> None:
    with patch("custom_components.playtomic.PLATFORMS", [platform]):
        await setup_integration(hass, mock_config_entry)
        await _with_a_result(hass, mock_config_entry)
        await snapshot_platform(hass, entity_registry, ha_snapshot, mock_config_entry.entry_id)


# The availability section depends on how the first polling rounds interleave with setup (which
# club-days, how many requests, the jittered interval): only its shape (and the type of the
# client's request count) is kept.
def _volatile(*, data: Any, path: Any) -> Any:
    if path and str(path[-1][0]) == "availability" and isinstance(data, dict):
        return sorted(data)
    if path and str(path[-1][0]) == "request_count":
        return type(data).__name__
    return data


async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    ha_snapshot: SnapshotAssertion,
    mock_config_entry: MockConfigEntry,
) -> None:
    await setup_integration(hass, mock_config_entry)
    await _with_a_result(hass, mock_config_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)
    assert diagnostics == ha_snapshot(matcher=_volatile)
