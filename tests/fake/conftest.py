"""A running fake with one club and two players, plus a tiny raw-HTTP helper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from tests.fake_playtomic import CourtSpec, DailyDrop, FakeClock, FakeClub, FakePlaytomic

# Monday 2 March 2026, 08:00 UTC = 09:00 in Madrid (CET), after that day's 08:30 drop.
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ALICE = ("alice@example.com", "correct-horse-battery", "1001")
BOB = ("bob@example.com", "tr0ub4dor&3", "1002")


@dataclass
class Reply:
    status: int
    body: Any
    headers: aiohttp.typedefs.LooseHeaders
    text: str


class Player:
    """Raw HTTP calls as one user; keeps the current access token."""

    def __init__(
        self, session: aiohttp.ClientSession, fake: FakePlaytomic, email: str, password: str
    ) -> None:
        self.session = session
        self.fake = fake
        self.email = email
        self.password = password
        self.tokens: dict[str, Any] = {}

    async def login(self) -> dict[str, Any]:
        reply = await self.call(
            "POST",
            "/v3/auth/login",
            json={
                "email": self.email,
                "password": self.password,
                "requested_user_roles": ["ROLE_CUSTOMER"],
            },
            auth=False,
        )
        assert reply.status == 200, reply.text
        self.tokens = reply.body
        return reply.body

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        auth: bool = True,
        headers: dict[str, str] | None = None,
        client_timeout: float | None = None,
    ) -> Reply:
        sent = {"Accept": "application/json"}
        if auth and self.tokens:
            sent["Authorization"] = f"Bearer {self.tokens['access_token']}"
        sent.update(headers or {})
        async with self.session.request(
            method,
            self.fake.url + path,
            json=json,
            params=params,
            headers=sent,
            timeout=aiohttp.ClientTimeout(total=client_timeout) if client_timeout else None,
        ) as response:
            text = await response.text()
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            return Reply(response.status, body, response.headers, text)

    async def get(self, path: str, **params: str) -> Reply:
        return await self.call("GET", path, params=params or None)

    async def availability(self, club: FakeClub, start_min: str, start_max: str) -> Reply:
        return await self.get(
            "/v1/availability",
            tenant_id=club.tenant_id,
            sport_id="PADEL",
            user_id="me",
            start_min=start_min,
            start_max=start_max,
        )

    async def create_intent(
        self, club: FakeClub, resource_id: str, start: str, duration: int = 90, **extra: Any
    ) -> Reply:
        return await self.call(
            "POST",
            "/v1/payment_intents",
            json=intent_body(club, resource_id, start, duration, **extra),
        )

    async def book(self, club: FakeClub, resource_id: str, start: str, duration: int = 90) -> Reply:
        """Create, select cash, confirm; returns the confirmation reply."""
        created = await self.create_intent(club, resource_id, start, duration)
        assert created.status == 200, created.text
        intent_id = created.body["payment_intent_id"]
        chosen = await self.call(
            "PATCH",
            f"/v1/payment_intents/{intent_id}",
            json={"selected_payment_method_id": "CASH", "selected_payment_method_data": None},
        )
        assert chosen.status == 200, chosen.text
        return await self.call("POST", f"/v1/payment_intents/{intent_id}/confirmation")


def intent_body(
    club: FakeClub, resource_id: str, start: str, duration: int, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "supports_split_payment": True,
        "number_of_players": 4,
        "tenant_id": club.tenant_id,
        "resource_id": resource_id,
        "start": start,
        "duration": duration,
        "match_registrations": [{"user_id": extra.get("user_id", "me"), "pay_now": True}],
    }
    return {
        "allowed_payment_method_types": extra.get(
            "allowed",
            [
                "OFFER",
                "CASH",
                "MERCHANT_WALLET",
                "DIRECT",
                "SWISH",
                "IDEAL",
                "BANCONTACT",
                "PAYTRAIL",
                "CREDIT_CARD",
                "QUICK_PAY",
            ],
        ),
        "user_id": extra.get("user_id", "me"),
        "cart": {
            "requested_item": {
                "cart_item_type": "CUSTOMER_MATCH",
                "cart_item_voucher_id": None,
                "cart_item_data": data,
            }
        },
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakePlaytomic]:
    server = FakePlaytomic(clock=clock)
    server.add_account(ALICE[0], ALICE[1], user_id=ALICE[2], name="Alice")
    server.add_account(BOB[0], BOB[1], user_id=BOB[2], name="Bob")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def club(fake: FakePlaytomic) -> FakeClub:
    """Madrid, daily drop 14 days ahead at 08:30, 08:00-23:00, 24 EUR/h."""
    return fake.add_club(
        "Club Padel Norte",
        timezone="Europe/Madrid",
        courts=[
            CourtSpec("Pista 1", indoor=True),
            CourtSpec("Pista 2", indoor=False, durations=(60, 90)),
        ],
        release=DailyDrop(days_ahead=14, time=time(8, 30)),
        price_per_hour=Decimal(24),
        payment_methods=("CASH", "MERCHANT_WALLET", "OFFER", "CREDIT_CARD", "QUICK_PAY", "IDEAL"),
    )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def alice(session: aiohttp.ClientSession, fake: FakePlaytomic) -> Player:
    player = Player(session, fake, ALICE[0], ALICE[1])
    await player.login()
    return player


@pytest.fixture
async def bob(session: aiohttp.ClientSession, fake: FakePlaytomic) -> Player:
    player = Player(session, fake, BOB[0], BOB[1])
    await player.login()
    return player


@pytest.fixture
def anon(session: aiohttp.ClientSession, fake: FakePlaytomic) -> Player:
    return Player(session, fake, "nobody@example.com", "x")
