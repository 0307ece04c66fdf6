"""Adding the integration the way a user does, over Home Assistant's REST config-flow API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from .hass_api import HassApi, HassWebSocket

DOMAIN = "playtomic"
# The fake's demo scenario (tests/fake_playtomic/README.md).
DEMO_EMAIL = "demo@playtomic.invalid"
DEMO_PASSWORD = "padel-demo-2026"
DEMO_USER_ID = "demo-user-1"
MADRID_TENANT_ID = "6f1c2a8e-4b1d-4c55-9a0e-0d5b7c3e2a11"
MADRID_ZONE = "Europe/Madrid"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# notify's built-in action: a real notify target every Home Assistant has.
NOTIFY_TARGET = "persistent_notification"


@dataclass(frozen=True)
class Release:
    """The release model the rule is told about (it must match the fake club's)."""

    days_ahead: int
    at: time  # club-local, whole seconds


@dataclass(frozen=True)
class AddedEntry:
    """The entry the flow created."""

    entry_id: str
    rule_id: str
    result: dict[str, Any]


def rule_input(
    *, weekdays: list[str], release: Release, name: str, auto_book: bool = True
) -> dict[str, Any]:
    """The `rule` step's sections: an evening window, 90 minutes, any doubles court."""
    return {
        "name": name,
        "when": {
            "weekdays": weekdays,
            "window_start": "18:00:00",
            "window_end": "21:30:00",
            "duration": "90",
            "courts": [],
            "only_courts": False,
            "court_size": "doubles",
            "court_type": "any",
        },
        "release": {
            "release_model": "daily_drop",
            "days_ahead": release.days_ahead,
            "release_time": release.at.isoformat(),
            "rolling_minutes": release.days_ahead * 1440,
        },
        "booking": {"auto_book": auto_book, "notify": [NOTIFY_TARGET]},
    }


def expect_form(result: dict[str, Any], step_id: str) -> None:
    """Fail with the flow's own answer unless it shows the form `step_id` without errors."""
    assert result.get("type") == "form", result
    assert result.get("step_id") == step_id, result
    assert not result.get("errors"), result


async def add_entry_until_rule(api: HassApi) -> str:
    """Steps user → club → club_select; returns the flow id waiting at the `rule` form."""
    flow = await api.start_flow(DOMAIN)
    expect_form(flow, "user")
    flow_id: str = flow["flow_id"]
    result = await api.flow_step(flow_id, {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    expect_form(result, "club")
    result = await api.flow_step(flow_id, {"query": "Norte", "sport": "PADEL"})
    expect_form(result, "club_select")
    result = await api.flow_step(flow_id, {"tenant_id": MADRID_TENANT_ID})
    expect_form(result, "rule")
    sections = {
        field["name"]: [inner["name"] for inner in field["schema"]]
        for field in result["data_schema"]
        if field.get("type") == "expandable"
    }
    assert "release_time" in sections.get("release", []), sections
    assert "notify" in sections.get("booking", []), sections
    return flow_id


async def finish_rule(api: HassApi, flow_id: str, fields: dict[str, Any]) -> AddedEntry:
    """Submit the `rule` step; the entry must be created and loaded."""
    result = await api.flow_step(flow_id, fields)
    assert result.get("type") == "create_entry", result
    entry = result["result"]
    assert entry["state"] == "loaded", result
    entries = await api.entries(DOMAIN)
    assert [e["entry_id"] for e in entries] == [entry["entry_id"]], entries
    rule_ids = await rule_subentry_ids(api, entry["entry_id"])
    assert len(rule_ids) == 1, rule_ids
    return AddedEntry(entry_id=entry["entry_id"], rule_id=rule_ids[0], result=result)


async def rule_subentry_ids(api: HassApi, entry_id: str) -> list[str]:
    """Ids of the entry's booking-rule subentries."""
    async with HassWebSocket(api) as ws:
        subentries = await ws.command(
            {"type": "config_entries/subentries/list", "entry_id": entry_id}
        )
    return [s["subentry_id"] for s in subentries if s["subentry_type"] == "booking_rule"]


async def entity_ids(api: HassApi) -> dict[str, str]:
    """The integration's entity ids by translation key (from the entity registry)."""
    async with HassWebSocket(api) as ws:
        registry = await ws.command({"type": "config/entity_registry/list"})
    return {
        item["translation_key"]: item["entity_id"]
        for item in registry
        if item["platform"] == DOMAIN and item.get("translation_key")
    }


def weekday(day: date) -> str:
    """The rule-form weekday key of a date."""
    return WEEKDAYS[day.weekday()]
