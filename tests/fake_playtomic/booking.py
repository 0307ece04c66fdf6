"""The three booking steps: create intent, select a method, confirm (docs/playtomic-api.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
import uuid

from aiohttp import web

from .auth import current_user
from .club import FakeClub
from .models import (
    INTENT_REQUIRES_ACTION,
    INTENT_REQUIRES_CONFIRMATION,
    INTENT_SUCCEEDED,
    OPEN_INTENT_STATUSES,
    FakeIntent,
    OfferedMethod,
)
from .responses import (
    NOT_FOUND,
    PAYMENT_INTENT_STATUS_INVALID,
    RESOURCE_NO_AVAILABLE,
    InvalidBodyError,
    api_error,
    bad_parameters,
    json_body,
    json_ok,
)
from .state import NOT_RELEASED, UNKNOWN_SLOT
from .wire import naive_utc, parse_utc, price_text

if TYPE_CHECKING:
    from .server import FakePlaytomic

# Methods whose selection needs the user's card: the PATCH answers with a Stripe action.
CARD_TYPES = frozenset({"CREDIT_CARD", "QUICK_PAY", "PAYPAL", "GOOGLE_PAY"})
# Both wallet types of docs/playtomic-api.md §11.1; with a club balance they show it in `data` (§11.5).
WALLET_TYPES = frozenset({"MERCHANT_WALLET", "WALLET"})
INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"  # fake-only code
# Redirect methods fail at the PATCH step (docs/playtomic-api.md §5.3 DECISION).
REDIRECT_TYPES = frozenset({"IDEAL", "BANCONTACT", "SWISH", "SWISH_STRIPE", "PAYTRAIL"})
METHOD_NAMES = {
    "CASH": "Pay at the club",
    "CREDIT_CARD": "Card",
    "MERCHANT_WALLET": "Club wallet",
    "WALLET": "Wallet",
    "GOOGLE_PAY": "Google Pay",
    "SWISH_STRIPE": "Swish",
    "OFFER": "Bonus pack (10 matches)",
    "QUICK_PAY": "Apple Pay / Google Pay",
    "PAYPAL": "PayPal",
    "IDEAL": "iDEAL",
    "BANCONTACT": "Bancontact",
    "SWISH": "Swish",
    "PAYTRAIL": "Paytrail",
    "DIRECT": "Direct",
}
STRIPE_PUBLIC_KEY = "pk_test_fakeplaytomic000000000000"
STRIPE_3DS_URL = "https://hooks.stripe.com/3d_secure_2/hosted?payment_intent={intent}"
_METHOD_NAMESPACE = uuid.UUID("7c1f6a8e-3a51-4b7e-9a43-5f0c1f2d9e10")


def offered_methods(
    club: FakeClub, price: str, allowed: list[str] | None
) -> tuple[OfferedMethod, ...]:
    """The club's methods the client allowed, with ids stable per club (like saved cards)."""
    methods: list[OfferedMethod] = []
    for method_type in club.payment_methods:
        if allowed is not None and method_type not in allowed:
            continue
        stable = uuid.uuid5(_METHOD_NAMESPACE, f"{club.tenant_id}:{method_type}")
        if method_type == "CREDIT_CARD":
            method_id = f"CREDIT_CARD-STRIPE_{stable}"
        elif method_type in WALLET_TYPES | {"OFFER"}:
            method_id = f"{method_type}-{stable}"
        else:
            method_id = method_type
        amount = price_text(Decimal(0), club.currency) if method_type == "OFFER" else price
        data = None
        if method_type in WALLET_TYPES and club.wallet_balance is not None:
            data = {"balance": price_text(club.wallet_balance, club.currency), "name": club.name}
        methods.append(
            OfferedMethod(
                method_id, method_type, METHOD_NAMES.get(method_type, method_type), amount, data
            )
        )
    return tuple(methods)


def intent_json(intent: FakeIntent) -> dict[str, Any]:
    item_data: dict[str, Any] = {
        "tenant_id": intent.tenant_id,
        "resource_id": intent.resource_id,
        "start": naive_utc(intent.start),
        "duration": intent.duration,
        "number_of_players": intent.number_of_players,
    }
    if intent.match_id is not None:
        item_data["match_id"] = intent.match_id
    selected = intent.selected_method()
    card = selected is not None and selected.method_type in CARD_TYPES
    body: dict[str, Any] = {
        "payment_intent_id": intent.payment_intent_id,
        "status": intent.status,
        "user_id": intent.user_id,
        "price": intent.price,
        "created_at": naive_utc(intent.created_at),
        "available_payment_methods": [
            {
                "payment_method_id": method.payment_method_id,
                "method_type": method.method_type,
                "name": method.name,
                "amount": method.amount,
                "data": method.data,
            }
            for method in intent.methods
        ],
        "selected_payment_method_id": intent.selected_method_id,
        "next_payment_action": "OPEN_STRIPE" if card and intent.match_id is None else None,
        "cart": {"item": {"cart_item_type": "CUSTOMER_MATCH", "cart_item_data": item_data}},
    }
    if body["next_payment_action"] is not None:
        body["next_payment_action_data"] = {
            "stripe_client_secret": f"pi_{intent.payment_intent_id.replace('-', '')}_secret_fake",
            "stripe_public_key": STRIPE_PUBLIC_KEY,
        }
    return body


@dataclass(frozen=True)
class _Target:
    tenant_id: str
    resource_id: str
    start: datetime
    duration: int
    players: int | None


def _parse_create(body: Any, user_id: str) -> _Target | str:
    """The booking target, or why the body has the wrong shape (→ 400)."""
    if not isinstance(body, dict):
        return "Body must be a JSON object"
    body_user = body.get("user_id")
    if body_user is not None and body_user not in (user_id, "me"):
        return "user_id does not match the signed-in user"
    allowed = body.get("allowed_payment_method_types")
    if allowed is not None and (
        not isinstance(allowed, list) or not all(isinstance(m, str) for m in allowed)
    ):
        return "allowed_payment_method_types must be a list of strings"
    cart = body.get("cart")
    item = cart.get("requested_item") if isinstance(cart, dict) else None
    if not isinstance(item, dict) or item.get("cart_item_type") != "CUSTOMER_MATCH":
        return "cart.requested_item with cart_item_type CUSTOMER_MATCH is required"
    data = item.get("cart_item_data")
    if not isinstance(data, dict):
        return "cart.requested_item.cart_item_data is required"
    tenant_id, resource_id = data.get("tenant_id"), data.get("resource_id")
    start_text, duration = data.get("start"), data.get("duration")
    players = data.get("number_of_players")
    if not isinstance(tenant_id, str) or not isinstance(resource_id, str):
        return "tenant_id and resource_id are required"
    start = parse_utc(start_text) if isinstance(start_text, str) else None
    if start is None:
        return "start must be a UTC timestamp YYYY-MM-DDTHH:MM:SS"
    if isinstance(duration, bool) or not isinstance(duration, int):
        return "duration must be an integer number of minutes"
    if players is not None and (isinstance(players, bool) or not isinstance(players, int)):
        return "number_of_players must be an integer"
    return _Target(tenant_id, resource_id, start, duration, players)


class BookingHandlers:
    def __init__(self, fake: FakePlaytomic) -> None:
        self._fake = fake

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/payment_intents", self.create),
            web.get("/v1/payment_intents/{intent_id}", self.get),
            web.patch("/v1/payment_intents/{intent_id}", self.select_method),
            web.post("/v1/payment_intents/{intent_id}/confirmation", self.confirm),
        ]

    def _own_intent(self, request: web.Request) -> FakeIntent | None:
        intent = self._fake.state.find_intent(request.match_info["intent_id"])
        if intent is None or intent.user_id != current_user(request):
            return None
        return intent

    async def create(self, request: web.Request) -> web.Response:
        user_id = current_user(request)
        try:
            body = await json_body(request)
        except InvalidBodyError:
            return bad_parameters("Body is not JSON")
        target = _parse_create(body, user_id)
        if isinstance(target, str):
            return bad_parameters(target)
        state = self._fake.state
        club = state.clubs.get(target.tenant_id)
        court = club.court(target.resource_id) if club else None
        if club is None or court is None:
            return api_error(409, RESOURCE_NO_AVAILABLE, "Booking not available: unknown court")
        if target.duration not in court.durations:
            return bad_parameters(f"duration must be one of {sorted(court.durations)}")
        reason = state.blocker(club, target.resource_id, target.start, target.duration, user_id)
        if reason is not None:
            message = "unknown slot" if reason == UNKNOWN_SLOT else reason
            # docs/playtomic-api.md §11.2: the same code may come with a 422 (switch `unreleased_status`).
            status = self._fake.variants.unreleased_status if reason == NOT_RELEASED else 409
            return api_error(status, RESOURCE_NO_AVAILABLE, f"Booking not available: {message}")
        price = club.price(target.start, target.duration)
        allowed = body.get("allowed_payment_method_types")
        intent = FakeIntent(
            payment_intent_id=str(uuid.uuid4()),
            user_id=user_id,
            tenant_id=club.tenant_id,
            resource_id=target.resource_id,
            start=target.start,
            duration=target.duration,
            number_of_players=target.players or (2 if court.size == "single" else 4),
            price=price,
            created_at=state.clock.now(),
            methods=offered_methods(club, price, allowed),
        )
        state.add_intent(intent)
        return json_ok(intent_json(intent))

    async def get(self, request: web.Request) -> web.Response:
        intent = self._own_intent(request)
        if intent is None:
            return api_error(404, NOT_FOUND, "Payment intent not found")
        return json_ok(intent_json(intent))

    async def select_method(self, request: web.Request) -> web.Response:
        intent = self._own_intent(request)
        if intent is None:
            return api_error(404, NOT_FOUND, "Payment intent not found")
        try:
            body = await json_body(request)
        except InvalidBodyError:
            return bad_parameters("Body is not JSON")
        method_id = body.get("selected_payment_method_id") if isinstance(body, dict) else None
        if not isinstance(method_id, str):
            return bad_parameters("selected_payment_method_id is required")
        if intent.status not in OPEN_INTENT_STATUSES:
            return api_error(
                422, PAYMENT_INTENT_STATUS_INVALID, f"Payment intent is {intent.status}"
            )
        method = next((m for m in intent.methods if m.payment_method_id == method_id), None)
        if method is None:
            return bad_parameters("This payment method was not offered for this payment")
        if method.method_type in REDIRECT_TYPES:
            return api_error(
                503, "PAYMENT_METHOD_NOT_AVAILABLE", f"{method.name} cannot be used here"
            )
        intent.selected_method_id = method.payment_method_id
        intent.status = INTENT_REQUIRES_CONFIRMATION
        return json_ok(intent_json(intent))

    async def confirm(self, request: web.Request) -> web.Response:
        intent = self._own_intent(request)
        if intent is None:
            return api_error(404, NOT_FOUND, "Payment intent not found")
        try:
            await json_body(request)
        except InvalidBodyError:
            return bad_parameters("Body is not JSON")
        if intent.status == INTENT_SUCCEEDED or intent.status not in OPEN_INTENT_STATUSES:
            return api_error(
                422, PAYMENT_INTENT_STATUS_INVALID, f"Payment intent is {intent.status}"
            )
        method = intent.selected_method()
        if method is None:
            return api_error(
                422, PAYMENT_INTENT_STATUS_INVALID, "No payment method selected for this payment"
            )
        state = self._fake.state
        club = state.clubs[intent.tenant_id]
        if state.is_taken(intent.resource_id, intent.start, intent.duration) or (
            state.is_held_against(intent.resource_id, intent.start, intent.duration, intent.user_id)
        ):
            return api_error(409, RESOURCE_NO_AVAILABLE, "Booking not available: slot was taken")
        if method.method_type in CARD_TYPES:
            intent.status = INTENT_REQUIRES_ACTION
            return json_ok(
                {
                    "payment_intent_id": intent.payment_intent_id,
                    "status": INTENT_REQUIRES_ACTION,
                    "next_payment_action_data": {
                        "stripe_next_action": {
                            "type": "redirect_to_url",
                            "value": {
                                "url": STRIPE_3DS_URL.format(intent=intent.payment_intent_id),
                                "return_url": "https://app.playtomic.io/payments/return",
                            },
                        }
                    },
                }
            )
        if method.method_type in WALLET_TYPES and club.wallet_balance is not None:
            cost = Decimal(intent.price.rpartition(" ")[0])
            if club.wallet_balance < cost:
                return api_error(422, INSUFFICIENT_BALANCE, "The wallet balance is too low")
            club.wallet_balance -= cost
        match = state.create_match(
            club,
            intent.resource_id,
            intent.start,
            intent.duration,
            intent.user_id,
            price=intent.price,
        )
        intent.match_id = match.match_id
        intent.status = INTENT_SUCCEEDED
        return json_ok(intent_json(intent))
