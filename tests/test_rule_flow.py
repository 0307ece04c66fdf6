"""Booking-rule subentry flow (add and edit a rule) and the rule form helpers.

The subentry flow works from the entry's stored credentials, so these tests never load the
integration: the entry is only added to Home Assistant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch
from zoneinfo import ZoneInfo

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.playtomic.api import Club, Court, PlaytomicClient, TokenPair
from custom_components.playtomic.const import SUBENTRY_BOOKING_RULE
from custom_components.playtomic.rule_entries import rule_of
from custom_components.playtomic.rule_schema import (
    club_durations,
    club_label,
    club_timezone,
    default_duration,
    distance_km,
    nearest_first,
    release_defaults,
    rule_form_values,
    validate_rule,
)
from tests.const import (
    ALICE_EMAIL,
    ALICE_ID,
    ALICE_PASSWORD,
    HOME,
    NORTE_ID,
    RIVERSIDE_ID,
    RULE_DATA,
    RULE_SUBENTRY_ID,
    TENNIS_RULE_SUBENTRY_ID,
)
from tests.fake_playtomic import FakeClub, FakePlaytomic
from tests.helpers import (
    form_defaults,
    form_fields,
    form_options,
    form_suggested,
    sectioned,
    setup_integration,
)

pytestmark = pytest.mark.usefixtures("home_in_madrid")


try:  # what Home Assistant sends the frontend: probatio from 2026.3, voluptuous_serialize before
    from probatio import to_field_list as serialize_schema
except ImportError:  # pragma: no cover - HA 2026.2
    from voluptuous_serialize import convert as serialize_schema

TRANSLATIONS = json.loads(
    (Path(__file__).parent.parent / "custom_components/playtomic/translations/en.json").read_text(
        encoding="utf-8"
    )
)


@pytest.fixture
def entry(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """Alice's account with one rule, added but not loaded."""
    mock_config_entry.add_to_hass(hass)
    return mock_config_entry


def defaults(result: Any) -> dict[str, Any]:
    return form_defaults(result)


def suggested(result: Any) -> dict[str, Any]:
    return form_suggested(result)


def option_values(result: Any, field: str) -> list[str]:
    return [
        option[0] if isinstance(option, tuple) else option for option in form_options(result, field)
    ]


async def start_add(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_BOOKING_RULE), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "club"
    return result


async def configure(hass: HomeAssistant, result: Any, user_input: dict[str, Any]) -> Any:
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], sectioned(user_input)
    )


def added_rules(entry: MockConfigEntry) -> list[Any]:
    return [sub for sub_id, sub in entry.subentries.items() if sub_id != RULE_SUBENTRY_ID]


# Adding a rule ----------------------------------------------------------------------------------


async def test_add_rule_at_rolling_club(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, entry: MockConfigEntry
) -> None:
    """A second rule at another club; the defaults follow that club's rolling window."""
    hass.services.async_register("notify", "mobile_app_bob_phone", AsyncMock())
    assert entry.state.value == "not_loaded"
    result = await start_add(hass, entry)
    assert result["errors"] == {}
    result = await configure(hass, result, {"query": "Riverside", "sport": "PADEL"})
    assert result["step_id"] == "club_select"
    assert option_values(result, "tenant_id") == [RIVERSIDE_ID]
    result = await configure(hass, result, {"tenant_id": RIVERSIDE_ID})
    assert result["step_id"] == "rule"
    assert result["description_placeholders"] == {
        "club": "Riverside Padel",
        "timezone": "Europe/London",
    }
    form_defaults = defaults(result)
    assert form_defaults["release_model"] == "rolling"
    assert form_defaults["rolling_minutes"] == 2880
    assert form_defaults["name"] == "Riverside Padel"
    assert option_values(result, "notify") == ["mobile_app_bob_phone"]

    result = await configure(
        hass,
        result,
        {"name": "London weekends", "weekdays": ["sat"], "notify": ["mobile_app_bob_phone"]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "London weekends"
    (rule,) = added_rules(entry)
    assert rule.title == "London weekends"
    assert rule.subentry_type == SUBENTRY_BOOKING_RULE
    assert dict(rule.data) == {
        "tenant_id": RIVERSIDE_ID,
        "club_name": "Riverside Padel",
        "club_timezone": "Europe/London",
        "name": "London weekends",
        "weekdays": ["sat"],
        "window_start": "18:00:00",
        "window_end": "21:30:00",
        "duration": 90,
        "preferred_start": None,
        "courts": [],
        "only_courts": False,
        "court_size": "doubles",
        "court_type": "any",
        "release_model": "rolling",
        "days_ahead": 2,
        "release_time": "08:30:00",
        "rolling_minutes": 2880,
        "auto_book": True,
        "notify": ["mobile_app_bob_phone"],
        "watch": True,
        "watch_open_dates": False,
        "watch_cutoff_hours": 2,
        "reminder_hours": 0,
        "sport": "PADEL",
    }
    # The existing rule is untouched.
    assert dict(entry.subentries[RULE_SUBENTRY_ID].data) == RULE_DATA
    # The entry had no tokens: the flow's login was stored at once.
    tokens = TokenPair.from_dict(entry.data["tokens"])
    assert tokens.user_id == ALICE_ID
    assert tokens.refresh_token in fake_playtomic.issued_tokens
    assert entry.data["password"] == ALICE_PASSWORD


async def test_add_rule_uses_and_rotates_stored_tokens(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, entry: MockConfigEntry
) -> None:
    """Stored tokens are used; when the flow has to refresh them, the new pair is stored."""
    client = PlaytomicClient(
        async_get_clientsession(hass), ALICE_EMAIL, ALICE_PASSWORD, base_url=fake_playtomic.url
    )
    old = await client.login()
    hass.config_entries.async_update_entry(entry, data={**entry.data, "tokens": old.to_dict()})
    fake_playtomic.expire_tokens()
    fake_playtomic.clear_requests()

    result = await configure(hass, await start_add(hass, entry), {"query": "Norte"})
    assert result["step_id"] == "club_select"
    assert not [r for r in fake_playtomic.requests if r.path == "/v3/auth/login"]
    new = TokenPair.from_dict(entry.data["tokens"])
    assert new.refresh_token != old.refresh_token
    assert new.refresh_token in fake_playtomic.issued_tokens


async def test_add_rule_to_a_loaded_entry_borrows_its_client(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A loaded account lends its client: no second session rotates the running one's tokens."""
    await setup_integration(hass, mock_config_entry)
    runtime_client = mock_config_entry.runtime_data.client
    before = runtime_client.request_count
    fake_playtomic.clear_requests()

    result = await configure(hass, await start_add(hass, mock_config_entry), {"query": "Norte"})

    assert result["step_id"] == "club_select"
    assert runtime_client.request_count > before
    auth_calls = [r for r in fake_playtomic.requests if r.path.startswith("/v3/auth/")]
    assert auth_calls == []


async def test_add_rule_invalid_window_recovers(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, entry: MockConfigEntry
) -> None:
    """A window too short for the duration stays on the rule form; a fixed one is stored.
    (The club steps' errors, shared with the account flow: tests/test_club_step.py.)"""
    result = await configure(hass, await start_add(hass, entry), {"query": "Norte"})
    result = await configure(hass, result, {"tenant_id": NORTE_ID})
    assert result["step_id"] == "rule"
    result = await configure(hass, result, {"window_end": "18:30:00"})
    assert result["errors"] == {"when": "invalid_window"}
    result = await configure(hass, result, {"window_end": "19:30:00"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert added_rules(entry)[0].data["window_end"] == "19:30:00"


# Editing a rule ---------------------------------------------------------------------------------


async def test_reconfigure_rule(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The edit form is prefilled with the rule; the club stays; the entry reloads."""
    result = await entry.start_subentry_reconfigure_flow(hass, RULE_SUBENTRY_ID)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {
        "club": "Club Padel Norte",
        "timezone": "Europe/Madrid",
    }
    assert "tenant_id" not in form_fields(result)
    assert suggested(result) == {
        "name": "Weekday evenings",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "window_start": "18:00:00",
        "window_end": "21:30:00",
        "duration": "90",
        "courts": [],
        # Stored before these fields existed: the courts list meant "only these", any size.
        "only_courts": True,
        "court_size": "any",
        "court_type": "any",
        "release_model": "daily_drop",
        "days_ahead": 14,
        "release_time": "08:30:00",
        "rolling_minutes": 20160,
        "auto_book": True,
        "notify": ["mobile_app_alice_phone"],
    }
    court_ids = option_values(result, "courts")

    edited = {
        **suggested(result),
        "name": "Late evenings",
        "window_start": "20:00:00",
        "window_end": "20:30:00",
    }
    result = await configure(hass, result, edited)
    assert result["errors"] == {"when": "invalid_window"}
    assert suggested(result)["name"] == "Late evenings"

    edited |= {
        "window_end": "23:00:00",
        "courts": [court_ids[2]],
        "preferred_start": "21:00",
        "only_courts": False,
    }
    result = await configure(hass, result, edited)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    rule = entry.subentries[RULE_SUBENTRY_ID]
    assert rule.title == "Late evenings"
    assert dict(rule.data) == {
        **RULE_DATA,
        "name": "Late evenings",
        "window_start": "20:00:00",
        "window_end": "23:00:00",
        "watch": True,
        "watch_open_dates": False,
        "watch_cutoff_hours": 2,
        "reminder_hours": 0,
        "courts": [court_ids[2]],
        "only_courts": False,
        "court_size": "any",
        "preferred_start": "21:00:00",
        "sport": "PADEL",
    }
    assert len(entry.subentries) == 1
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reconfigure_clears_preferred_start(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """An optional field left empty is stored as None; the stored sport is kept."""
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[RULE_SUBENTRY_ID],
        data={**RULE_DATA, "preferred_start": "19:00:00", "sport": "TENNIS"},
    )
    result = await entry.start_subentry_reconfigure_flow(hass, RULE_SUBENTRY_ID)
    assert suggested(result)["preferred_start"] == "19:00:00"
    values = {k: v for k, v in suggested(result).items() if k != "preferred_start"}
    result = await configure(hass, result, values)
    assert result["reason"] == "reconfigure_successful"
    data = entry.subentries[RULE_SUBENTRY_ID].data
    assert data["preferred_start"] is None
    assert data["sport"] == "TENNIS"


async def test_reconfigure_tennis_rule_offers_tennis_courts(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mixed_club: FakeClub,
    tennis_config_entry: MockConfigEntry,
) -> None:
    """The edit form of a tennis rule lists the club's tennis courts only."""
    tennis_config_entry.add_to_hass(hass)
    result = await tennis_config_entry.start_subentry_reconfigure_flow(
        hass, TENNIS_RULE_SUBENTRY_ID
    )
    assert result["step_id"] == "reconfigure"
    assert option_values(result, "courts") == [
        court.resource_id for court in mixed_club.courts if court.sport == "TENNIS"
    ]


@pytest.mark.parametrize(
    ("arrange", "reason"),
    [
        (lambda fake: fake.fail("GET", "^/v1/tenants/[^/]+$", status=404), "cannot_connect"),
        (lambda fake: fake.edge_block(), "edge_blocked"),
        (lambda fake: fake.fail("POST", "^/v3/auth/login$", status=401), "invalid_auth"),
    ],
    ids=["cannot_connect", "edge_blocked", "invalid_auth"],
)
async def test_reconfigure_rule_club_unavailable(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    entry: MockConfigEntry,
    arrange: Any,
    reason: str,
) -> None:
    """Without the club's courts the form cannot be built: the flow aborts with the reason."""
    arrange(fake_playtomic)
    result = await entry.start_subentry_reconfigure_flow(hass, RULE_SUBENTRY_ID)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert dict(entry.subentries[RULE_SUBENTRY_ID].data) == RULE_DATA


async def test_reconfigure_rule_unknown_error(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, entry: MockConfigEntry
) -> None:
    with patch.object(PlaytomicClient, "get_club", side_effect=Exception("boom")):
        result = await entry.start_subentry_reconfigure_flow(hass, RULE_SUBENTRY_ID)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unknown"


# Form helpers -----------------------------------------------------------------------------------


def make_club(
    *,
    limit: int | None = None,
    durations: tuple[tuple[int, ...], ...] = (),
    city: str | None = "Madrid",
    lat: float | None = None,
    lon: float | None = None,
    timezone_name: str | None = "Europe/Madrid",
) -> Club:
    return Club(
        tenant_id="t",
        name="Club",
        zone=ZoneInfo("Europe/Madrid"),
        timezone_name=timezone_name,
        city=city,
        latitude=lat,
        longitude=lon,
        booking_ahead_limit=limit,
        courts=tuple(
            Court(resource_id=f"r{index}", name=f"Court {index}", durations=allowed)
            for index, allowed in enumerate(durations)
        ),
    )


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (None, ("daily_drop", 14, 2880)),
        (0, ("daily_drop", 14, 2880)),
        (20160, ("daily_drop", 14, 20160)),
        (43200, ("daily_drop", 30, 43200)),
        (2880, ("rolling", 2, 2880)),
        (4320, ("rolling", 3, 4320)),
        (10000, ("rolling", 6, 10000)),
        (90, ("rolling", 1, 90)),
    ],
)
def test_release_defaults(limit: int | None, expected: tuple[str, int, int]) -> None:
    """A long whole-day horizon reads as a daily drop; a short or uneven one as rolling."""
    found = release_defaults(make_club(limit=limit))
    assert (found["release_model"], found["days_ahead"], found["rolling_minutes"]) == expected


def test_durations() -> None:
    assert club_durations(make_club()) == [60, 90, 120]
    assert club_durations(make_club(durations=((120, 60), (), (90,)))) == [60, 90, 120]
    assert default_duration([60, 90, 120]) == 90
    assert default_duration([60, 120]) == 60
    assert default_duration([30, 120]) == 120
    assert default_duration([45]) == 45


def test_club_presentation() -> None:
    assert club_label(make_club()) == "Club (Madrid)"
    assert club_label(make_club(city=None)) == "Club"
    assert club_timezone(make_club()) == "Europe/Madrid"
    assert club_timezone(make_club(timezone_name=None)) == "Europe/Madrid"


def test_nearest_first_puts_unknown_locations_last() -> None:
    nowhere = make_club()
    near = make_club(lat=40.42, lon=-3.70)
    far = make_club(lat=41.39, lon=2.17)  # Barcelona
    assert distance_km(HOME, nowhere) == float("inf")
    assert 500 < distance_km(HOME, far) < 510
    assert nearest_first([nowhere, far, near], HOME) == [near, far, nowhere]


def test_validate_rule_rejects_unreadable_time() -> None:
    with pytest.raises(vol.Invalid):
        validate_rule(
            {"weekdays": ["mon"], "window_start": "soon", "window_end": "21:00", "duration": 90}
        )


def test_rule_form_values() -> None:
    values = rule_form_values({**RULE_DATA, "preferred_start": None})
    assert values["when"]["duration"] == "90"
    assert "preferred_start" not in values["when"]
    assert not {"tenant_id", "club_name", "club_timezone"} & set(values)
    assert rule_form_values({"name": "Partial"}) == {
        "name": "Partial",
        "when": {"only_courts": True, "court_size": "any"},
        "release": {},
        "booking": {},
    }
    # Home Assistant's Rename changes the title only: the form shows the title.
    assert rule_form_values(RULE_DATA, "Renamed in HA")["name"] == "Renamed in HA"


async def test_second_rule_at_a_club_starts_from_its_release_settings(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, entry: MockConfigEntry
) -> None:
    """The club opens its slots one way: a new rule there takes the first rule's release."""
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[RULE_SUBENTRY_ID],
        data={**RULE_DATA, "days_ahead": 7, "release_time": "09:15:00"},
    )
    result = await configure(hass, await start_add(hass, entry), {"query": "Norte"})
    result = await configure(hass, result, {"tenant_id": NORTE_ID})
    form = defaults(result)
    assert (form["release_model"], form["days_ahead"], form["release_time"]) == (
        "daily_drop",
        7,
        "09:15:00",
    )
    result = await configure(hass, result, {"name": "Weekends", "weekdays": ["sat", "sun"]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (rule,) = added_rules(entry)
    assert (rule.data["days_ahead"], rule.data["release_time"]) == (7, "09:15:00")


async def test_rename_in_home_assistant_is_kept_by_the_next_edit(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """HA's Rename changes the subentry title only; the edit form and the rule follow it."""
    hass.config_entries.async_update_subentry(
        entry, entry.subentries[RULE_SUBENTRY_ID], title="Renamed in HA"
    )
    assert rule_of(entry, RULE_SUBENTRY_ID).name == "Renamed in HA"  # type: ignore[union-attr]
    result = await entry.start_subentry_reconfigure_flow(hass, RULE_SUBENTRY_ID)
    assert suggested(result)["name"] == "Renamed in HA"
    result = await configure(hass, result, {**suggested(result), "window_end": "22:00:00"})
    assert result["reason"] == "reconfigure_successful"
    rule = entry.subentries[RULE_SUBENTRY_ID]
    assert (rule.title, rule.data["name"], rule.data["window_end"]) == (
        "Renamed in HA",
        "Renamed in HA",
        "22:00:00",
    )


async def test_rule_form_as_the_frontend_receives_it(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, entry: MockConfigEntry
) -> None:
    """Three sections, weekday checkboxes, times without seconds, courts as a preference."""
    result = await configure(hass, await start_add(hass, entry), {"query": "Norte"})
    result = await configure(hass, result, {"tenant_id": NORTE_ID})
    serialized = serialize_schema(result["data_schema"], custom_serializer=cv.custom_serializer)
    assert [field["name"] for field in serialized] == ["name", "when", "release", "booking"]
    sections = {f["name"]: f for f in serialized if f.get("type") == "expandable"}
    assert all(field["expanded"] for field in sections.values())
    when = {field["name"]: field["selector"] for field in sections["when"]["schema"]}
    assert when["weekdays"]["select"]["mode"] == "list"  # checkboxes, several at once
    assert when["weekdays"]["select"]["multiple"] is True
    for name in ("window_start", "window_end", "preferred_start"):
        assert when[name] == {"time": {"no_second": True}}
    assert when["courts"]["select"]["mode"] == "dropdown"  # keeps the order picked
    assert "boolean" in when["only_courts"]
    assert when["court_size"]["select"]["options"] == ["doubles", "singles", "any"]
    release = [field["name"] for field in sections["release"]["schema"]]
    assert release == ["release_model", "days_ahead", "release_time", "rolling_minutes"]
    assert [field["name"] for field in sections["booking"]["schema"]] == [
        "auto_book",
        "notify",
        "watch",
        "watch_open_dates",
        "watch_cutoff_hours",
        "reminder_hours",
    ]
    # Every section and field has an English label.
    labels = TRANSLATIONS["config_subentries"]["booking_rule"]["step"]["rule"]["sections"]
    for name, section_field in sections.items():
        assert {f["name"] for f in section_field["schema"]} == set(labels[name]["data"])


def test_validate_rule_reads_a_midnight_end_as_midnight() -> None:
    """Regression: 22:00 to 00:00 is a two-hour evening window, not an empty one."""
    late = {
        "name": "Late",
        "weekdays": ["mon"],
        "window_start": "22:00:00",
        "window_end": "00:00:00",
    }
    assert validate_rule({**late, "duration": 90}) == {}
    assert validate_rule({**late, "duration": 150}) == {"window_end": "invalid_window"}
    assert validate_rule({**late, "duration": 90, "preferred_start": "22:30:00"}) == {}
    assert validate_rule({**late, "duration": 90, "preferred_start": "23:00:00"}) == {
        "preferred_start": "preferred_outside_window"
    }
