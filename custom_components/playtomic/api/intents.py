"""The three booking steps (§5), the confirmation outcome table (§5.4) and reconciliation (§8).

Safety rules enforced here: a confirmation is sent at most once per intent (the only replay is
the 401 one inside the request core), and at most one unconfirmed intent lives per target.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
import logging

from . import contract
from .errors import (
    BookingOutcomeUnknownError,
    IntentAlreadyOpenError,
    PaymentActionRequiredError,
    PaymentNotPossibleError,
    PlaytomicConnectionError,
    PlaytomicError,
    SlotNotAvailableError,
)
from .ids import check_id, id_path
from .links import checkout_link
from .matches import own_matches
from .models import BookingResult, BookingTarget, PaymentIntent
from .payments import PaymentCategory, choose_method, short_wallets
from .session import ApiSession
from .timeconv import format_utc
from .transport import RawResponse

_LOGGER = logging.getLogger(__name__)


class IntentLedger:
    """Live (unconfirmed) intents per target and every intent a confirmation was sent for."""

    def __init__(self) -> None:
        self._live: dict[tuple[str, str, datetime, int], tuple[str, datetime]] = {}
        self._confirm_sent: set[str] = set()

    def open_intent(self, target: BookingTarget, now: datetime) -> str | None:
        """The id of a live intent for this target, if one has not expired yet."""
        entry = self._live.get(target.key)
        if entry is None:
            return None
        intent_id, created = entry
        if now - created >= contract.INTENT_ASSUMED_LIFETIME:
            del self._live[target.key]
            return None
        return intent_id

    def add(self, target: BookingTarget, intent_id: str, now: datetime) -> None:
        """Remember a newly created intent (a hedge replaces the remembered one)."""
        self._live[target.key] = (intent_id, now)

    def release(self, target: BookingTarget) -> None:
        """The target has no live intent any more (confirmed, lost, or released by the caller)."""
        self._live.pop(target.key, None)

    def first_confirmation(self, intent_id: str) -> bool:
        """True exactly once per intent id."""
        if intent_id in self._confirm_sent:
            return False
        self._confirm_sent.add(intent_id)
        return True


def _action_required(intent: PaymentIntent, target: BookingTarget) -> PaymentActionRequiredError:
    return PaymentActionRequiredError(
        "The booking needs a payment step in the Playtomic app",
        deep_link=checkout_link(
            target.tenant_id, target.resource_id, target.start, target.duration
        ),
        action=intent.next_payment_action or intent.status,
        action_url=intent.action_url,
        payment_intent_id=intent.payment_intent_id,
    )


def _slot_gone(response: RawResponse) -> SlotNotAvailableError | None:
    """§11.2: the error for a "not available" answer (409, or 400/422 with its code), else None."""
    code, message = response.error_code_and_message()
    if not contract.is_slot_unavailable(response.status, code):
        return None
    return SlotNotAvailableError(response.status, code, message)


def _outcome_may_be_booked(err: PlaytomicError) -> bool:
    """A timeout or lost connection after sending: the server may have booked (§8 rule 2)."""
    return isinstance(err, PlaytomicConnectionError)


class BookingSteps:
    """The booking steps of one account, on its ApiSession, with its ledger of intents."""

    def __init__(self, session: ApiSession) -> None:
        self._session = session
        self._ledger = IntentLedger()

    def release(self, target: BookingTarget) -> None:
        """Forget the live intent for this target so a new one may be created (§8 rule 3)."""
        self._ledger.release(target)

    async def read_intent(self, intent_id: str) -> PaymentIntent:
        """Read an intent again (§8 rule 2)."""
        payload = await self._session.get_json(
            id_path(contract.PATH_PAYMENT_INTENT, intent_id=intent_id)
        )
        return PaymentIntent.from_json(payload)

    async def create_intent(
        self,
        target: BookingTarget,
        number_of_players: int | None,
        *,
        hedge: bool,
    ) -> PaymentIntent:
        """§5.1. A 409, or a 400/422 with a "not available" code (§11.2): not available to us."""
        check_id(target.tenant_id, "tenant_id")
        check_id(target.resource_id, "resource_id")
        open_id = self._ledger.open_intent(target, self._session.now())
        if open_id is not None and not hedge:
            raise IntentAlreadyOpenError(
                "An unconfirmed payment intent for this slot is still open",
                payment_intent_id=open_id,
            )
        user_id = await self._session.require_user_id()
        if number_of_players is None:
            number_of_players = (
                contract.PLAYERS_SINGLE if target.single_court else contract.PLAYERS_DOUBLE
            )
        body = contract.payment_intent_body(
            user_id=user_id,
            tenant_id=target.tenant_id,
            resource_id=target.resource_id,
            start=format_utc(target.start),
            duration=target.duration,
            number_of_players=number_of_players,
        )
        response = await self._session.call("POST", contract.PATH_PAYMENT_INTENTS, json_body=body)
        if (gone := _slot_gone(response)) is not None:
            raise gone
        intent = PaymentIntent.from_json(self._session.ok_or_raise(response).json())
        self._ledger.add(target, intent.payment_intent_id, self._session.now())
        return intent

    async def select_method(self, intent_id: str, method_id: str) -> PaymentIntent:
        """§5.3. A 503 means the method cannot be used online (not retried)."""
        response = await self._session.call(
            "PATCH",
            id_path(contract.PATH_PAYMENT_INTENT, intent_id=intent_id),
            json_body=contract.select_method_body(method_id),
        )
        if response.status == 503:
            raise PaymentNotPossibleError(
                "Playtomic cannot take this payment method online",
                offered=(method_id,),
                http_status=503,
                payment_intent_id=intent_id,
            )
        intent = PaymentIntent.from_json(self._session.ok_or_raise(response).json())
        if not intent.requires_action and intent.status not in contract.INTENT_READY_STATUSES:
            # §11.5 names REQUIRES_CONFIRMATION (and the older PENDING); confirm anyway, but leave a
            # trace of the new value for whoever compares our notes with the real API.
            _LOGGER.warning("Unexpected payment intent status after PATCH: %s", intent.status)
        return intent

    async def confirm(self, intent_id: str, target: BookingTarget) -> str:
        """§5.4 outcome table. Returns the match id or raises; never sends a second confirmation."""
        path = id_path(contract.PATH_CONFIRMATION, intent_id=intent_id)  # checked before anything
        ledger = self._ledger
        if not ledger.first_confirmation(intent_id):
            _LOGGER.warning(
                "Confirmation of intent %s was already sent; checking instead", intent_id
            )
            return await self.reconcile(intent_id, target)
        try:
            response = await self._session.call(
                "POST",
                path,
                json_body=contract.confirmation_body(),
            )
        except PlaytomicError as err:
            if not _outcome_may_be_booked(err):
                raise
            _LOGGER.warning(
                "Confirmation of intent %s failed (%s); reconciling", intent_id, type(err).__name__
            )
            return await self.reconcile(intent_id, target)

        if response.ok:
            try:
                intent = PaymentIntent.from_json(response.json())
            except PlaytomicError:
                return await self.reconcile(intent_id, target)
            if intent.requires_action:
                raise _action_required(intent, target)
            if intent.succeeded and intent.match_id:
                ledger.release(target)
                return intent.match_id
            return await self.reconcile(intent_id, target)
        if (gone := _slot_gone(response)) is not None:
            ledger.release(target)
            raise gone
        if response.status == 503:
            ledger.release(target)
            raise PaymentNotPossibleError(
                "Playtomic could not take the payment (503 on confirmation)",
                http_status=503,
                payment_intent_id=intent_id,
            )
        if response.status in (422, 429) or response.status >= 500:
            # 422 PAYMENT_INTENT_STATUS_INVALID: already confirmed; 429/5xx: unknown. Look, never resend.
            return await self.reconcile(intent_id, target)
        raise self._session.error(response)

    async def reconcile(self, intent_id: str, target: BookingTarget) -> str:
        """§8 rule 2: matches list, then the intent, then the matches after ~2 s and ~10 s."""
        last_error: PlaytomicError | None = None
        rounds = (0.0, *contract.RECONCILE_RECHECK_DELAYS)
        for index, delay in enumerate(rounds):
            if delay:
                await self._session.sleep(delay)
            try:
                for match in await own_matches(self._session, upcoming_only=False):
                    if match.matches_target(target) and not match.is_inactive:
                        self._ledger.release(target)
                        _LOGGER.info(
                            "Booking of intent %s found as match %s", intent_id, match.match_id
                        )
                        return match.match_id
            except PlaytomicError as err:
                last_error = err
            if index == 0:
                try:
                    intent = await self.read_intent(intent_id)
                except PlaytomicError as err:
                    last_error = err
                else:
                    if intent.succeeded and intent.match_id:
                        self._ledger.release(target)
                        return intent.match_id
        raise BookingOutcomeUnknownError(
            "Could not establish whether the booking went through", payment_intent_id=intent_id
        ) from last_error

    async def book(
        self,
        target: BookingTarget,
        policy: Iterable[PaymentCategory | str],
        *,
        dry_run: bool,
        hedge: bool,
    ) -> BookingResult:
        """Create, choose, PATCH, confirm. A dry run stops after choosing (no PATCH, no confirm)."""
        intent = await self.create_intent(target, None, hedge=hedge)
        skipped = tuple(
            m.label for m in short_wallets(intent.available_payment_methods, intent.price)
        )
        method, category = choose_method(
            intent.available_payment_methods,
            policy,
            payment_intent_id=intent.payment_intent_id,
            price=intent.price,
        )
        if dry_run:
            return BookingResult(
                target,
                intent.payment_intent_id,
                None,
                method,
                category.value,
                dry_run=True,
                skipped_wallets=skipped,
            )
        selected = await self.select_method(intent.payment_intent_id, method.payment_method_id)
        if selected.requires_action:
            raise _action_required(selected, target)
        match_id = await self.confirm(intent.payment_intent_id, target)
        return BookingResult(
            target,
            intent.payment_intent_id,
            match_id,
            method,
            category.value,
            skipped_wallets=skipped,
        )
