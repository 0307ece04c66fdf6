"""The club steps (search, then choose) that the account flow and the rule subentry flow share.

Every test runs once through each flow: the account flow (after its login) and the rule flow
(adding a rule to Alice's stored, not loaded, account). Both run against the fake server; only
`unknown` errors are produced by patching the client, because the fake cannot make the client
raise a plain Exception.
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.api import PlaytomicClient
from custom_components.playtomic.const import DOMAIN, SUBENTRY_BOOKING_RULE
from tests.const import ALICE_EMAIL, ALICE_PASSWORD, MIXED_ID, NORTE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import CourtSpec, FakeClub, FakePlaytomic, Rolling
from tests.helpers import form_defaults, form_options, form_suggested, sectioned

TENANTS = "^/v1/tenants$"
CLUB = "^/v1/tenants/[^/]+$"


@dataclass
class ClubFlow:
    """One of the two flows, driven from its club step to the created rule."""

    kind: str  # "account" or "rule"
    hass: HomeAssistant
    entry: MockConfigEntry

    async def start(self) -> Any:
        """The flow's club form (the account flow after a good login)."""
        if self.kind == "account":
            result = await self.hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_USER}
            )
            result = await self.configure(
                result, {"email": ALICE_EMAIL, "password": ALICE_PASSWORD}
            )
        else:
            self.entry.add_to_hass(self.hass)
            result = await self.hass.config_entries.subentries.async_init(
                (self.entry.entry_id, SUBENTRY_BOOKING_RULE), context={"source": SOURCE_USER}
            )
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "club"
        assert result["errors"] in ({}, None)
        return result

    async def configure(self, result: Any, user_input: dict[str, Any]) -> Any:
        manager = (
            self.hass.config_entries.flow
            if self.kind == "account"
            else self.hass.config_entries.subentries
        )
        return await manager.async_configure(result["flow_id"], sectioned(user_input))

    async def finish(self, result: Any, search: dict[str, Any] | None = None) -> dict[str, Any]:
        """From the club form (searching `search`, default: around home) to the created rule,
        choosing Club Padel Norte and the rule form's defaults; returns the stored rule."""
        assert result["step_id"] == "club"
        result = await self.configure(result, search or {})
        assert result["step_id"] == "club_select"
        return await self.choose(result, NORTE_ID)

    async def choose(self, result: Any, tenant_id: str) -> dict[str, Any]:
        """Choose the club on the select form, accept the rule form: the stored rule."""
        result = await self.configure(result, {"tenant_id": tenant_id})
        assert result["step_id"] == "rule"
        result = await self.configure(result, {})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        return self.created_rule(result)

    def created_rule(self, result: Any) -> dict[str, Any]:
        if self.kind == "account":
            (subentry,) = result["subentries"]
            return dict(subentry["data"])
        (rule,) = [s for s_id, s in self.entry.subentries.items() if s_id != RULE_SUBENTRY_ID]
        return dict(rule.data)


@pytest.fixture(params=["account", "rule"])
def club_flow(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    home_in_madrid: None,
    mock_setup_entry: AsyncMock,
) -> ClubFlow:
    """Each flow in turn, with home next to Club Padel Norte and the integration kept out."""
    return ClubFlow(request.param, hass, mock_config_entry)


def labels(result: Any, field: str = "tenant_id") -> list[str]:
    return [label for _, label in form_options(result, field)]


def values(result: Any, field: str = "tenant_id") -> list[str]:
    return [value for value, _ in form_options(result, field)]


async def test_clubs_near_home_nearest_first(
    club_flow: ClubFlow, fake_playtomic: FakePlaytomic
) -> None:
    """An empty query lists the clubs around home by distance, whatever order the API uses; the
    nearest is preselected and can be chosen."""
    fake_playtomic.add_club(
        "Padel Alcala", timezone="Europe/Madrid", city="Alcalá de Henares", lat=40.48, lon=-3.36
    )
    sol = fake_playtomic.add_club(
        "Padel Sol", timezone="Europe/Madrid", city="", lat=40.417, lon=-3.70
    )
    fake_playtomic.add_club("Padel Getafe", timezone="Europe/Madrid", lat=40.30, lon=-3.73)
    fake_playtomic.add_club("Padel Retiro", timezone="Europe/Madrid", lat=40.415, lon=-3.68)
    result = await club_flow.start()
    fake_playtomic.clear_requests()
    result = await club_flow.configure(result, {"query": ""})
    assert result["step_id"] == "club_select"
    assert labels(result) == [
        "Padel Sol",
        "Padel Retiro (Madrid)",
        "Club Padel Norte (Madrid)",
        "Padel Getafe (Madrid)",
        "Padel Alcala (Alcalá de Henares)",
    ]
    assert result["description_placeholders"] == {"count": "5"}
    assert form_defaults(result)["tenant_id"] == sol.tenant_id
    # The search asked the API for clubs around the home location.
    searches = [r for r in fake_playtomic.requests if r.path == "/v1/tenants"]
    assert searches[0].query["coordinate"] == "40.416800,-3.703800"
    rule = await club_flow.choose(result, sol.tenant_id)
    assert rule["tenant_id"] == sol.tenant_id
    assert rule["club_name"] == "Padel Sol"


async def test_no_clubs_found_then_search_again(
    club_flow: ClubFlow, fake_playtomic: FakePlaytomic
) -> None:
    """A search without results keeps the form (and the query) for another try."""
    result = await club_flow.start()
    result = await club_flow.configure(result, {"query": "Nowhere Padel", "sport": "PADEL"})
    assert result["step_id"] == "club"
    assert result["errors"] == {"base": "no_clubs_found"}
    assert form_suggested(result) == {"query": "Nowhere Padel", "sport": "PADEL"}
    # Another sport than the clubs offer finds nothing either.
    result = await club_flow.configure(result, {"query": "Norte", "sport": "TENNIS"})
    assert result["errors"] == {"base": "no_clubs_found"}
    assert (await club_flow.finish(result, {"query": "Norte"}))["tenant_id"] == NORTE_ID


@pytest.mark.parametrize(
    ("arrange", "error"),
    [
        # The rule flow logs in with the stored password here; the account flow, already
        # logged in, meets the refusal when its search is refused.
        (
            lambda fake: (
                fake.fail("POST", "^/v3/auth/login$", status=401),
                fake.fail("GET", TENANTS, status=401, count=3),
            ),
            "invalid_auth",
        ),
        (lambda fake: fake.fail("GET", TENANTS, status=400), "cannot_connect"),
        (lambda fake: fake.edge_block("GET", TENANTS, count=1), "edge_blocked"),
        (lambda fake: fake.malformed("GET", TENANTS), "cannot_connect"),
    ],
    ids=["invalid_auth", "cannot_connect", "edge_blocked", "malformed"],
)
async def test_club_search_errors_recover(
    club_flow: ClubFlow, fake_playtomic: FakePlaytomic, arrange: Any, error: str
) -> None:
    """API failures of the search show on the club form without a secret; a new submit retries
    at once (after an edge block the client pauses itself: the user's retry lifts the pause)."""
    result = await club_flow.start()
    arrange(fake_playtomic)
    result = await club_flow.configure(result, {"query": "Norte"})
    assert result["step_id"] == "club"
    assert result["errors"] == {"base": error}
    assert ALICE_PASSWORD not in repr(result)
    fake_playtomic.clear_faults()
    assert (await club_flow.finish(result, {"query": "Norte"}))["tenant_id"] == NORTE_ID


@pytest.mark.parametrize(
    ("arrange", "error"),
    [
        (lambda fake: fake.fail("GET", CLUB, status=404), "cannot_connect"),
        (lambda fake: fake.edge_block("GET", CLUB, count=1), "edge_blocked"),
        (lambda fake: fake.fail("GET", CLUB, status=401, count=3), "invalid_auth"),
    ],
    ids=["cannot_connect", "edge_blocked", "invalid_auth"],
)
async def test_club_select_errors_recover(
    club_flow: ClubFlow, fake_playtomic: FakePlaytomic, arrange: Any, error: str
) -> None:
    """Loading the chosen club can fail; the select form stays, with the same club chosen."""
    result = await club_flow.configure(await club_flow.start(), {})
    arrange(fake_playtomic)
    result = await club_flow.configure(result, {"tenant_id": NORTE_ID})
    assert result["step_id"] == "club_select"
    assert result["errors"] == {"base": error}
    assert form_suggested(result) == {"tenant_id": NORTE_ID}
    fake_playtomic.clear_faults()
    assert (await club_flow.choose(result, NORTE_ID))["tenant_id"] == NORTE_ID


async def test_unknown_errors_recover(
    club_flow: ClubFlow, fake_playtomic: FakePlaytomic, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected error of the search or of loading the club reads `unknown` on its form; the
    next submit goes on, and nothing secret reaches the log."""
    caplog.set_level(logging.DEBUG)
    result = await club_flow.start()
    with patch.object(PlaytomicClient, "search_clubs", side_effect=Exception("boom")):
        result = await club_flow.configure(result, {"query": "Norte"})
    assert result["step_id"] == "club"
    assert result["errors"] == {"base": "unknown"}
    result = await club_flow.configure(result, {"query": "Norte"})
    with patch.object(PlaytomicClient, "get_club", side_effect=Exception("boom")):
        result = await club_flow.configure(result, {"tenant_id": NORTE_ID})
    assert result["step_id"] == "club_select"
    assert result["errors"] == {"base": "unknown"}
    assert (await club_flow.choose(result, NORTE_ID))["tenant_id"] == NORTE_ID
    assert ALICE_PASSWORD not in caplog.text
    for token in fake_playtomic.issued_tokens:
        assert token not in caplog.text


async def test_duration_default_is_nearest_allowed(
    club_flow: ClubFlow, fake_playtomic: FakePlaytomic
) -> None:
    """Durations are the union over the courts; without 90 the nearest (shorter on a tie) wins,
    and the release defaults follow the club's rolling window."""
    club = fake_playtomic.add_club(
        "Padel Corto",
        timezone="Europe/Madrid",
        city="Madrid",
        lat=40.42,
        lon=-3.70,
        courts=[CourtSpec("A", durations=(60,)), CourtSpec("B", durations=(120, 60))],
        release=Rolling(minutes=1000),
    )
    result = await club_flow.configure(await club_flow.start(), {"query": "Corto"})
    result = await club_flow.configure(result, {"tenant_id": club.tenant_id})
    assert form_options(result, "duration") == [("60", "60 min"), ("120", "120 min")]
    defaults = form_defaults(result)
    assert defaults["duration"] == "60"
    assert defaults["release_model"] == "rolling"
    assert defaults["rolling_minutes"] == 1000
    assert defaults["days_ahead"] == 1


async def test_tennis_rule_at_a_club_with_padel_and_tennis_courts(
    club_flow: ClubFlow, fake_playtomic: FakePlaytomic, mixed_club: FakeClub
) -> None:
    """The sport picked in the club step searches clubs, shapes the rule form and is stored."""
    result = await club_flow.start()
    fake_playtomic.clear_requests()
    result = await club_flow.configure(result, {"query": "", "sport": "tennis"})
    # Club Padel Norte, nearer home, has no tennis court.
    assert form_options(result, "tenant_id") == [(MIXED_ID, "Raqueta Mixta (Madrid)")]
    searches = [r for r in fake_playtomic.requests if r.path == "/v1/tenants"]
    assert {r.query["sport_id"] for r in searches} == {"TENNIS"}
    result = await club_flow.configure(result, {"tenant_id": MIXED_ID})
    assert result["step_id"] == "rule"
    # Only the tennis courts and their durations are offered.
    assert labels(result, "courts") == ["Tenis 1", "Tenis 2"]
    assert form_options(result, "duration") == [("60", "60 min"), ("120", "120 min")]
    result = await club_flow.configure(result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    rule = club_flow.created_rule(result)
    assert rule["tenant_id"] == mixed_club.tenant_id
    assert rule["sport"] == "TENNIS"
    assert rule["duration"] == 60
