"""`playtomic.check_api`: a read-only self-check of every endpoint the integration reads."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.playtomic.const import DOMAIN
from tests.const import ALICE_ID, NORTE_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

BUTTON = "button.playtomic_alice_check_the_api"
ENDPOINTS = ["profile", "club", "courts", "availability", "matches"]


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    """A Monday morning."""
    freezer.move_to("2026-03-02T09:00:00+00:00")


async def _check(hass: HomeAssistant, entry: MockConfigEntry, **data: str) -> dict:
    return await hass.services.async_call(  # type: ignore[return-value]
        DOMAIN,
        "check_api",
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"api_shape_mismatch_{entry.entry_id}")


async def test_every_endpoint_answers_in_shape_and_nothing_is_booked(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.clear_requests()

    report = await _check(hass, mock_config_entry)

    assert [(e["endpoint"], e["result"]) for e in report["endpoints"]] == [
        (name, "ok") for name in ENDPOINTS
    ]
    asked = [(r.method, r.path) for r in fake_playtomic.requests]
    assert ("GET", "/v2/users/me") in asked
    assert ("GET", f"/v1/tenants/{NORTE_ID}") in asked
    assert ("GET", f"/v1/tenants/{NORTE_ID}/resources") in asked
    assert ("GET", "/v1/availability") in asked
    assert ("GET", "/v1/matches") in asked
    assert all(method == "GET" for method, _path in asked)  # no intent, no booking
    assert not fake_playtomic.intents
    assert _issue(hass, mock_config_entry) is None


async def test_shape_mismatch_is_reported_explained_and_cleared(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
) -> None:
    await setup_integration(hass, mock_config_entry)
    # The club answers without an id, and a match names no owner or player.
    fake_playtomic.respond("GET", f"^/v1/tenants/{NORTE_ID}$", json={"tenant_name": "Norte"})
    fake_playtomic.respond(
        "GET",
        "^/v1/matches$",
        json=[
            {
                "match_id": "m1",
                "status": "CONFIRMED",
                "start_date": "2026-03-03T17:00:00",
                "end_date": "2026-03-03T18:30:00",
            }
        ],
    )

    report = await _check(hass, mock_config_entry)

    results = {e["endpoint"]: e for e in report["endpoints"]}
    assert results["club"]["result"] == "shape_mismatch"
    assert "tenant_id" in results["club"]["detail"]
    assert results["availability"]["result"] == "skipped"  # no club to ask about
    assert results["matches"]["result"] == "shape_mismatch"
    assert results["matches"]["detail"] == "1 of 1 matches name no owner or player"
    assert results["profile"]["result"] == results["courts"]["result"] == "ok"
    issue = _issue(hass, mock_config_entry)
    assert issue is not None
    assert issue.translation_key == "api_shape_mismatch"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert "club (" in issue.translation_placeholders["endpoints"]
    assert "matches (" in issue.translation_placeholders["endpoints"]

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)
    assert diagnostics["api_check"]["endpoints"] == report["endpoints"]
    assert ALICE_ID not in str(diagnostics["api_check"])

    # Once everything answers in shape again, the issue goes away.
    report = await _check(hass, mock_config_entry)
    assert {e["result"] for e in report["endpoints"]} == {"ok"}
    assert _issue(hass, mock_config_entry) is None


async def test_failures_are_reported_not_raised(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.fail("GET", "^/v1/availability$", status=500, count=None)

    report = await _check(hass, mock_config_entry)

    results = {e["endpoint"]: e for e in report["endpoints"]}
    assert results["availability"]["result"] == "failed"
    assert results["availability"]["error"] == "PlaytomicApiError"
    assert _issue(hass, mock_config_entry) is None  # a failure is not a shape mismatch


async def test_diagnostic_button_runs_the_check(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.respond("GET", "^/v2/users/me$", json={"full_name": "Alice"})
    fake_playtomic.clear_requests()

    await hass.services.async_call("button", "press", {"entity_id": BUTTON}, blocking=True)

    assert any(r.path == "/v2/users/me" for r in fake_playtomic.requests)
    issue = _issue(hass, mock_config_entry)
    assert issue is not None
    assert issue.translation_placeholders["endpoints"].startswith("profile (")
    assert mock_config_entry.runtime_data.api_check is not None


async def test_bad_club_id_is_refused(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    from homeassistant.exceptions import ServiceValidationError

    await setup_integration(hass, mock_config_entry)
    with pytest.raises(ServiceValidationError):
        await _check(hass, mock_config_entry, tenant_id="../../v1/payment_intents")
