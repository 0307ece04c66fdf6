"""A secrets scan over everything a hostile session produces: logs (debug level), diagnostics,
events, notifications, raised errors, stored results and sensor states.

The session runs the paths of this suite that fail in interesting ways (crafted ids, refused
login, server errors, rate limits, oversized and malformed answers, a booking), then looks for
the password and every token the fake ever issued in all of it.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.playtomic.const import DOMAIN
from tests.attack.tally import tally
from tests.const import ALICE_EMAIL, ALICE_PASSWORD, NORTE_ID, RIVERSIDE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import disable_backoff, record_notify, setup_integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BUTTON = "button.weekday_evenings_book_now"
NEW_PASSWORD = "n3w-s3cret-pa55word"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Frozen before the HTTP client's token is made (diagnostics are fetched over HTTP)."""
    freezer.move_to(NOW)
    disable_backoff(monkeypatch)


async def _try(hass: HomeAssistant, errors: list[str], *call: Any, **kwargs: Any) -> None:
    try:
        await hass.services.async_call(*call, blocking=True, **kwargs)
    except HomeAssistantError as err:
        errors.append(f"{type(err).__name__}: {err} {err.translation_placeholders}")


async def test_no_secret_in_anything_a_hostile_session_produces(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    calls = record_notify(hass)
    events: list[Event] = []
    hass.bus.async_listen("*", events.append)
    errors: list[str] = []
    await setup_integration(hass, mock_config_entry)
    entry = mock_config_entry.entry_id
    one_off = {
        "config_entry_id": entry,
        "tenant_id": NORTE_ID,
        "date": "2026-03-03",
        "window_start": "18:00:00",
        "window_end": "21:30:00",
        "duration": 90,
        "notify": ["mobile_app_alice_phone"],
    }

    # A booking, then the same day again (already booked).
    await _try(hass, errors, DOMAIN, "book", one_off, return_response=True)
    await _try(hass, errors, DOMAIN, "book", one_off, return_response=True)
    # Crafted ids and dates.
    for value in ("nope/../x", "%2e%2e", "a?b#c", "x" * 500):
        await _try(
            hass, errors, DOMAIN, "cancel_booking", {"config_entry_id": entry, "match_id": value}
        )
        await _try(
            hass,
            errors,
            DOMAIN,
            "find_slots",
            {"config_entry_id": entry, "tenant_id": value},
            return_response=True,
        )
    await _try(
        hass, errors, DOMAIN, "book", {**one_off, "date": "9999-12-31"}, return_response=True
    )
    # Server trouble on every path.
    fake_playtomic.fail("GET", "^/v1/availability", status=500, count=2)
    await _try(hass, errors, DOMAIN, "find_slots", {"config_entry_id": entry}, return_response=True)
    fake_playtomic.rate_limit("GET", "^/v1/availability", retry_after="99999", count=None)
    await _try(hass, errors, DOMAIN, "find_slots", {"config_entry_id": entry}, return_response=True)
    fake_playtomic.clear_faults()
    fake_playtomic.malformed("GET", f"^/v1/tenants/{RIVERSIDE_ID}", count=None)
    await _try(
        hass, errors, DOMAIN, "book", {**one_off, "tenant_id": RIVERSIDE_ID}, return_response=True
    )
    fake_playtomic.edge_block("POST", "^/v1/payment_intents$")
    await _try(hass, errors, "button", "press", {ATTR_ENTITY_ID: BUTTON})
    fake_playtomic.clear_faults()
    # The login goes bad: refresh and login refused.
    fake_playtomic.accounts[ALICE_EMAIL].password = NEW_PASSWORD
    fake_playtomic.expire_tokens()
    fake_playtomic.expire_tokens(refresh=True)
    await _try(
        hass,
        errors,
        DOMAIN,
        "book",
        {"config_entry_id": entry, "rule": RULE_SUBENTRY_ID},
        return_response=True,
    )
    await _try(hass, errors, "button", "press", {ATTR_ENTITY_ID: BUTTON})
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)
    produced = {
        "logs": caplog.text,
        "diagnostics": json.dumps(diagnostics, default=str),
        "events": json.dumps([e.data for e in events], default=str),
        "notifications": json.dumps(calls, default=str),
        "errors": "\n".join(errors),
        "history": json.dumps(
            [r.as_dict() for r in mock_config_entry.runtime_data.history.results], default=str
        ),
        "states": json.dumps([s.as_dict() for s in hass.states.async_all()], default=str),
    }
    secrets = [ALICE_PASSWORD, NEW_PASSWORD, *fake_playtomic.issued_tokens]
    assert len(secrets) > 3  # tokens were issued: the scan looks for something real
    # Every channel produced something to look at.
    assert errors
    assert events
    assert calls
    assert caplog.text
    leaks = [
        (where, secret[:6])
        for where, text in produced.items()
        for secret in secrets
        if secret and secret in text
    ]
    for where, text in produced.items():
        tally(f"secrets scan: {where} (chars)", count=len(text))
    tally("secrets scan: secrets looked for", count=len(secrets))
    assert leaks == []
