"""Diagnostics: useful summaries, and no secret or identifier of the account."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

import custom_components.playtomic as integration
from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.results import async_report_result
from tests.const import ALICE_EMAIL, ALICE_ID, ALICE_PASSWORD, NORTE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import record_notify, setup_integration


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    """A Monday morning."""
    freezer.move_to("2026-03-02T09:00:00+00:00")


async def test_diagnostics_redacts_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Summaries of every part, and none of the account's secrets or ids."""
    record_notify(hass)
    await setup_integration(hass, mock_config_entry)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.weekday_evenings_book_now"}, blocking=True
    )
    await hass.async_block_till_done()
    match_id = next(m.match_id for m in fake_playtomic.matches if m.owner_id == ALICE_ID)
    # An engine result carries intent ids in `extra`.
    await async_report_result(
        hass,
        mock_config_entry,
        AttemptResult(
            outcome=Outcome.OUTCOME_UNKNOWN,
            rule_id=RULE_SUBENTRY_ID,
            tenant_id=NORTE_ID,
            extra={"intent_ids": ["intent-secret-1"], "payment_intent_id": "intent-secret-2"},
        ),
    )

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)

    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["tokens"] == "**REDACTED**"
    assert diagnostics["entry"]["options"]["payment_methods"]
    assert diagnostics["subentries"][0]["data"]["window_start"] == "18:00:00"
    assert diagnostics["token_health"]["present"] is True
    assert diagnostics["matches"]["count"] == 1
    assert diagnostics["availability"]["rules"]
    assert diagnostics["last_results"][0]["outcome"] == "booked"
    assert diagnostics["last_results"][1]["extra"]["intent_ids"] == "**REDACTED**"
    assert diagnostics["client"]["request_count"] > 0
    plan = diagnostics["scheduler"]["next"][RULE_SUBENTRY_ID]
    next_attempt = hass.states.get("sensor.weekday_evenings_next_booking_attempt")
    assert plan["release_at"] == next_attempt.state
    assert "server_clock" in diagnostics["scheduler"]
    assert diagnostics["scheduler"]["loop_claim"] == {
        "max_hold_ms": 50.0,
        "pause_gc": True,
        "switch_interval_ms": 0.5,
    }
    # The rounds' hourly ceiling, and what they used of it (one club fetch, a round's days).
    requests = diagnostics["availability"]["requests"]
    assert requests["ceiling_per_hour"] == 30
    assert 2 <= requests["used_last_hour"] <= 30
    assert diagnostics["availability"]["round_interval_s"] >= 120
    assert diagnostics["watch"] == {
        "watched": {},
        "attempted": {},
        "running": 0,
        "bookings": 0,
        "paused": None,
    }

    text = repr(diagnostics)
    secrets = (ALICE_PASSWORD, ALICE_EMAIL, match_id, "intent-secret-1", "intent-secret-2")
    for secret in (*secrets, *fake_playtomic.issued_tokens):
        assert secret not in text
    assert f"'{ALICE_ID}'" not in text


async def test_diagnostics_while_the_entry_reloads(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Mid-reload the entry has no runtime data: diagnostics answer with the stored, redacted
    configuration (they used to answer 500), and with everything again once it is loaded."""
    await setup_integration(hass, mock_config_entry)
    # The request is made by hand: the helper waits for Home Assistant to be idle, which it is
    # not until the held reload ends.
    assert await async_setup_component(hass, "diagnostics", {})
    client = await hass_client()
    url = f"/api/diagnostics/config_entry/{mock_config_entry.entry_id}"
    real_setup = integration.async_setup_entry
    setting_up = asyncio.Event()
    go_on = asyncio.Event()

    async def held_setup(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        setting_up.set()
        await go_on.wait()
        return await real_setup(hass, entry)

    with patch.object(integration, "async_setup_entry", held_setup):
        reload = hass.async_create_task(
            hass.config_entries.async_reload(mock_config_entry.entry_id)
        )
        await setting_up.wait()
        assert mock_config_entry.state is ConfigEntryState.SETUP_IN_PROGRESS

        response = await client.get(url)
        assert response.status == HTTPStatus.OK
        diagnostics = (await response.json())["data"]

        go_on.set()
        assert await reload

    assert diagnostics["runtime"] is False
    assert diagnostics["entry"]["state"] == "setup_in_progress"
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["email"] == "**REDACTED**"
    assert diagnostics["entry"]["title"] == "**REDACTED**"
    assert diagnostics["subentries"][0]["data"]["window_start"] == "18:00:00"
    assert "token_health" not in diagnostics
    assert ALICE_PASSWORD not in str(diagnostics)
    assert ALICE_EMAIL not in str(diagnostics)

    loaded = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)
    assert loaded["runtime"] is True
    assert loaded["entry"]["state"] == "loaded"
    assert loaded["token_health"]["present"] is True
