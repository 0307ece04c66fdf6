"""Finishing one created intent: payment policy, PATCH, the single confirmation.

Shared by the release burst and "book now" so both apply the payment policy and the safety
rules identically. A lost slot is raised as `SlotGoneError` (the caller falls back to another
candidate); everything else ends the attempt with a `FinishedIntent`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
import logging
from typing import Any

from ..api.client import PlaytomicClient
from ..api.errors import (
    BookingOutcomeUnknownError,
    PaymentActionRequiredError,
    PaymentNotPossibleError,
    PlaytomicApiError,
    PlaytomicConnectionError,
    PlaytomicError,
    PlaytomicRateLimitedError,
)
from ..api.links import book_by_hand_link
from ..api.models import Club, PaymentIntent, Slot
from ..api.payments import PaymentCategory, choose_method, forecast_category, short_wallets
from .outcome import Outcome
from .reasons import Reason, is_slot_gone, reason_of

_LOGGER = logging.getLogger(__name__)

# A PATCH only sets a field, so repeating it is safe (docs/playtomic-api.md §8 rule 4); a couple of tries
# absorb a dropped connection without turning a won slot into a failure.
_PATCH_TRIES = 3
_PATCH_RETRY_DELAY = 0.2


class SlotGoneError(Exception):
    """The slot went to someone else between create and confirmation: try another one."""


@dataclass(frozen=True, kw_only=True)
class FinishedIntent:
    """How finishing one intent ended (never a lost slot: that is `SlotGoneError`)."""

    outcome: Outcome
    match_id: str | None = None
    reason: Reason | None = None
    checkout_url: str | None = None
    price: str | None = None
    payment_category: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def dry_run_completion(
    slot: Slot, club: Club, policy: Iterable[PaymentCategory | str]
) -> FinishedIntent:
    """What a dry run says about the best slot, without creating a payment intent.

    An intent would hold the court for minutes (and is the only way to see the offered
    methods), so the payment category is a forecast (`forecast_category`); the result says so.
    """
    court = club.court(slot.resource_id)
    category = forecast_category(
        policy, price=slot.price, pay_at_club=court.allows_onsite_payment if court else None
    )
    if category is None:
        return FinishedIntent(
            outcome=Outcome.PAYMENT_NOT_POSSIBLE,
            reason=Reason.NO_ALLOWED_PAYMENT_METHOD,
            checkout_url=book_by_hand_link(slot),
            price=str(slot.price) if slot.price else None,
            extra={"payment_forecast": True},
        )
    return FinishedIntent(
        outcome=Outcome.DRY_RUN,
        reason=Reason.DRY_RUN,
        checkout_url=book_by_hand_link(slot),
        price=str(slot.price) if slot.price else None,
        payment_category=category.value,
        extra={"payment_forecast": True},
    )


async def complete_intent(
    client: PlaytomicClient,
    intent: PaymentIntent,
    slot: Slot,
    policy: Iterable[PaymentCategory | str],
    *,
    dry_run: bool,
    sleep: Callable[[float], Awaitable[Any]],
) -> FinishedIntent:
    """Choose a method, PATCH it, confirm exactly once. Raises SlotGoneError on a lost slot."""
    intent_id = intent.payment_intent_id
    policy = tuple(PaymentCategory(category) for category in policy)
    booking_price = intent.price or slot.price
    # docs/playtomic-api.md §11.5: a wallet whose balance does not cover the price is skipped for the next
    # allowed category, and the result says so.
    short = short_wallets(intent.available_payment_methods, booking_price)
    wallet_note: dict[str, Any] = (
        {"wallet_skipped": Reason.WALLET_BALANCE_LOW.value, "wallet_balance": str(short[0].balance)}
        if short
        else {}
    )
    try:
        method, category = choose_method(
            intent.available_payment_methods,
            policy,
            payment_intent_id=intent_id,
            price=booking_price,
        )
    except PaymentNotPossibleError as err:
        return FinishedIntent(
            outcome=Outcome.PAYMENT_NOT_POSSIBLE,
            reason=Reason.WALLET_BALANCE_LOW
            if short and PaymentCategory.WALLET in policy
            else Reason.NO_ALLOWED_PAYMENT_METHOD,
            checkout_url=book_by_hand_link(slot),
            extra={
                "offered_methods": list(err.offered),
                "payment_intent_id": intent_id,
                **wallet_note,
            },
        )
    price = str(method.amount) if method.amount is not None else None
    if dry_run:
        # Same stopping point as the client's dry run: the intent proves the slot was ours to
        # take; it is never PATCHed or confirmed and simply expires. It is abandoned, so the
        # client may create a real one for the same slot later (§8 rule 3 is about live ones).
        client.release_intent(slot.target)
        return FinishedIntent(
            outcome=Outcome.DRY_RUN,
            reason=Reason.DRY_RUN,
            price=price,
            payment_category=category.value,
            extra={"payment_intent_id": intent_id, "payment_method": method.label, **wallet_note},
        )

    def unfinished(outcome: Outcome, reason: Reason, **extra: Any) -> FinishedIntent:
        """The intent was created but not booked: the user can still book it by hand."""
        return FinishedIntent(
            outcome=outcome,
            reason=reason,
            checkout_url=book_by_hand_link(slot),
            price=price,
            extra={"payment_intent_id": intent_id, **extra},
        )

    try:
        selected = await _select(client, intent_id, method.payment_method_id, sleep)
        if selected.requires_action:
            return unfinished(Outcome.PAYMENT_NOT_POSSIBLE, Reason.PAYMENT_ACTION_REQUIRED)
        match_id = await client.confirm_payment_intent(intent_id, slot.target)
    except PaymentActionRequiredError:
        return unfinished(Outcome.PAYMENT_NOT_POSSIBLE, Reason.PAYMENT_ACTION_REQUIRED)
    except PaymentNotPossibleError as err:
        return unfinished(
            Outcome.PAYMENT_NOT_POSSIBLE, reason_of(err), offered_methods=list(err.offered)
        )
    except BookingOutcomeUnknownError:
        return unfinished(Outcome.OUTCOME_UNKNOWN, Reason.CONFIRMATION_UNCONFIRMED)
    except PlaytomicError as err:
        if is_slot_gone(err):
            raise SlotGoneError from err
        return unfinished(Outcome.FAILED, reason_of(err))
    return FinishedIntent(
        outcome=Outcome.BOOKED,
        match_id=match_id,
        price=price,
        payment_category=category.value,
        extra={"payment_intent_id": intent_id, "payment_method": method.label, **wallet_note},
    )


async def _select(
    client: PlaytomicClient,
    intent_id: str,
    method_id: str,
    sleep: Callable[[float], Awaitable[Any]],
) -> PaymentIntent:
    """PATCH with a couple of retries for transient failures (idempotent, §8 rule 4)."""
    for attempt in range(1, _PATCH_TRIES + 1):
        try:
            return await client.select_payment_method(intent_id, method_id)
        except PlaytomicRateLimitedError as err:
            if attempt == _PATCH_TRIES:
                raise
            await sleep(min(err.retry_after or 1.0, 5.0))
        except PlaytomicConnectionError:
            if attempt == _PATCH_TRIES:
                raise
            await sleep(_PATCH_RETRY_DELAY)
        except PlaytomicApiError as err:
            if err.http_status is None or err.http_status < 500 or attempt == _PATCH_TRIES:
                raise
            await sleep(_PATCH_RETRY_DELAY)
    raise AssertionError("unreachable")  # pragma: no cover
