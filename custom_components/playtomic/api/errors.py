"""Errors the client raises (docs/playtomic-api.md §1.4). All derive from PlaytomicError."""

from __future__ import annotations

from datetime import datetime
from typing import Final

# Client-side code for a body that is not the JSON the contract promises (§1.3).
UNEXPECTED_RESPONSE: Final = "UNEXPECTED_RESPONSE"


class PlaytomicError(Exception):
    """Base of every error raised by the Playtomic client."""


class PlaytomicConnectionError(PlaytomicError):
    """Timeout or connection failure (outside confirmation, where §8 reconciles instead)."""


class PlaytomicEdgeBlockedError(PlaytomicError):
    """The CloudFront firewall answered with HTML 403 (§1.3): not an auth problem, do not retry."""

    def __init__(
        self, message: str, *, cf_id: str | None = None, blocked_until: datetime | None = None
    ) -> None:
        super().__init__(message)
        self.cf_id = cf_id
        self.blocked_until = blocked_until


class InvalidIdError(PlaytomicError, ValueError):
    """An id that does not have the shape Playtomic's ids have; no request was sent.

    The message names what was checked, never the value (it may be hostile or huge).
    """

    def __init__(self, what: str) -> None:
        super().__init__(f"The {what} is not a Playtomic id")
        self.what = what


class PlaytomicAuthError(PlaytomicError):
    """Wrong credentials, or re-authentication failed (§2.3): ask the user again."""


class PlaytomicApiError(PlaytomicError):
    """Any other error answer from the API (JSON or not)."""

    def __init__(self, http_status: int | None, code: str | None, message: str) -> None:
        super().__init__(f"{message} (HTTP {http_status}, {code})")
        self.http_status = http_status
        self.code = code
        self.message = message


class ResponseTooLargeError(PlaytomicApiError):
    """An answer larger than `contract.MAX_RESPONSE_BYTES`: refused, never buffered whole."""

    def __init__(self, http_status: int | None, limit: int) -> None:
        super().__init__(http_status, UNEXPECTED_RESPONSE, f"Answer larger than {limit} bytes")


class PlaytomicRateLimitedError(PlaytomicApiError):
    """429 still returned after the allowed waits (§8 rule 6)."""

    def __init__(self, retry_after: float | None, code: str | None = None) -> None:
        super().__init__(429, code, "Rate limited by Playtomic")
        self.retry_after = retry_after


class SlotNotAvailableError(PlaytomicApiError):
    """409 on create or confirmation: the slot is not released yet or someone else has it (§5)."""


class PaymentNotPossibleError(PlaytomicError):
    """No allowed payment method is offered, or 503 on PATCH/confirmation (§5.2)."""

    def __init__(
        self,
        message: str,
        *,
        offered: tuple[str, ...] = (),
        http_status: int | None = None,
        payment_intent_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.offered = offered
        self.http_status = http_status
        self.payment_intent_id = payment_intent_id


class PaymentActionRequiredError(PlaytomicError):
    """The booking needs a step in the app (3-D Secure, Stripe): finish it via `deep_link` (§5)."""

    def __init__(
        self,
        message: str,
        *,
        deep_link: str,
        action: str | None = None,
        action_url: str | None = None,
        payment_intent_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.deep_link = deep_link
        self.action = action
        self.action_url = action_url
        self.payment_intent_id = payment_intent_id


class BookingOutcomeUnknownError(PlaytomicError):
    """Confirmation was sent but neither the matches nor the intent settle the outcome (§8)."""

    def __init__(self, message: str, *, payment_intent_id: str | None = None) -> None:
        super().__init__(message)
        self.payment_intent_id = payment_intent_id


class IntentAlreadyOpenError(PlaytomicError):
    """A second unconfirmed intent for the same target without the explicit hedge flag (§8 rule 3)."""

    def __init__(self, message: str, *, payment_intent_id: str) -> None:
        super().__init__(message)
        self.payment_intent_id = payment_intent_id
