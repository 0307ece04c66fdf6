"""Async client of the private Playtomic player API (no Home Assistant imports).

The contract it follows is docs/playtomic-api.md; every guess about the real API is in contract.py.
"""

from __future__ import annotations

from .client import PlaytomicClient
from .contract import DEFAULT_BASE_URL
from .errors import (
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
    ResponseTooLargeError,
    SlotNotAvailableError,
)
from .ids import is_playtomic_id
from .links import checkout_link, club_app_link, match_link
from .models import (
    BookingResult,
    BookingTarget,
    Club,
    Court,
    Match,
    Money,
    PaymentIntent,
    PaymentMethod,
    ServerTimeSample,
    Slot,
    TokenPair,
)
from .payments import DEFAULT_POLICY, PaymentCategory, choose_method, classify_method
from .session import limit_retry_waits
from .slots import SlotFilter, best_slots, filter_slots, rank_slots
from .timeconv import local_day_window, local_to_utc

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_POLICY",
    "UNEXPECTED_RESPONSE",
    "BookingOutcomeUnknownError",
    "BookingResult",
    "BookingTarget",
    "Club",
    "Court",
    "IntentAlreadyOpenError",
    "InvalidIdError",
    "Match",
    "Money",
    "PaymentActionRequiredError",
    "PaymentCategory",
    "PaymentIntent",
    "PaymentMethod",
    "PaymentNotPossibleError",
    "PlaytomicApiError",
    "PlaytomicAuthError",
    "PlaytomicClient",
    "PlaytomicConnectionError",
    "PlaytomicEdgeBlockedError",
    "PlaytomicError",
    "PlaytomicRateLimitedError",
    "ResponseTooLargeError",
    "ServerTimeSample",
    "Slot",
    "SlotFilter",
    "SlotNotAvailableError",
    "TokenPair",
    "best_slots",
    "checkout_link",
    "choose_method",
    "classify_method",
    "club_app_link",
    "filter_slots",
    "is_playtomic_id",
    "limit_retry_waits",
    "local_day_window",
    "local_to_utc",
    "match_link",
    "rank_slots",
]
