"""Login, refresh variants, rotation, expiry and the Bearer check (docs/playtomic-api.md §2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fake_playtomic import FakeClock, FakePlaytomic

from .conftest import ALICE, T0, Player

BEARER_PATHS = [
    ("GET", "/v1/tenants"),
    ("GET", "/v1/tenants/x"),
    ("GET", "/v1/tenants/x/resources"),
    ("GET", "/v1/availability"),
    ("POST", "/v1/payment_intents"),
    ("GET", "/v1/payment_intents/x"),
    ("PATCH", "/v1/payment_intents/x"),
    ("POST", "/v1/payment_intents/x/confirmation"),
    ("GET", "/v1/matches"),
    ("GET", "/v1/matches/x"),
    ("POST", "/v1/matches/x/cancellation"),
    ("GET", "/v2/users/me"),
]


async def test_login_returns_naive_utc_expirations_and_no_expires_in(
    fake: FakePlaytomic, alice: Player
) -> None:
    tokens = alice.tokens
    assert set(tokens) == {
        "access_token",
        "access_token_expiration",
        "refresh_token",
        "refresh_token_expiration",
        "user_id",
    }
    assert tokens["user_id"] == ALICE[2]
    assert tokens["access_token_expiration"] == "2026-03-02T09:00:00"
    assert tokens["refresh_token_expiration"] == "2026-05-01T08:00:00"
    assert tokens["access_token"] in fake.issued_tokens
    assert tokens["refresh_token"] in fake.issued_tokens


async def test_login_without_roles_is_accepted(anon: Player) -> None:
    reply = await anon.call(
        "POST", "/v3/auth/login", json={"email": ALICE[0].upper(), "password": ALICE[1]}, auth=False
    )
    assert reply.status == 200
    assert reply.body["user_id"] == ALICE[2]


async def test_wrong_password_is_401_json(anon: Player) -> None:
    reply = await anon.call(
        "POST", "/v3/auth/login", json={"email": ALICE[0], "password": "nope"}, auth=False
    )
    assert reply.status == 401
    assert reply.body == {"status": "UNAUTHORIZED", "localized_message": "Wrong email or password"}


@pytest.mark.parametrize("body", [{"email": ALICE[0]}, ["x"], {"email": 1, "password": "x"}])
async def test_login_with_wrong_shape_is_400(anon: Player, body: object) -> None:
    reply = await anon.call("POST", "/v3/auth/login", json=body, auth=False)
    assert reply.status == 400
    assert reply.body["status"] == "INCORRECT_PARAMETERS"


@pytest.mark.parametrize(
    "extra",
    [
        {"requested_user_roles": ["ROLE_CUSTOMER"]},
        {},
        {"grant_type": "refresh_token"},
    ],
)
async def test_refresh_accepts_all_three_bodies_and_rotates(
    fake: FakePlaytomic, alice: Player, extra: dict[str, object]
) -> None:
    old = alice.tokens
    reply = await alice.call(
        "POST", "/v3/auth/token", json={**extra, "refresh_token": old["refresh_token"]}, auth=False
    )
    assert reply.status == 200
    assert reply.body["refresh_token"] != old["refresh_token"]
    assert reply.body["access_token"] != old["access_token"]
    assert reply.body["user_id"] == ALICE[2]
    assert "expires_in" not in reply.body
    assert reply.body["refresh_token"] in fake.issued_tokens
    # The used refresh token is dead now.
    again = await alice.call(
        "POST", "/v3/auth/token", json={"refresh_token": old["refresh_token"]}, auth=False
    )
    assert again.status == 401
    assert again.body["status"] == "UNAUTHORIZED"
    # The new one works once.
    newer = await alice.call(
        "POST", "/v3/auth/token", json={"refresh_token": reply.body["refresh_token"]}, auth=False
    )
    assert newer.status == 200


async def test_refresh_with_unknown_token_or_bad_grant(alice: Player) -> None:
    unknown = await alice.call("POST", "/v3/auth/token", json={"refresh_token": "nope"}, auth=False)
    assert unknown.status == 401
    bad_grant = await alice.call(
        "POST",
        "/v3/auth/token",
        json={"grant_type": "password", "refresh_token": alice.tokens["refresh_token"]},
        auth=False,
    )
    assert bad_grant.status == 400
    missing = await alice.call("POST", "/v3/auth/token", json={}, auth=False)
    assert missing.status == 400


async def test_access_token_expires_on_the_fake_clock(clock: FakeClock, alice: Player) -> None:
    clock.set(datetime(2026, 3, 2, 8, 59, 59, tzinfo=UTC))
    assert (await alice.get("/v2/users/me")).status == 200
    clock.set(datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC))
    expired = await alice.get("/v2/users/me")
    assert expired.status == 401
    assert expired.body["status"] == "UNAUTHORIZED"
    assert expired.body["localized_message"]


async def test_refresh_token_expires(clock: FakeClock, alice: Player) -> None:
    clock.set(datetime(2026, 5, 1, 8, 0, tzinfo=UTC))
    reply = await alice.call(
        "POST", "/v3/auth/token", json={"refresh_token": alice.tokens["refresh_token"]}, auth=False
    )
    assert reply.status == 401


async def test_short_ttls_are_configurable() -> None:
    fake = FakePlaytomic(clock=FakeClock(T0), access_ttl=30, refresh_ttl=120)
    fake.add_account("a@b.c", "pw")
    pair = fake.state.tokens.issue("1001")
    assert (pair.access.expires_at - T0).total_seconds() == 30
    assert (pair.refresh.expires_at - T0).total_seconds() == 120


async def test_expire_tokens_kills_access_then_refresh(fake: FakePlaytomic, alice: Player) -> None:
    assert fake.expire_tokens() >= 1
    assert (await alice.get("/v2/users/me")).status == 401
    refreshed = await alice.call(
        "POST", "/v3/auth/token", json={"refresh_token": alice.tokens["refresh_token"]}, auth=False
    )
    assert refreshed.status == 200
    fake.expire_tokens(refresh=True)
    dead = await alice.call(
        "POST",
        "/v3/auth/token",
        json={"refresh_token": refreshed.body["refresh_token"]},
        auth=False,
    )
    assert dead.status == 401


@pytest.mark.parametrize(("method", "path"), BEARER_PATHS)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc"])
async def test_every_bearer_path_needs_a_valid_token(
    anon: Player, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    reply = await anon.call(method, path, headers=headers, auth=False)
    assert reply.status == 401
    assert reply.body["status"] == "UNAUTHORIZED"
    assert isinstance(reply.body["localized_message"], str)


async def test_users_me(alice: Player) -> None:
    reply = await alice.get("/v2/users/me")
    assert reply.status == 200
    assert reply.body["user_id"] == ALICE[2]
    assert reply.body["email"] == ALICE[0]
    assert reply.body["full_name"] == "Alice"


async def test_refresh_keeps_token_switch_omits_it_and_keeps_the_old_one_valid(
    fake: FakePlaytomic, alice: Player
) -> None:
    fake.variants.refresh_keeps_token = True
    old = alice.tokens["refresh_token"]
    for _ in range(2):
        reply = await alice.call("POST", "/v3/auth/token", json={"refresh_token": old}, auth=False)
        assert reply.status == 200
        assert "refresh_token" not in reply.body
        assert reply.body["access_token"] in fake.issued_tokens
