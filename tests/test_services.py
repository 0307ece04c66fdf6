"""Actions find_slots, book and cancel_booking: good input, bad input, API failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.playtomic.const import DOMAIN
from tests.const import ALICE_EMAIL, ALICE_ID, NORTE_ID, RIVERSIDE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import disable_backoff, entry_with_rules, record_notify, setup_integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Madrid


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Monday morning; no real sleeps in client retries."""
    freezer.move_to(NOW)
    disable_backoff(monkeypatch)


async def _call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = True
) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def _validation_key(hass: HomeAssistant, service: str, data: dict[str, Any]) -> str:
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, data, response=service != "cancel_booking")
    assert err.value.translation_domain == DOMAIN
    return str(err.value.translation_key)


# find_slots ---------------------------------------------------------------------------


async def test_find_slots_default_club(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Without a club the first rule's club is searched; slots carry local and UTC times."""
    await setup_integration(hass, mock_config_entry)
    result = await _call(
        hass,
        "find_slots",
        {
            "config_entry_id": mock_config_entry.entry_id,
            "date": "2026-03-03",
            "window_start": "18:00:00",
            "window_end": "20:00:00",
            "duration": 90,
            "court_type": "indoor",
        },
    )
    slots = result["slots"]
    assert slots
    first = slots[0]
    assert first["club"] == "Club Padel Norte"
    assert first["tenant_id"] == NORTE_ID
    assert first["start"] == "2026-03-03T17:00:00+00:00"
    assert first["local_start"] == "2026-03-03T18:00:00+01:00"
    assert first["duration"] == 90
    assert first["indoor"] is True
    assert first["price"].endswith(" EUR")
    assert first["booking_url"].startswith(
        f"https://app.playtomic.io/tenant/{NORTE_ID}?sport=PADEL&date=2026-03-03&startTime=18:00"
    )
    for slot in slots:
        local = datetime.fromisoformat(slot["local_start"])
        assert slot["court"] in ("Pista 1", "Pista 2")
        assert slot["duration"] == 90
        assert local.hour * 60 + local.minute + 90 <= 20 * 60
    assert [s["start"] for s in slots] == sorted(s["start"] for s in slots)


async def test_find_slots_range_at_another_club(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A range of days at an explicit club, one request per day; past slots are left out."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.clear_requests()
    result = await _call(
        hass,
        "find_slots",
        {
            "config_entry_id": mock_config_entry.entry_id,
            "tenant_id": RIVERSIDE_ID,
            "end_date": "2026-03-03",
        },
    )
    days = {s["local_start"][:10] for s in result["slots"]}
    assert days == {"2026-03-02", "2026-03-03"}
    assert all(s["start"] > NOW.isoformat() for s in result["slots"])
    assert all(s["price"].endswith(" GBP") for s in result["slots"])
    requests = [r for r in fake_playtomic.requests if r.path == "/v1/availability"]
    assert len(requests) == 2


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"date": "2026-03-02", "end_date": "2026-03-09"}, "date_range_too_long"),
        ({"date": "2026-03-05", "end_date": "2026-03-04"}, "date_range_invalid"),
        ({"window_start": "20:00:00", "window_end": "18:00:00"}, "window_invalid"),
    ],
)
async def test_find_slots_bad_input(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Impossible searches are the user's mistake, with a translated message."""
    await setup_integration(hass, mock_config_entry)
    data = {"config_entry_id": mock_config_entry.entry_id, **data}
    assert await _validation_key(hass, "find_slots", data) == key


async def test_find_slots_unknown_club(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A club id Playtomic does not know."""
    await setup_integration(hass, mock_config_entry)
    data = {"config_entry_id": mock_config_entry.entry_id, "tenant_id": "nope"}
    assert await _validation_key(hass, "find_slots", data) == "club_not_found"


async def test_find_slots_needs_a_club_without_rules(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic
) -> None:
    """An account without rules must be told which club to search."""
    entry = entry_with_rules()
    await setup_integration(hass, entry)
    data = {"config_entry_id": entry.entry_id}
    assert await _validation_key(hass, "find_slots", data) == "club_required"


async def test_unknown_and_unloaded_entries(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Every action checks the entry: known, ours and loaded."""
    await setup_integration(hass, mock_config_entry)
    assert (
        await _validation_key(hass, "find_slots", {"config_entry_id": "missing"})
        == "entry_not_found"
    )
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    data = {"config_entry_id": mock_config_entry.entry_id, "match_id": "m"}
    assert await _validation_key(hass, "cancel_booking", data) == "entry_not_loaded"


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ("fail", "reason_server_error"),
        ("edge_block", "reason_edge_blocked"),
        ("rate_limit", "reason_rate_limited"),
    ],
)
async def test_find_slots_api_failures(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    fault: str,
    key: str,
) -> None:
    """API failures become translated HomeAssistantErrors."""
    await setup_integration(hass, mock_config_entry)
    if fault == "fail":
        fake_playtomic.fail("GET", "/v1/availability", status=500, count=None)
    elif fault == "edge_block":
        fake_playtomic.edge_block("GET", "/v1/availability")
    else:
        fake_playtomic.rate_limit("GET", "/v1/availability", retry_after="0", count=None)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "find_slots", {"config_entry_id": mock_config_entry.entry_id})
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == key


async def test_find_slots_connection_error(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """An unreachable server."""
    await setup_integration(hass, mock_config_entry)
    await fake_playtomic.stop()
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "find_slots", {"config_entry_id": mock_config_entry.entry_id})
    assert err.value.translation_key == "reason_cannot_connect"


async def test_find_slots_club_lookup_failure(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A club lookup that fails for other reasons than 'unknown'."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.fail("GET", f"/v1/tenants/{RIVERSIDE_ID}", status=500, count=None)
    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass,
            "find_slots",
            {"config_entry_id": mock_config_entry.entry_id, "tenant_id": RIVERSIDE_ID},
        )
    assert err.value.translation_key == "reason_server_error"
    await fake_playtomic.stop()
    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass,
            "find_slots",
            {"config_entry_id": mock_config_entry.entry_id, "tenant_id": RIVERSIDE_ID},
        )
    assert err.value.translation_key == "reason_cannot_connect"


async def test_auth_failure_in_action_starts_reauth(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A refused login during an action asks for the password again."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.accounts[ALICE_EMAIL].password = "changed"
    fake_playtomic.expire_tokens()
    fake_playtomic.expire_tokens(refresh=True)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "find_slots", {"config_entry_id": mock_config_entry.entry_id})
    assert err.value.translation_key == "reason_auth_failed"
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN)


# book ---------------------------------------------------------------------------------


def _own(fake: FakePlaytomic) -> list:
    return [m for m in fake.matches if m.owner_id == ALICE_ID and m.status == "CONFIRMED"]


async def test_book_rule(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Book for a rule: the response is the attempt's result."""
    await setup_integration(hass, mock_config_entry)
    result = await _call(
        hass, "book", {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID}
    )
    own = _own(fake_playtomic)
    assert len(own) == 1
    assert result["outcome"] == "booked"
    assert result["match_id"] == own[0].match_id
    assert result["rule_id"] == RULE_SUBENTRY_ID
    assert result["local_start"].startswith("2026-03-02T18:00:00")
    assert result["attempts"] == 1
    assert result["requests_used"] > 0

    # Booking again never takes a second court on the same day.
    result = await _call(
        hass, "book", {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID}
    )
    assert result["local_start"].startswith("2026-03-03")
    assert hass.states.get("sensor.playtomic_alice_upcoming_booking").state == (
        own[0].start.isoformat()
    )


async def test_book_without_response(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The response is optional."""
    await setup_integration(hass, mock_config_entry)
    result = await _call(
        hass,
        "book",
        {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID},
        response=False,
    )
    assert result is None
    assert len(_own(fake_playtomic)) == 1


# An explicit target: a club, a date and a window instead of a rule.
RIVERSIDE_MORNING = {
    "tenant_id": RIVERSIDE_ID,
    "date": "2026-03-03",
    "window_start": "10:00:00",
    "window_end": "12:00:00",
    "duration": 60,
}


async def test_book_explicit_target_dry_run(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """An explicit club, date and window; a dry run confirms nothing."""
    await setup_integration(hass, mock_config_entry)
    result = await _call(
        hass,
        "book",
        {
            "config_entry_id": mock_config_entry.entry_id,
            **RIVERSIDE_MORNING,
            "dry_run": True,
        },
    )
    assert result["outcome"] == "dry_run"
    assert result["rule_id"] is None
    assert result["local_start"] == "2026-03-03T10:00:00+00:00"
    assert result["club_name"] == "Riverside Padel"
    assert not _own(fake_playtomic)


async def test_book_explicit_target_notifies_the_given_services(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A one-off booking has no rule to take notify targets from: the action names them."""
    await setup_integration(hass, mock_config_entry)
    alice = record_notify(hass, "mobile_app_alice_phone")
    bob = record_notify(hass, "mobile_app_bob_phone")
    result = await _call(
        hass,
        "book",
        {
            "config_entry_id": mock_config_entry.entry_id,
            **RIVERSIDE_MORNING,
            # Either spelling a user may copy from Developer tools.
            "notify": ["notify.mobile_app_alice_phone", "mobile_app_bob_phone"],
        },
    )
    await hass.async_block_till_done()
    assert result["outcome"] == "booked"
    assert len(_own(fake_playtomic)) == 1
    for calls in (alice, bob):
        assert len(calls) == 1
        assert "Riverside Padel" in calls[0]["message"]
        assert calls[0]["data"]["url"].endswith(result["match_id"])


async def test_book_notify_with_a_rule_is_refused(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A rule's bookings notify the rule's own targets; naming others is an error, not ignored."""
    await setup_integration(hass, mock_config_entry)
    calls = record_notify(hass, "mobile_app_bob_phone")
    data = {
        "config_entry_id": mock_config_entry.entry_id,
        "rule": RULE_SUBENTRY_ID,
        "notify": ["mobile_app_bob_phone"],
    }
    assert await _validation_key(hass, "book", data) == "notify_with_rule"
    assert not _own(fake_playtomic)
    assert not calls


async def test_book_explicit_day_already_booked(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A day with an own match in the window is not booked twice: it is already ours."""
    club = fake_playtomic.clubs[NORTE_ID]
    start = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    fake_playtomic.book_directly(NORTE_ID, club.courts[0].resource_id, start, 90, ALICE_ID)
    await setup_integration(hass, mock_config_entry)
    result = await _call(
        hass,
        "book",
        {
            "config_entry_id": mock_config_entry.entry_id,
            "tenant_id": NORTE_ID,
            "date": "2026-03-03",
            "window_start": "18:00:00",
            "window_end": "21:30:00",
            "duration": 90,
        },
    )
    assert result["outcome"] == "booked"
    assert result["reason"] == "already_booked"
    assert len(_own(fake_playtomic)) == 1
    assert not [r for r in fake_playtomic.requests if r.path == "/v1/payment_intents"]


async def test_book_nothing_open(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A window before opening hours finds nothing."""
    await setup_integration(hass, mock_config_entry)
    result = await _call(
        hass,
        "book",
        {
            "config_entry_id": mock_config_entry.entry_id,
            "tenant_id": NORTE_ID,
            "date": "2026-03-03",
            "window_start": "05:00:00",
            "window_end": "07:00:00",
            "duration": 60,
        },
    )
    assert result["outcome"] == "no_slot"
    assert result["reason"] == "no_matching_slot"


async def test_book_slots_taken(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Every slot lost to someone else: a few tries, then no_slot."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.respond(
        "POST",
        "^/v1/payment_intents$",
        status=409,
        json={"status": "RESOURCE_NO_AVAILABLE", "localized_message": "taken"},
        count=None,
    )
    result = await _call(
        hass, "book", {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID}
    )
    assert result["outcome"] == "no_slot"
    assert result["reason"] == "no_matching_slot"
    # "Book now" stays human-scale: a handful of tries over all dates, not one per slot.
    assert result["attempts"] == 6
    creates = [r for r in fake_playtomic.requests if r.path == "/v1/payment_intents"]
    assert len(creates) == 6


async def test_book_payment_not_possible(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A club that takes only cards: payment not possible, with the checkout link."""
    fake_playtomic.clubs[NORTE_ID].payment_methods = ("CREDIT_CARD",)
    await setup_integration(hass, mock_config_entry)
    result = await _call(
        hass, "book", {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID}
    )
    assert result["outcome"] == "payment_not_possible"
    assert result["reason"] == "no_allowed_payment_method"
    assert result["checkout_url"].startswith("https://app.playtomic.io/tenant/")
    assert result["court_name"]


async def test_book_payment_action_required(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A confirmation that wants 3-D Secure cannot finish unattended."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.respond(
        "POST",
        "/confirmation$",
        status=200,
        json={"payment_intent_id": "pi", "status": "REQUIRES_PAYMENT_METHOD_ACTION"},
        count=None,
    )
    result = await _call(
        hass, "book", {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID}
    )
    assert result["outcome"] == "payment_not_possible"
    assert result["reason"] == "payment_action_required"
    assert result["checkout_url"].startswith("https://")


async def test_book_outcome_unknown(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A confirmation whose answer is lost, and nothing can tell what happened."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.respond(
        "POST",
        "/confirmation$",
        status=200,
        json={"payment_intent_id": "pi", "status": "PROCESSING"},
        count=None,
    )
    fake_playtomic.respond(
        "GET",
        "^/v1/payment_intents/",
        status=200,
        json={"payment_intent_id": "pi", "status": "PROCESSING"},
        count=None,
    )
    result = await _call(
        hass, "book", {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID}
    )
    assert result["outcome"] == "outcome_unknown"
    assert result["reason"] == "confirmation_unconfirmed"


async def test_book_api_failure_raises(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """An API failure is reported (event, sensor) and raised to the caller."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.fail("POST", "^/v1/payment_intents$", status=500, count=None)
    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass, "book", {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID}
        )
    assert err.value.translation_key == "reason_server_error"
    state = hass.states.get("sensor.weekday_evenings_last_booking_result")
    assert state.state == "failed"
    assert state.attributes["reason"] == "server_error"
    assert mock_config_entry.runtime_data.health.error == "server_error"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"rule": "nope"}, "rule_not_found"),
        ({"rule": RULE_SUBENTRY_ID, "tenant_id": NORTE_ID}, "rule_or_target"),
        ({"tenant_id": NORTE_ID, "date": "2026-03-03"}, "target_incomplete"),
        (
            {
                "tenant_id": NORTE_ID,
                "date": "2026-03-03",
                "window_start": "20:00",
                "window_end": "19:00",
                "duration": 60,
            },
            "window_invalid",
        ),
        ({"rule": RULE_SUBENTRY_ID, "at": "2026-03-04T09:00:00+00:00"}, "at_too_far"),
    ],
)
async def test_book_bad_input(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Contradictory or incomplete booking requests."""
    await setup_integration(hass, mock_config_entry)
    data = {"config_entry_id": mock_config_entry.entry_id, **data}
    assert await _validation_key(hass, "book", data) == key


async def test_book_with_a_far_at_and_a_rule_arms_the_release_and_returns_at_once(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """`rule` + an `at` further than AT_INLINE_WAIT ahead: the call answers "scheduled" at
    once; the scheduler runs that release at the instant and reports it like any release.

    The burst itself (firing on the monotonic clock) is the engine's and is tested there over
    sockets; here it is replaced so the frozen clock cannot stall it.
    """
    from custom_components.playtomic.engine import AttemptResult, Outcome

    await setup_integration(hass, mock_config_entry)
    engine = mock_config_entry.runtime_data.engine
    runs: list[tuple[Any, Any, bool]] = []

    async def run_release(attempt: Any, rule: Any, club: Any, **kwargs: Any) -> AttemptResult:
        runs.append((attempt, rule, kwargs["dry_run"]))
        return AttemptResult(outcome=Outcome.DRY_RUN, rule_id=rule.rule_id, tenant_id=NORTE_ID)

    engine.run_release = run_release  # type: ignore[method-assign]
    at = NOW + timedelta(minutes=30)
    data = {
        "config_entry_id": mock_config_entry.entry_id,
        "rule": RULE_SUBENTRY_ID,
        "at": at.isoformat(),
        "dry_run": True,
    }
    assert await _call(hass, "book", data) == {"outcome": "scheduled", "at": at.isoformat()}
    assert await _call(hass, "book", data, response=False) is None  # the same release, joined
    # Joining it may not change its dry-run setting.
    assert await _validation_key(hass, "book", {**data, "dry_run": False}) == "at_dry_run_fixed"
    result_sensor = "sensor.weekday_evenings_last_booking_result"
    before = hass.states.get(result_sensor).state

    freezer.move_to(at - timedelta(minutes=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not runs
    freezer.move_to(at)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(runs) == 1
    attempt, rule, dry_run = runs[0]
    assert attempt.release_at == at
    assert rule.rule_id == RULE_SUBENTRY_ID
    assert dry_run is True
    assert before != "dry_run"
    assert hass.states.get(result_sensor).state == "dry_run"


async def test_book_with_a_far_at_and_a_target_books_at_the_instant(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A one-off target with a far `at`: no request before the instant, the booking at it, the
    result as the bus event and the given notification (nobody awaits the call any more)."""
    await setup_integration(hass, mock_config_entry)
    phone = record_notify(hass, "mobile_app_alice_phone")
    events = async_capture_events(hass, "playtomic_booking_succeeded")
    at = NOW + timedelta(hours=2)
    fake_playtomic.clear_requests()
    response = await _call(
        hass,
        "book",
        {
            "config_entry_id": mock_config_entry.entry_id,
            **RIVERSIDE_MORNING,
            "at": at.isoformat(),
            "notify": ["mobile_app_alice_phone"],
        },
    )
    assert response == {"outcome": "scheduled", "at": at.isoformat()}
    assert not fake_playtomic.requests

    freezer.move_to(at - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not _creates(fake_playtomic)
    freezer.move_to(at)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    creates = _creates(fake_playtomic)
    assert creates
    assert all(request.received_at >= at for request in creates)
    assert len(_own(fake_playtomic)) == 1
    assert [event.data["outcome"] for event in events] == ["booked"]
    assert len(phone) == 1


@pytest.mark.parametrize("with_rule", [True, False], ids=["rule", "target"])
async def test_book_with_a_far_at_is_cancelled_by_unload(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    with_rule: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unloading the account cancels an armed `at`: a warning names what and when, no timer
    remains and nothing is sent at the instant."""
    await setup_integration(hass, mock_config_entry)
    scheduler = mock_config_entry.runtime_data.scheduler
    assert scheduler is not None
    at = NOW + timedelta(hours=1)
    goal = {"rule": RULE_SUBENTRY_ID} if with_rule else RIVERSIDE_MORNING
    response = await _call(
        hass,
        "book",
        {"config_entry_id": mock_config_entry.entry_id, **goal, "at": at.isoformat()},
    )
    assert response["outcome"] == "scheduled"
    assert scheduler.pending_later == 1
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert scheduler.pending_later == 0
    what = "Weekday evenings" if with_rule else "a one-off target"
    assert f"booking armed for {what} at {at.isoformat()} is cancelled" in caplog.text
    fake_playtomic.clear_requests()
    freezer.move_to(at + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not fake_playtomic.requests
    assert not _own(fake_playtomic)


async def test_book_at_the_auto_book_release_keeps_its_dry_run_setting(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """`rule` + `at` = the rule's armed auto-book release: the action joins that release, so it
    may not turn it into a dry run (the account books for real); without dry_run or with the
    same setting it joins, and two calls arm one run."""
    from custom_components.playtomic.engine import AttemptResult, Outcome

    await setup_integration(hass, mock_config_entry)
    release = datetime.fromisoformat(
        hass.states.get("sensor.weekday_evenings_next_booking_attempt").state
    )
    freezer.move_to(release - timedelta(hours=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    engine = mock_config_entry.runtime_data.engine
    runs: list[bool] = []

    async def run_release(attempt: Any, rule: Any, club: Any, **kwargs: Any) -> AttemptResult:
        runs.append(kwargs["dry_run"])
        return AttemptResult(outcome=Outcome.DRY_RUN, rule_id=rule.rule_id, tenant_id=NORTE_ID)

    engine.run_release = run_release  # type: ignore[method-assign]
    data = {
        "config_entry_id": mock_config_entry.entry_id,
        "rule": RULE_SUBENTRY_ID,
        "at": release.isoformat(),
    }
    assert await _validation_key(hass, "book", {**data, "dry_run": True}) == "at_dry_run_fixed"
    assert (await _call(hass, "book", {**data, "dry_run": False}))["outcome"] == "scheduled"
    assert (await _call(hass, "book", data))["outcome"] == "scheduled"
    scheduler = mock_config_entry.runtime_data.scheduler
    assert scheduler is not None
    assert scheduler.pending_later == 1

    freezer.move_to(release)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert runs == [False]


def _creates(fake: FakePlaytomic) -> list:
    return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/payment_intents"]


async def test_book_at_in_the_past_runs_now(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """An instant already passed (naive = local time) books at once."""
    await setup_integration(hass, mock_config_entry)
    result = await _call(
        hass,
        "book",
        {
            "config_entry_id": mock_config_entry.entry_id,
            "rule": RULE_SUBENTRY_ID,
            "at": "2026-03-01 10:00:00",
        },
    )
    assert result["outcome"] == "booked"


async def test_book_with_a_near_at_waits_and_unload_ends_the_wait(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Up to AT_INLINE_WAIT ahead the call waits; unloading the account ends it with an
    error, booking nothing."""
    await setup_integration(hass, mock_config_entry)
    task = asyncio.create_task(
        _call(
            hass,
            "book",
            {
                "config_entry_id": mock_config_entry.entry_id,
                **RIVERSIDE_MORNING,
                "at": (NOW + timedelta(seconds=50)).isoformat(),
            },
        )
    )
    for _ in range(5):
        await asyncio.sleep(0)
    assert not task.done()
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "entry_not_loaded"
    assert not _own(fake_playtomic)


# cancel_booking -----------------------------------------------------------------------


async def test_cancel_booking(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Cancelling refreshes the matches at once."""
    club = fake_playtomic.clubs[NORTE_ID]
    start = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
    match = fake_playtomic.book_directly(NORTE_ID, club.courts[0].resource_id, start, 90, ALICE_ID)
    await setup_integration(hass, mock_config_entry)
    upcoming = "sensor.playtomic_alice_upcoming_booking"
    assert hass.states.get(upcoming).state == start.isoformat()

    await _call(
        hass,
        "cancel_booking",
        {"config_entry_id": mock_config_entry.entry_id, "match_id": match.match_id},
        response=False,
    )
    assert match.status == "CANCELED"
    assert hass.states.get(upcoming).state == "unknown"

    data = {"config_entry_id": mock_config_entry.entry_id, "match_id": match.match_id}
    assert await _validation_key(hass, "cancel_booking", data) == "match_not_cancelable"
    data["match_id"] = "does-not-exist"
    assert await _validation_key(hass, "cancel_booking", data) == "match_not_found"


async def test_cancel_booking_api_failure(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Other failures are translated HomeAssistantErrors."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.fail("POST", "/cancellation$", status=500, count=None)
    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass,
            "cancel_booking",
            {"config_entry_id": mock_config_entry.entry_id, "match_id": "m"},
            response=False,
        )
    assert err.value.translation_key == "reason_server_error"


async def test_book_at_for_an_unusable_rule(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A rule the engine cannot read is reported as unknown to the caller."""
    await setup_integration(hass, mock_config_entry)
    subentry = mock_config_entry.subentries[RULE_SUBENTRY_ID]
    hass.config_entries.async_update_subentry(
        mock_config_entry, subentry, data={**subentry.data, "club_timezone": "Nowhere/Bad"}
    )
    data = {
        "config_entry_id": mock_config_entry.entry_id,
        "rule": RULE_SUBENTRY_ID,
        "at": (NOW + timedelta(minutes=30)).isoformat(),
    }
    assert await _validation_key(hass, "book", data) == "rule_not_found"


async def test_window_ending_at_midnight_is_accepted(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Regression: an end of 00:00 is midnight for the actions too, as for the slot filter."""
    await setup_integration(hass, mock_config_entry)
    late = {**RIVERSIDE_MORNING, "window_start": "21:00:00", "window_end": "00:00:00"}
    found = await _call(
        hass,
        "find_slots",
        {
            "config_entry_id": mock_config_entry.entry_id,
            "tenant_id": RIVERSIDE_ID,
            "date": late["date"],
            "window_start": "21:00:00",
            "window_end": "00:00:00",
            "duration": 60,
        },
    )
    assert {s["local_start"][11:16] for s in found["slots"]} == {"21:00", "21:30", "22:00"}
    result = await _call(
        hass, "book", {"config_entry_id": mock_config_entry.entry_id, **late, "dry_run": True}
    )
    assert result["outcome"] == "dry_run"
    assert result["local_start"].startswith(f"{late['date']}T2")


# A rule's device instead of ids -------------------------------------------------------------


def _device_id(hass: HomeAssistant, entry: MockConfigEntry, identifier: str) -> str:
    """The id of the entry's device with this identifier (works on every supported HA)."""
    registry = dr.async_get(hass)
    devices = dr.async_entries_for_config_entry(registry, entry.entry_id)
    return next(d.id for d in devices if (DOMAIN, identifier) in d.identifiers)


def _rule_device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return _device_id(hass, entry, f"{ALICE_ID}_{RULE_SUBENTRY_ID}")


async def test_actions_take_the_rules_device(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The device picked in the UI names the account and the rule: no pasted ids."""
    await setup_integration(hass, mock_config_entry)
    device_id = _rule_device_id(hass, mock_config_entry)

    found = await _call(
        hass, "find_slots", {"device_id": device_id, "date": "2026-03-03", "duration": 90}
    )
    assert found["slots"]
    assert {slot["tenant_id"] for slot in found["slots"]} == {NORTE_ID}

    result = await _call(hass, "book", {"device_id": device_id, "dry_run": True})
    assert result["outcome"] == "dry_run"
    assert result["rule_id"] == RULE_SUBENTRY_ID
    assert result["tenant_id"] == NORTE_ID
    assert not _own(fake_playtomic)


async def test_device_errors_are_translated(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """No account at all, a device that is not a rule, a device and a rule together."""
    await setup_integration(hass, mock_config_entry)
    device_id = _rule_device_id(hass, mock_config_entry)
    account_device = _device_id(hass, mock_config_entry, ALICE_ID)
    assert await _validation_key(hass, "book", {"dry_run": True}) == "account_required"
    assert (
        await _validation_key(hass, "find_slots", {"device_id": account_device})
        == "device_not_rule"
    )
    assert (
        await _validation_key(hass, "book", {"device_id": device_id, "rule": RULE_SUBENTRY_ID})
        == "rule_or_device"
    )
    assert (
        await _validation_key(
            hass, "book", {"device_id": device_id, "config_entry_id": "another-entry"}
        )
        == "device_other_account"
    )


async def test_book_explicit_target_defaults_to_the_first_rules_club(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Without `tenant_id` a one-off booking goes to the club of the account's first rule."""
    await setup_integration(hass, mock_config_entry)
    target = {key: value for key, value in RIVERSIDE_MORNING.items() if key != "tenant_id"}
    result = await _call(
        hass,
        "book",
        {"config_entry_id": mock_config_entry.entry_id, **target, "dry_run": True},
    )
    assert result["outcome"] == "dry_run"
    assert result["tenant_id"] == NORTE_ID
