"""The one error vocabulary: a closed set of reason codes, each translated, and one mapping."""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest

from custom_components.playtomic.api import (
    BookingOutcomeUnknownError,
    IntentAlreadyOpenError,
    PaymentActionRequiredError,
    PaymentNotPossibleError,
    PlaytomicApiError,
    PlaytomicAuthError,
    PlaytomicConnectionError,
    PlaytomicEdgeBlockedError,
    PlaytomicError,
    PlaytomicRateLimitedError,
    SlotNotAvailableError,
)
from custom_components.playtomic.api.errors import UNEXPECTED_RESPONSE
from custom_components.playtomic.engine import AttemptResult, Outcome, Reason, reason_of
from custom_components.playtomic.failures import flow_error, reason_error

TRANSLATIONS = Path(__file__).resolve().parent.parent / "custom_components/playtomic/translations"


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_reason_has_a_text_and_every_reason_text_a_reason(language: str) -> None:
    exceptions = json.loads((TRANSLATIONS / f"{language}.json").read_text("utf-8"))["exceptions"]
    texts = {key.removeprefix("reason_"): value for key, value in exceptions.items()}
    for reason in Reason:
        message = texts.get(reason.value, {}).get("message", "")
        assert message.strip(), f"{language}: reason {reason.value!r} has no text"
        assert "{" not in message, f"{language}: reason {reason.value!r} text has a placeholder"
    orphans = {
        key for key in exceptions if key.startswith("reason_") and key[7:] not in set(Reason)
    }
    assert not orphans, f"{language}: texts for codes outside the closed set: {orphans}"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PlaytomicEdgeBlockedError("x"), Reason.EDGE_BLOCKED),
        (PlaytomicAuthError("x"), Reason.AUTH_FAILED),
        (PlaytomicRateLimitedError(3.0), Reason.RATE_LIMITED),
        (PlaytomicConnectionError("x"), Reason.CANNOT_CONNECT),
        (SlotNotAvailableError(409, "SLOT", "x"), Reason.SLOT_TAKEN),
        (PlaytomicApiError(409, UNEXPECTED_RESPONSE, "x"), Reason.SLOT_TAKEN),
        (PlaytomicApiError(404, "NOT_FOUND", "x"), Reason.NOT_FOUND),
        (PlaytomicApiError(503, "CODE", "x"), Reason.SERVER_ERROR),
        (PlaytomicApiError(200, UNEXPECTED_RESPONSE, "x"), Reason.UNEXPECTED_RESPONSE),
        (PlaytomicApiError(400, "INCORRECT_PARAMETERS", "x"), Reason.API_ERROR),
        (PlaytomicApiError(None, None, "x"), Reason.API_ERROR),
        (PaymentNotPossibleError("x", http_status=503), Reason.PAYMENT_REFUSED),
        (PaymentNotPossibleError("x", offered=("Card",)), Reason.NO_ALLOWED_PAYMENT_METHOD),
        (PaymentActionRequiredError("x", deep_link="https://x"), Reason.PAYMENT_ACTION_REQUIRED),
        (BookingOutcomeUnknownError("x"), Reason.CONFIRMATION_UNCONFIRMED),
        (IntentAlreadyOpenError("x", payment_intent_id="pi"), Reason.INTENT_ALREADY_OPEN),
        (PlaytomicError("secret-token-123"), Reason.UNKNOWN_ERROR),
        (ValueError("secret-token-123"), Reason.INTERNAL_ERROR),
        (OverflowError("x"), Reason.INTERNAL_ERROR),
    ],
)
def test_every_error_maps_to_one_code_of_the_closed_set(
    error: BaseException, reason: Reason
) -> None:
    assert reason_of(error) is reason


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ("api_error_503_INTERNAL_SERVER_ERROR", Reason.SERVER_ERROR),
        ("api_error_404", Reason.NOT_FOUND),
        ("api_error_418", Reason.API_ERROR),
        ("payment_refused_503", Reason.PAYMENT_REFUSED),
        ("internal_error_ValueError", Reason.INTERNAL_ERROR),
        ("connection_error", Reason.CANNOT_CONNECT),
        ("ValueError", Reason.UNKNOWN_ERROR),
        ("burst_over", Reason.BURST_OVER),
        (None, None),
    ],
)
def test_stored_results_of_older_versions_read_into_the_closed_set(
    stored: str | None, reason: Reason | None
) -> None:
    result = AttemptResult.from_dict(
        {"outcome": "failed", "rule_id": "r", "tenant_id": "t", "reason": stored}
    )
    assert result.reason is reason
    assert result.as_dict()["reason"] == (reason.value if reason else None)


def test_errors_raised_for_a_reason_are_translated() -> None:
    err = reason_error(Reason.SERVER_ERROR)
    assert type(err) is HomeAssistantError
    assert (err.translation_domain, err.translation_key) == ("playtomic", "reason_server_error")
    assert isinstance(reason_error(Reason.ALREADY_BOOKED), ServiceValidationError)


def test_flow_errors_follow_core_names(caplog: pytest.LogCaptureFixture) -> None:
    assert flow_error(PlaytomicAuthError("x")) == "invalid_auth"
    assert flow_error(PlaytomicEdgeBlockedError("x")) == "edge_blocked"
    assert flow_error(PlaytomicApiError(500, None, "x")) == "cannot_connect"
    assert "Unexpected error" not in caplog.text
    # A bug is "unknown" to the user and logged with its traceback for the maintainer.
    assert flow_error(RuntimeError("boom"), "loading a club") == "unknown"
    assert "Unexpected error while loading a club" in caplog.text
    assert "RuntimeError: boom" in caplog.text


def test_outcome_and_reason_values_never_collide_with_raw_details() -> None:
    # A reason is a bare code: no digits (HTTP statuses) and no class names.
    for reason in Reason:
        assert reason.value.islower()
        assert not any(ch.isdigit() for ch in reason.value)
    assert {o.value for o in Outcome}  # the outcome set is separate and also closed
