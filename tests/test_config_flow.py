"""Account config flow, reauth, reconfigure and options of the Playtomic integration.

Every flow runs against the fake Playtomic server over loopback; only `unknown` errors are
produced by patching the client, because the fake cannot make the client raise a plain Exception.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.api import PlaytomicClient, TokenPair
from custom_components.playtomic.const import DOMAIN, ENV_API_URL, SUBENTRY_BOOKING_RULE
from tests.const import ALICE_EMAIL, ALICE_ID, ALICE_PASSWORD, NORTE_ID, RIVERSIDE_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import form_defaults, form_fields, form_options, form_suggested, sectioned

pytestmark = pytest.mark.usefixtures("home_in_madrid")

BOB_EMAIL = "bob@example.com"
BOB_PASSWORD = "bobs-own-secret-pw"
BOB_ID = "2002"
EN_JSON = Path(__file__).parent.parent / "custom_components/playtomic/translations/en.json"
TRANSLATIONS = json.loads(EN_JSON.read_text(encoding="utf-8"))

NORTE_DEFAULT_RULE: dict[str, Any] = {
    "tenant_id": NORTE_ID,
    "club_name": "Club Padel Norte",
    "club_timezone": "Europe/Madrid",
    "name": "Club Padel Norte",
    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
    "window_start": "18:00:00",
    "window_end": "21:30:00",
    "duration": 90,
    "preferred_start": None,
    "courts": [],
    "only_courts": False,
    "court_size": "doubles",
    "court_type": "any",
    "release_model": "daily_drop",
    "days_ahead": 14,
    "release_time": "08:30:00",
    "rolling_minutes": 20160,
    "auto_book": True,
    "notify": [],
    "watch": True,
    "watch_open_dates": False,
    "watch_cutoff_hours": 2,
    "reminder_hours": 0,
    "sport": "PADEL",
}


def markers(result: Any) -> dict[str, Any]:
    return {name: marker for name, (marker, _) in form_fields(result).items()}


def defaults(result: Any) -> dict[str, Any]:
    return form_defaults(result)


def suggested(result: Any) -> dict[str, Any]:
    return form_suggested(result)


def select_options(result: Any, field: str) -> list[Any]:
    return form_options(result, field)


def assert_no_secret(result: Any, *secrets: str) -> None:
    """Nothing the frontend receives carries a secret."""
    text = repr(result.get("description_placeholders")) + repr(result.get("errors"))
    for secret in secrets:
        assert secret not in text


async def start(hass: HomeAssistant) -> Any:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result


async def login(hass: HomeAssistant, flow_id: str, password: str = ALICE_PASSWORD) -> Any:
    return await hass.config_entries.flow.async_configure(
        flow_id, {"email": ALICE_EMAIL, "password": password}
    )


async def finish(hass: HomeAssistant, result: Any) -> Any:
    """From the club step to the created entry with Norte and the default rule."""
    assert result["step_id"] == "club"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "club_select"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"tenant_id": NORTE_ID}
    )
    assert result["step_id"] == "rule"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return result


def only_entry(hass: HomeAssistant) -> ConfigEntry:
    entries = hass.config_entries.async_entries(DOMAIN)
    assert len(entries) == 1
    return entries[0]


def make_entry(
    hass: HomeAssistant, *, password: str = "an-outdated-password", unique_id: str = ALICE_ID
) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=ALICE_EMAIL,
        unique_id=unique_id,
        data={"email": ALICE_EMAIL, "password": password, "user_id": unique_id},
        options={"payment_methods": ["zero_amount", "at_club"], "dry_run": False},
    )
    entry.add_to_hass(hass)
    return entry


# Account and first rule -------------------------------------------------------------------------


async def test_full_flow_with_defaults(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    """Sign in, take the club near home and the default rule: the entry holds it all."""
    result = await start(hass)
    assert result["errors"] == {}
    assert set(markers(result)) == {"email", "password"}
    fields = result["data_schema"].schema
    email_config = fields[markers(result)["email"]].config
    assert (email_config["type"], email_config["autocomplete"]) == ("email", "email")
    password_config = fields[markers(result)["password"]].config
    assert (password_config["type"], password_config["autocomplete"]) == (
        "password",
        "current-password",
    )

    result = await login(hass, result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "club"
    assert result["errors"] == {}
    # Lower-case option values are translation keys: the labels come from selector.sport.
    assert defaults(result) == {"sport": "padel"}
    assert select_options(result, "sport") == list(TRANSLATIONS["selector"]["sport"]["options"])
    assert result["data_schema"].schema[markers(result)["sport"]].config["translation_key"] == (
        "sport"
    )

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "club_select"
    # The 50 km search around home finds Norte only; London is far away.
    assert select_options(result, "tenant_id") == [(NORTE_ID, "Club Padel Norte (Madrid)")]
    assert result["description_placeholders"] == {"count": "1"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"tenant_id": NORTE_ID}
    )
    assert result["step_id"] == "rule"
    assert result["description_placeholders"] == {
        "club": "Club Padel Norte",
        "timezone": "Europe/Madrid",
    }
    # Defaults fit the common case and the club: a 14-day daily drop (20160 minutes ahead).
    assert defaults(result) == {
        "name": "Club Padel Norte",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "window_start": "18:00:00",
        "window_end": "21:30:00",
        "duration": "90",
        "courts": [],
        "only_courts": False,
        "court_size": "doubles",
        "court_type": "any",
        "release_model": "daily_drop",
        "days_ahead": 14,
        "release_time": "08:30:00",
        "rolling_minutes": 20160,
        "auto_book": True,
        "notify": [],
        "watch": True,
        "watch_open_dates": False,
        "watch_cutoff_hours": 2,
        "reminder_hours": 0,
    }
    assert select_options(result, "duration") == [
        ("60", "60 min"),
        ("90", "90 min"),
        ("120", "120 min"),
    ]
    assert [label for _, label in select_options(result, "courts")] == [
        "Pista 1",
        "Pista 2",
        "Pista 3",
        "Pista 4",
    ]
    assert select_options(result, "court_type") == ["any", "indoor", "outdoor"]
    assert select_options(result, "release_model") == ["daily_drop", "rolling"]

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == ALICE_EMAIL
    assert result["context"]["unique_id"] == ALICE_ID
    await hass.async_block_till_done()

    entry = only_entry(hass)
    assert entry.unique_id == ALICE_ID
    assert entry.title == ALICE_EMAIL
    assert entry.data["email"] == ALICE_EMAIL
    assert entry.data["password"] == ALICE_PASSWORD
    assert entry.data["user_id"] == ALICE_ID
    tokens = TokenPair.from_dict(entry.data["tokens"])
    assert tokens.user_id == ALICE_ID
    assert tokens.access_token in fake_playtomic.issued_tokens
    assert tokens.refresh_token in fake_playtomic.issued_tokens
    assert dict(entry.options) == {
        "payment_methods": ["zero_amount", "offer", "wallet", "at_club"],
        "dry_run": False,
    }
    (subentry,) = entry.subentries.values()
    assert subentry.subentry_type == SUBENTRY_BOOKING_RULE
    assert subentry.title == "Club Padel Norte"
    assert subentry.unique_id is None
    assert dict(subentry.data) == NORTE_DEFAULT_RULE
    assert len(mock_setup_entry.mock_calls) == 1


async def test_full_flow_custom_rule_at_rolling_club(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    """A name search finds a rolling club: the form proposes the rolling model; input is stored."""
    for service in ("mobile_app_alice_phone", "send_message"):
        hass.services.async_register("notify", service, AsyncMock())

    result = await login(hass, (await start(hass))["flow_id"])
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"query": "  riverside ", "sport": "padel"}
    )
    assert result["step_id"] == "club_select"
    assert select_options(result, "tenant_id") == [(RIVERSIDE_ID, "Riverside Padel (London)")]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"tenant_id": RIVERSIDE_ID}
    )
    assert result["step_id"] == "rule"
    form_defaults = defaults(result)
    # booking_ahead_limit 2880 is a 48 h rolling window.
    assert form_defaults["release_model"] == "rolling"
    assert form_defaults["rolling_minutes"] == 2880
    assert form_defaults["days_ahead"] == 2
    # The notify entity action needs a target entity, so it is not offered.
    assert select_options(result, "notify") == ["mobile_app_alice_phone"]
    courts = [value for value, _ in select_options(result, "courts")]
    assert len(courts) == 2

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        sectioned(
            {
                "name": " Weekend mornings ",
                "weekdays": ["sun", "sat"],
                "window_start": "09:00",
                "window_end": "12:00:00",
                "duration": "60",
                "preferred_start": "10:00",
                "courts": [courts[1], courts[0], courts[1]],
                "court_type": "outdoor",
                "release_model": "rolling",
                "days_ahead": 3.0,
                "release_time": "07:00:00",
                "rolling_minutes": 2880.0,
                "auto_book": False,
                "notify": [
                    "mobile_app_alice_phone",
                    " notify.family_group ",
                    "mobile_app_alice_phone",
                ],
            }
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (subentry,) = result["subentries"]
    assert subentry["title"] == "Weekend mornings"
    assert subentry["data"] == {
        "tenant_id": RIVERSIDE_ID,
        "club_name": "Riverside Padel",
        "club_timezone": "Europe/London",
        "name": "Weekend mornings",
        "weekdays": ["sat", "sun"],
        "window_start": "09:00:00",
        "window_end": "12:00:00",
        "duration": 60,
        "preferred_start": "10:00:00",
        "courts": [courts[1], courts[0]],
        "only_courts": False,
        "court_size": "doubles",
        "court_type": "outdoor",
        "release_model": "rolling",
        "days_ahead": 3,
        "release_time": "07:00:00",
        "rolling_minutes": 2880,
        "auto_book": False,
        "notify": ["mobile_app_alice_phone", "family_group"],
        "watch": True,
        "watch_open_dates": False,
        "watch_cutoff_hours": 2,
        "reminder_hours": 0,
        "sport": "PADEL",
    }


# Errors of the user step -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arrange", "password", "error"),
    [
        (lambda fake: None, "wrong-password", "invalid_auth"),
        (
            lambda fake: fake.fail("POST", "^/v3/auth/login$", status=503),
            ALICE_PASSWORD,
            "cannot_connect",
        ),
        (
            lambda fake: fake.edge_block("POST", "^/v3/auth/login$", count=1),
            ALICE_PASSWORD,
            "edge_blocked",
        ),
    ],
    ids=["invalid_auth", "cannot_connect", "edge_blocked"],
)
async def test_user_step_errors_recover(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_setup_entry: AsyncMock,
    arrange: Any,
    password: str,
    error: str,
) -> None:
    """Each login failure shows its error on the same form; a retry then succeeds."""
    result = await start(hass)
    arrange(fake_playtomic)
    result = await login(hass, result["flow_id"], password)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    # The email is kept, the password is not sent back.
    assert suggested(result) == {"email": ALICE_EMAIL}
    assert_no_secret(result, ALICE_PASSWORD, password)

    fake_playtomic.clear_faults()
    await finish(hass, await login(hass, result["flow_id"]))
    assert only_entry(hass).unique_id == ALICE_ID


async def test_user_step_connection_refused_recovers(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_setup_entry: AsyncMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A network failure (nothing listening) is `cannot_connect`, not a credentials problem."""
    result = await start(hass)
    monkeypatch.setenv(ENV_API_URL, "http://127.0.0.1:9")
    result = await login(hass, result["flow_id"])
    assert result["errors"] == {"base": "cannot_connect"}
    monkeypatch.setenv(ENV_API_URL, fake_playtomic.url)
    await finish(hass, await login(hass, result["flow_id"]))


async def test_user_step_unknown_error_recovers(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected exception is logged and shown as `unknown`."""
    result = await start(hass)
    with patch.object(PlaytomicClient, "login", side_effect=Exception("boom")):
        result = await login(hass, result["flow_id"])
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while logging in to Playtomic" in caplog.text
    await finish(hass, await login(hass, result["flow_id"]))


async def test_user_step_login_without_user_id_reads_the_profile(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    """docs/playtomic-api.md §11.4: a login answer without the user id is completed from /v2/users/me."""
    result = await start(hass)
    pair = fake_playtomic.state.tokens.issue(ALICE_ID)
    fake_playtomic.respond(
        "POST",
        "^/v3/auth/login$",
        json={"access_token": pair.access.token, "refresh_token": pair.refresh.token},
    )
    fake_playtomic.clear_requests()
    result = await login(hass, result["flow_id"])
    assert not result.get("errors")
    paths = [r.path for r in fake_playtomic.requests]
    assert paths.count("/v3/auth/login") == 1
    assert "/v2/users/me" in paths
    created = await finish(hass, result)
    assert created["result"].unique_id == ALICE_ID
    assert created["data"]["user_id"] == ALICE_ID


async def test_user_step_without_any_user_id_is_refused(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    """Without a user id the account cannot be told apart from others: refused."""
    result = await start(hass)
    pair = fake_playtomic.state.tokens.issue(ALICE_ID)
    fake_playtomic.respond(
        "POST",
        "^/v3/auth/login$",
        json={"access_token": pair.access.token, "refresh_token": pair.refresh.token},
    )
    fake_playtomic.respond("GET", "^/v2/users/me$", json={"full_name": "Alice"})
    result = await login(hass, result["flow_id"])
    assert result["errors"]
    await finish(hass, await login(hass, result["flow_id"]))


async def test_duplicate_account_aborts(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The same Playtomic user cannot be added twice, even under another spelling of the email."""
    mock_config_entry.add_to_hass(hass)
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"email": " ALICE@example.com ", "password": ALICE_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_duplicate_added_during_club_steps_aborts(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A second flow for the same account that finishes later does not create a duplicate."""
    result = await login(hass, (await start(hass))["flow_id"])
    assert result["step_id"] == "club"
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"tenant_id": NORTE_ID}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert hass.config_entries.async_entries(DOMAIN) == [mock_config_entry]


# Errors of the club steps: tests/test_club_step.py (shared with the rule flow) -----------------


# Validation of the rule step --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"weekdays": []}, {"when": "no_weekdays"}),
        ({"window_start": "21:00:00", "window_end": "18:00:00"}, {"when": "invalid_window"}),
        ({"window_start": "18:00:00", "window_end": "18:00:00"}, {"when": "invalid_window"}),
        # 60 minutes of window cannot hold a 90-minute booking.
        ({"window_start": "18:00:00", "window_end": "19:00:00"}, {"when": "invalid_window"}),
        # The preferred start's 90 minutes must fit: 17:30 is early, 20:30 too late for 21:30.
        ({"preferred_start": "17:30:00"}, {"when": "preferred_outside_window"}),
        ({"preferred_start": "20:30:00"}, {"when": "preferred_outside_window"}),
        ({"name": "   "}, {"name": "invalid_name"}),
        ({"name": "x" * 65}, {"name": "invalid_name"}),
        (
            {"name": "", "weekdays": [], "window_end": "10:00:00"},
            # One error per section: the frontend shows it above the section.
            {"name": "invalid_name", "when": "no_weekdays"},
        ),
    ],
    ids=[
        "no_weekdays",
        "end_before_start",
        "empty_window",
        "window_shorter",
        "preferred_too_early",
        "preferred_too_late",
        "blank_name",
        "long_name",
        "several",
    ],
)
async def test_rule_validation_errors_recover(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_setup_entry: AsyncMock,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Rule errors show on the field or its section; the form keeps what the user typed."""
    result = await login(hass, (await start(hass))["flow_id"])
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"tenant_id": NORTE_ID}
    )
    typed = {"name": "Evenings", **user_input}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], sectioned(typed))
    assert result["step_id"] == "rule"
    assert result["errors"] == errors
    for key, value in typed.items():
        assert suggested(result)[key] == value
    # Every error key has an English text (the frontend shows the key itself otherwise).
    assert all(key in TRANSLATIONS["config"]["error"] for key in errors.values())
    assert not hass.config_entries.async_entries(DOMAIN)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        sectioned({"name": "Evenings", "window_start": "19:00:00", "window_end": "20:30:00"}),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = next(iter(result["subentries"]))["data"]
    assert (data["window_start"], data["window_end"], data["duration"]) == (
        "19:00:00",
        "20:30:00",
        90,
    )


@pytest.mark.parametrize(
    "user_input",
    [
        {"days_ahead": 0},
        {"rolling_minutes": -5},
        {"duration": "45"},
        {"court_type": "grass"},
        {"court_size": "triples"},
    ],
)
async def test_rule_schema_rejects_out_of_range(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_setup_entry: AsyncMock,
    user_input: dict[str, Any],
) -> None:
    """Days and minutes must be positive; selects accept only their options."""
    result = await login(hass, (await start(hass))["flow_id"])
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"tenant_id": NORTE_ID}
    )
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(result["flow_id"], sectioned(user_input))
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


# Secrets ----------------------------------------------------------------------------------------


async def test_secrets_never_logged(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither the password nor any token reaches the log, on errors or on success."""
    caplog.set_level(logging.DEBUG)
    result = await start(hass)
    result = await login(hass, result["flow_id"], "wrong-password")
    fake_playtomic.edge_block("POST", "^/v3/auth/login$", count=1)
    result = await login(hass, result["flow_id"])
    assert result["errors"] == {"base": "edge_blocked"}
    with patch.object(PlaytomicClient, "login", side_effect=Exception("boom")):
        result = await login(hass, result["flow_id"])
    result = await finish(hass, await login(hass, result["flow_id"]))
    assert_no_secret(result, ALICE_PASSWORD)
    assert ALICE_PASSWORD not in caplog.text
    assert "wrong-password" not in caplog.text
    for token in fake_playtomic.issued_tokens:
        assert token not in caplog.text


# Reauth -----------------------------------------------------------------------------------------


async def test_reauth(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    """Reauth asks only for the password, shows the email, stores password and fresh tokens."""
    entry = make_entry(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert set(markers(result)) == {"password"}
    assert result["description_placeholders"]["email"] == ALICE_EMAIL

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    fake_playtomic.edge_block("POST", "^/v3/auth/login$", count=1)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": ALICE_PASSWORD}
    )
    # An edge block is never taken for a wrong password.
    assert result["errors"] == {"base": "edge_blocked"}
    assert_no_secret(result, ALICE_PASSWORD)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": ALICE_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["password"] == ALICE_PASSWORD
    assert entry.data["email"] == ALICE_EMAIL
    assert entry.data["tokens"]["access_token"] in fake_playtomic.issued_tokens
    assert dict(entry.options) == {"payment_methods": ["zero_amount", "at_club"], "dry_run": False}


async def test_reauth_unknown_error_recovers(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    entry = make_entry(hass)
    result = await entry.start_reauth_flow(hass)
    with patch.object(PlaytomicClient, "login", side_effect=Exception("boom")):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"password": ALICE_PASSWORD}
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": ALICE_PASSWORD}
    )
    assert result["reason"] == "reauth_successful"


async def test_reauth_other_account_aborts(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    """If the email now belongs to another Playtomic user, the entry is left alone."""
    entry = make_entry(hass, unique_id="9999")
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": ALICE_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data["password"] == "an-outdated-password"
    assert "tokens" not in entry.data


# Reconfigure ------------------------------------------------------------------------------------


async def test_reconfigure(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    """Reconfigure prefills the email and updates credentials, tokens and title."""
    entry = make_entry(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert suggested(result) == {"email": ALICE_EMAIL}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"email": ALICE_EMAIL, "password": "nope"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert_no_secret(result, "nope")

    fake_playtomic.fail("POST", "^/v3/auth/login$", status=503)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"email": ALICE_EMAIL, "password": ALICE_PASSWORD}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"email": "Alice@Example.com ", "password": ALICE_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    # The login keeps the e-mail as typed; the title is lower-cased.
    assert entry.data["email"] == "Alice@Example.com"
    assert entry.title == "alice@example.com"
    assert entry.data["password"] == ALICE_PASSWORD
    assert entry.data["tokens"]["user_id"] == ALICE_ID


async def test_reconfigure_other_account_aborts(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_setup_entry: AsyncMock
) -> None:
    """Switching an entry to another Playtomic user is refused (`wrong_account`)."""
    fake_playtomic.add_account(BOB_EMAIL, BOB_PASSWORD, user_id=BOB_ID, name="Bob")
    entry = make_entry(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"email": BOB_EMAIL, "password": BOB_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data["email"] == ALICE_EMAIL


# Options ----------------------------------------------------------------------------------------


async def test_options_flow(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """Payment methods keep the picked order; an empty choice is refused; dry run is stored."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert suggested(result) == {
        "payment_methods": ["zero_amount", "offer", "wallet", "at_club"],
        "dry_run": False,
    }
    # Cards are never a choice.
    assert select_options(result, "payment_methods") == [
        "zero_amount",
        "offer",
        "wallet",
        "at_club",
    ]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"payment_methods": [], "dry_run": True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"payment_methods": "no_payment_methods"}
    assert suggested(result) == {"payment_methods": [], "dry_run": True}

    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["errors"] == {"payment_methods": "no_payment_methods"}

    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {"payment_methods": ["card"]}
        )

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"payment_methods": ["at_club", "wallet", "at_club"], "dry_run": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(mock_config_entry.options) == {
        "payment_methods": ["at_club", "wallet"],
        "dry_run": True,
    }
