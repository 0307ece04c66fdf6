"""One way to build a client: the config flow and the runtime read a club the same way."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.const import SUBENTRY_BOOKING_RULE
from tests.const import NORTE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

HOME_ZONE = "Atlantic/Canary"


def drop_norte_zone(fake: FakePlaytomic) -> None:
    """Club Padel Norte answers without `address.timezone` (docs/playtomic-api.md §3 allows it)."""
    club = fake.clubs[NORTE_ID]
    tenant: dict[str, Any] = {
        "tenant_id": NORTE_ID,
        "tenant_name": club.name,
        "playtomic_status": "ACTIVE",
        "address": {"city": "Madrid"},
        "resources": [],
    }
    fake.respond("GET", f"^/v1/tenants/{NORTE_ID}$", json=tenant, count=None)


async def test_club_without_zone_is_read_in_the_home_zone_by_flow_and_runtime(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Regression: the flow read such a club in the home zone, the runtime in UTC."""
    await hass.config.async_set_time_zone(HOME_ZONE)
    drop_norte_zone(fake_playtomic)

    await setup_integration(hass, mock_config_entry)
    runtime_club = await mock_config_entry.runtime_data.availability.async_get_club(NORTE_ID)
    assert runtime_club.zone == ZoneInfo(HOME_ZONE)

    # The rule flow (a second rule at the same club) stores the zone the runtime reads in.
    result = await hass.config_entries.subentries.async_init(
        (mock_config_entry.entry_id, SUBENTRY_BOOKING_RULE), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"query": "Norte", "sport": "PADEL"}
    )
    if result["step_id"] == "club_select":
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"tenant_id": NORTE_ID}
        )
    assert result["description_placeholders"]["timezone"] == HOME_ZONE
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Canary evenings"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (added,) = [s for k, s in mock_config_entry.subentries.items() if k != RULE_SUBENTRY_ID]
    assert added.data["club_timezone"] == HOME_ZONE
