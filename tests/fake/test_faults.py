"""Scripted faults: canned replies, 5xx, 429, edge block, garbage, hang, drop, latency."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from tests.fake_playtomic import FakeClub, FakePlaytomic

from .conftest import Player


async def test_respond_overrides_once(fake: FakePlaytomic, alice: Player) -> None:
    fake.respond(
        "GET",
        r"^/v1/tenants$",
        status=418,
        json={"status": "TEAPOT", "localized_message": "x"},
        headers={"X-Test": "1"},
    )
    first = await alice.get("/v1/tenants")
    assert (first.status, first.body["status"], first.headers["X-Test"]) == (418, "TEAPOT", "1")
    assert (await alice.get("/v1/tenants")).status == 200


async def test_respond_with_text(fake: FakePlaytomic, alice: Player) -> None:
    fake.respond("*", "/v2/users/me", status=200, text="hello")
    reply = await alice.get("/v2/users/me")
    assert reply.text == "hello"


async def test_fail_counts_and_method_matching(fake: FakePlaytomic, alice: Player) -> None:
    fake.fail("POST", r"^/v1/tenants$", status=500)
    assert (await alice.get("/v1/tenants")).status == 200  # other method: untouched
    fake.clear_faults()
    fault = fake.fail("GET", r"^/v1/tenants$", status=502, count=2)
    first = await alice.get("/v1/tenants")
    second = await alice.get("/v1/tenants")
    third = await alice.get("/v1/tenants")
    assert [first.status, second.status, third.status] == [502, 502, 200]
    assert set(first.body) == {"status", "localized_message"}
    assert fault.hits == 2


async def test_fail_until_cleared(fake: FakePlaytomic, alice: Player) -> None:
    fake.fail("*", "/v1/", status=503, count=None)
    for _ in range(3):
        assert (await alice.get("/v1/tenants")).status == 503
    fake.clear_faults()
    assert (await alice.get("/v1/tenants")).status == 200


async def test_rate_limit_sends_retry_after(fake: FakePlaytomic, alice: Player) -> None:
    fake.rate_limit("GET", "/v1/availability", retry_after="7")
    reply = await alice.get("/v1/availability")
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "7"
    assert reply.body["status"] == "TOO_MANY_REQUESTS"


async def test_edge_block_is_the_cloudfront_page(
    fake: FakePlaytomic, alice: Player, anon: Player
) -> None:
    fake.edge_block()
    for player, path in ((alice, "/v1/tenants"), (anon, "/v3/auth/login")):
        reply = await player.call("POST" if "auth" in path else "GET", path, json={})
        assert reply.status == 403
        assert reply.headers["Server"] == "CloudFront"
        assert reply.headers["Content-Type"] == "text/html"
        assert reply.headers["X-Amz-Cf-Id"]
        assert reply.text.startswith("<!DOCTYPE HTML")
        assert "<TITLE>ERROR: The request could not be satisfied</TITLE>" in reply.text
        assert "403 ERROR" in reply.text
        assert reply.body is None


async def test_faults_come_before_the_token_check(fake: FakePlaytomic, anon: Player) -> None:
    fake.fail("GET", "/v1/tenants", status=503)
    assert (await anon.get("/v1/tenants")).status == 503


async def test_malformed_is_200_with_invalid_json(fake: FakePlaytomic, alice: Player) -> None:
    fake.malformed("GET", "/v1/matches")
    reply = await alice.get("/v1/matches")
    assert reply.status == 200
    assert reply.body is None
    assert reply.text


async def test_hang_never_answers_and_stop_ends_it(fake: FakePlaytomic, alice: Player) -> None:
    fake.hang("GET", "/v1/tenants")
    with pytest.raises(TimeoutError):
        await alice.call("GET", "/v1/tenants", client_timeout=0.2)
    assert fake.requests[-1].status is None
    assert fake.requests[-1].fault == "hang"
    # The next request is served normally.
    assert (await alice.get("/v1/tenants")).status == 200


async def test_stop_with_a_pending_hang_leaves_no_task(alice: Player) -> None:
    fake = FakePlaytomic(clock=alice.fake.clock)
    fake.add_account(alice.email, alice.password, user_id="1001")
    await fake.start()
    fake.hang("*", ".*")
    pending = asyncio.ensure_future(alice.session.get(fake.url + "/v1/tenants"))
    while not fake.requests:  # noqa: ASYNC110 - no hook fires when the server receives it
        await asyncio.sleep(0.01)
    await fake.stop()
    with pytest.raises(aiohttp.ClientError):
        await asyncio.wait_for(pending, 2)


async def test_drop_after_confirm_books_then_disconnects(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    created = await alice.create_intent(club, club.courts[0].resource_id, "2026-03-16T17:30:00")
    intent_id = created.body["payment_intent_id"]
    await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": "CASH"}
    )
    fake.drop_after_confirm()
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation")
    [match] = fake.matches
    assert match.owner_id == "1001"
    # The outcome is there for reconciliation (docs/playtomic-api.md §8 rule 2).
    listed = await alice.get("/v1/matches", owner_id="1001")
    assert [m["match_id"] for m in listed.body] == [match.match_id]
    intent = await alice.get(f"/v1/payment_intents/{intent_id}")
    assert intent.body["status"] == "SUCCEEDED"
    assert fake.requests[-3].fault == "drop_after_confirm"


async def test_latency_delays_every_answer(fake: FakePlaytomic, alice: Player) -> None:
    fake.latency = 0.05
    started = time.monotonic()
    await alice.get("/v1/tenants")
    assert time.monotonic() - started >= 0.05


def test_unknown_fault_kind_is_rejected(fake: FakePlaytomic) -> None:
    from tests.fake_playtomic import Fault

    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.faults.add(Fault("explode", "*", ".*", 1))
