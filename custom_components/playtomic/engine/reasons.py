"""The one error vocabulary: a closed set of reason codes, and the map from any error to one.

Every reason that reaches a result, a sensor, an event, a notification, a repair or a raised
Home Assistant error is a `Reason`. Each code has an English and a Spanish text (translation key
`exceptions.reason_<code>`; a test walks the set against both files). HA-free, so the engine
uses it too; `failures.py` turns a reason into the translated Home Assistant exception.

Details that do not belong in a user-facing code (the HTTP status, the server's own error code,
an exception's class name) go to the log, never into a reason.
"""

from __future__ import annotations

from enum import StrEnum

from ..api.errors import (
    UNEXPECTED_RESPONSE,
    BookingOutcomeUnknownError,
    IntentAlreadyOpenError,
    InvalidIdError,
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


class Reason(StrEnum):
    """Why an attempt ended as it did, or why a request failed. Closed: add a text with a code."""

    # A client error (see `reason_of`).
    AUTH_FAILED = "auth_failed"
    EDGE_BLOCKED = "edge_blocked"
    RATE_LIMITED = "rate_limited"
    CANNOT_CONNECT = "cannot_connect"
    NOT_FOUND = "not_found"
    SERVER_ERROR = "server_error"
    UNEXPECTED_RESPONSE = "unexpected_response"
    INVALID_ID = "invalid_id"
    API_ERROR = "api_error"
    SLOT_TAKEN = "slot_taken"
    INTENT_ALREADY_OPEN = "intent_already_open"
    PAYMENT_REFUSED = "payment_refused"
    NO_ALLOWED_PAYMENT_METHOD = "no_allowed_payment_method"
    # Only a wallet was allowed, and its known balance is below the price (docs/playtomic-api.md §11.5).
    WALLET_BALANCE_LOW = "wallet_balance_low"
    PAYMENT_ACTION_REQUIRED = "payment_action_required"
    CONFIRMATION_UNCONFIRMED = "confirmation_unconfirmed"
    # How the engine ended an attempt.
    ALREADY_BOOKED = "already_booked"
    RESUMED_BOOKED = "resumed_booked"
    DRY_RUN = "dry_run"
    NO_MATCHING_SLOT = "no_matching_slot"
    NO_UPCOMING_DATE = "no_upcoming_date"
    NO_CANDIDATE_SLOTS = "no_candidate_slots"
    ALL_CANDIDATES_GONE = "all_candidates_gone"
    BURST_OVER = "burst_over"
    BURST_TIMEOUT = "burst_timeout"
    BURST_WINDOW_PASSED = "burst_window_passed"
    REQUEST_BUDGET_EXHAUSTED = "request_budget_exhausted"
    HOME_ASSISTANT_DOWN = "home_assistant_down"
    # A bug, or an error nobody foresaw; the log has the details.
    INTERNAL_ERROR = "internal_error"
    UNKNOWN_ERROR = "unknown_error"

    @classmethod
    def parse(cls, value: object) -> Reason | None:
        """A stored reason read back; codes of older versions map onto today's set."""
        if value is None or value == "":
            return None
        text = str(value)
        try:
            return cls(text)
        except ValueError:
            pass
        for prefix, reason in _LEGACY_PREFIXES:
            if text.startswith(prefix):
                return reason
        return cls.UNKNOWN_ERROR


# Before the closed set, some reasons carried details ("api_error_503_CODE",
# "payment_refused_503", "internal_error_ValueError", "connection_error").
_LEGACY_PREFIXES: tuple[tuple[str, Reason], ...] = (
    ("connection_error", Reason.CANNOT_CONNECT),
    ("api_error_409", Reason.SLOT_TAKEN),
    ("api_error_404", Reason.NOT_FOUND),
    ("api_error_5", Reason.SERVER_ERROR),
    ("api_error", Reason.API_ERROR),
    ("payment_refused", Reason.PAYMENT_REFUSED),
    ("internal_error", Reason.INTERNAL_ERROR),
)


def reason_of(err: BaseException) -> Reason:
    """The reason code for any error; never carries a secret (messages are not read)."""
    match err:
        case PlaytomicEdgeBlockedError():
            return Reason.EDGE_BLOCKED
        case PlaytomicAuthError():
            return Reason.AUTH_FAILED
        case PlaytomicRateLimitedError():
            return Reason.RATE_LIMITED
        case PlaytomicConnectionError():
            return Reason.CANNOT_CONNECT
        case SlotNotAvailableError():
            return Reason.SLOT_TAKEN
        case PlaytomicApiError():
            return _api_reason(err)
        case PaymentNotPossibleError():
            # 503 on PATCH/confirmation: refused; otherwise nothing the policy allows is offered.
            if err.http_status is not None:
                return Reason.PAYMENT_REFUSED
            return Reason.NO_ALLOWED_PAYMENT_METHOD
        case PaymentActionRequiredError():
            return Reason.PAYMENT_ACTION_REQUIRED
        case BookingOutcomeUnknownError():
            return Reason.CONFIRMATION_UNCONFIRMED
        case IntentAlreadyOpenError():
            return Reason.INTENT_ALREADY_OPEN
        case InvalidIdError():
            return Reason.INVALID_ID
        case PlaytomicError():
            return Reason.UNKNOWN_ERROR
    return Reason.INTERNAL_ERROR


def _api_reason(err: PlaytomicApiError) -> Reason:
    status = err.http_status
    if status == 409:
        return Reason.SLOT_TAKEN
    if err.code == UNEXPECTED_RESPONSE:
        return Reason.UNEXPECTED_RESPONSE
    if status == 404:
        return Reason.NOT_FOUND
    if status is not None and status >= 500:
        return Reason.SERVER_ERROR
    return Reason.API_ERROR


def is_slot_gone(err: PlaytomicError) -> bool:
    """A 409 anywhere in the flow means the slot is not (or no longer) ours to take."""
    return reason_of(err) is Reason.SLOT_TAKEN
