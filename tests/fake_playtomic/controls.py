"""HTTP controls under /_fake/ for the demo and end-to-end tests (no auth, not logged)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .faults import FAULT_KINDS
from .models import (
    DailyDrop,
    FakeIntent,
    FakeMatch,
    RecordedRequest,
    ReleaseModel,
    Rolling,
    ScheduledCancellation,
)
from .page import render, wants_html
from .responses import InvalidBodyError, bad_parameters, json_body, json_ok
from .wire import naive_utc, parse_utc

if TYPE_CHECKING:
    from .club import FakeClub
    from .server import FakePlaytomic

CONTROL_PREFIX = "/_fake"
CONTROL_ENDPOINTS = (
    "GET /_fake/ (this index)",
    "GET /_fake/requests | DELETE /_fake/requests",
    "GET /_fake/state",
    'POST /_fake/clock {"advance": seconds} | {"set": "2026-03-02T07:00:00Z"}',
    'POST /_fake/clubs/{tenant_id}/release {"model": "daily_drop", "days_ahead": 14, '
    '"time": "08:30:00"} | {"model": "rolling", "minutes": 2880} | {"in_seconds": 5}',
    'POST /_fake/competitors {"tenant_id", "resource_id", "start", "duration", "delay"} '
    '| {"tenant_id", "probability", "delay_range": [a, b], "seed"} '
    '| {"freed": true, "tenant_id"?, "delay_range": [a, b], "probability", "seed"}',
    'POST /_fake/cancellations {"match_id"?, "tenant_id"?, "at"? | "in_seconds"?} '
    "(no match_id: someone else's soonest upcoming match)",
    'POST /_fake/faults {"kind", "method", "path", "status", "count", "json", "text", '
    '"headers", "retry_after"} | DELETE /_fake/faults',
    'POST /_fake/tokens/expire {} | {"refresh": true}',
    "GET /_fake/tokens (every issued token pair, oldest first)",
    'POST /_fake/variants {"tenants_wrapped": bool, "matches_paged": bool,'
    ' "ignore_user_filter": bool, "refresh_keeps_token": bool, "unreleased_status": 409|422}',
    'POST /_fake/settings {"latency_ms": 20, "hold_seconds": 600}',
    'POST /_fake/bookings {"tenant_id", "resource_id", "start", "duration", "owner_id"}',
)


class ControlError(Exception):
    """A control request with a bad body (→ 400)."""


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def _number(body: dict[str, Any], key: str) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"{key} must be a number")
    return float(value)


def _timestamp(value: Any, key: str) -> Any:
    parsed = parse_utc(value) if isinstance(value, str) else None
    if parsed is None:
        raise ControlError(f"{key} must be an ISO timestamp (naive = UTC)")
    return parsed


def release_json(model: ReleaseModel) -> dict[str, Any]:
    if isinstance(model, Rolling):
        return {"model": "rolling", "minutes": model.minutes}
    return {"model": "daily_drop", "days_ahead": model.days_ahead, "time": model.time.isoformat()}


def _release_from(body: dict[str, Any]) -> ReleaseModel:
    model = body.get("model")
    if model == "rolling":
        return Rolling(minutes=int(_number(body, "minutes")))
    if model == "daily_drop":
        try:
            at = time.fromisoformat(str(body.get("time", "")))
        except ValueError:
            raise ControlError("time must be HH:MM[:SS]") from None
        return DailyDrop(days_ahead=int(_number(body, "days_ahead")), time=at)
    raise ControlError('model must be "daily_drop" or "rolling" (or send "in_seconds")')


def request_json(record: RecordedRequest) -> dict[str, Any]:
    headers = dict(record.headers)
    if "Authorization" in headers:
        # Tokens are fake, but the index is shared on screens during demos.
        headers["Authorization"] = headers["Authorization"][:15] + "…"
    return {
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "json": record.json,
        "headers": headers,
        "user_id": record.user_id,
        "received_at": record.received_at.isoformat(),
        "status": record.status,
        "fault": record.fault,
    }


def _match_json(match: FakeMatch) -> dict[str, Any]:
    return {
        "match_id": match.match_id,
        "tenant_id": match.tenant_id,
        "resource_id": match.resource_id,
        "start": naive_utc(match.start),
        "duration": match.duration,
        "owner_id": match.owner_id,
        "status": match.status,
        "price": match.price,
    }


def _cancellation_json(cancellation: ScheduledCancellation) -> dict[str, Any]:
    return {
        "match_id": cancellation.match_id,
        "at": naive_utc(cancellation.at),
        "done": cancellation.done,
        "outcome": cancellation.outcome,
    }


def _intent_json(intent: FakeIntent, live: bool) -> dict[str, Any]:
    return {
        "payment_intent_id": intent.payment_intent_id,
        "user_id": intent.user_id,
        "tenant_id": intent.tenant_id,
        "resource_id": intent.resource_id,
        "start": naive_utc(intent.start),
        "duration": intent.duration,
        "status": intent.status,
        "selected_payment_method_id": intent.selected_method_id,
        "match_id": intent.match_id,
        "holds_slot": live,
    }


class ControlHandlers:
    def __init__(self, fake: FakePlaytomic) -> None:
        self._fake = fake

    def routes(self) -> list[web.RouteDef]:
        p = CONTROL_PREFIX
        return [
            web.get(f"{p}/", self.index),
            web.get(p, self.index),
            web.get(f"{p}/requests", self.requests),
            web.delete(f"{p}/requests", self.clear_requests),
            web.get(f"{p}/state", self.state),
            web.post(f"{p}/clock", self._guard(self.clock)),
            web.post(f"{p}/clubs/{{tenant_id}}/release", self._guard(self.release)),
            web.post(f"{p}/competitors", self._guard(self.competitors)),
            web.post(f"{p}/cancellations", self._guard(self.cancellations)),
            web.post(f"{p}/faults", self._guard(self.add_fault)),
            web.delete(f"{p}/faults", self.clear_faults),
            web.post(f"{p}/tokens/expire", self._guard(self.expire_tokens)),
            web.get(f"{p}/tokens", self.tokens),
            web.post(f"{p}/variants", self._guard(self.variants)),
            web.post(f"{p}/settings", self._guard(self.settings)),
            web.post(f"{p}/bookings", self._guard(self.book)),
        ]

    def _guard(self, handler: Any) -> Any:
        """Parse the body and turn bad input into a 400 instead of a 500."""

        async def guarded(request: web.Request) -> web.Response:
            try:
                body = _object(await json_body(request))
                response: web.Response = await handler(request, body)
            except InvalidBodyError:
                return bad_parameters("body is not JSON")
            except (ControlError, KeyError, ValueError, TypeError) as err:
                return bad_parameters(str(err))
            return response

        return guarded

    def _club(self, tenant_id: str) -> FakeClub:
        club = self._fake.clubs.get(tenant_id)
        if club is None:
            raise ControlError(f"unknown tenant_id {tenant_id}")
        return club

    def _now(self) -> dict[str, Any]:
        clock = self._fake.clock
        return {"now": clock.now().isoformat(), "clock": "real" if clock.is_real else "frozen"}

    async def index(self, request: web.Request) -> web.Response:
        fake = self._fake
        if wants_html(request):
            return web.Response(
                text=render(fake, request.query.get("message")), content_type="text/html"
            )
        now = fake.clock.now()
        return json_ok(
            {
                **self._now(),
                "url": fake.url,
                "accounts": [
                    {"email": a.email, "password": a.password, "user_id": a.user_id, "name": a.name}
                    for a in fake.accounts.values()
                ],
                "clubs": [
                    {
                        "tenant_id": club.tenant_id,
                        "name": club.name,
                        "timezone": club.timezone,
                        "courts": [
                            {
                                "resource_id": c.resource_id,
                                "name": c.name,
                                "indoor": c.indoor,
                                "sport": c.sport,
                            }
                            for c in club.courts
                        ],
                        "release": release_json(club.release),
                        "member_extra_days": club.member_extra_days,
                        "next_release": club.next_release_after(now).isoformat(),
                    }
                    for club in fake.clubs.values()
                ],
                "settings": {"latency_ms": fake.latency * 1000, "hold_seconds": fake.hold_seconds},
                "controls": list(CONTROL_ENDPOINTS),
            }
        )

    async def requests(self, request: web.Request) -> web.Response:
        return json_ok([request_json(record) for record in self._fake.requests])

    async def clear_requests(self, request: web.Request) -> web.Response:
        self._fake.clear_requests()
        return json_ok({"cleared": True})

    async def state(self, request: web.Request) -> web.Response:
        fake = self._fake
        matches = fake.matches  # applies due competitors first
        now = fake.clock.now()
        return json_ok(
            {
                **self._now(),
                "matches": [_match_json(m) for m in matches],
                "intents": [
                    _intent_json(i, fake.state.hold_is_live(i, now)) for i in fake.intents.values()
                ],
                "competitors": [
                    {
                        "tenant_id": c.tenant_id,
                        "resource_id": c.resource_id,
                        "start": naive_utc(c.start),
                        "duration": c.duration,
                        "delay": c.delay,
                        "done": c.done,
                        "outcome": c.outcome,
                    }
                    for c in fake.state.competitors
                ],
                "cancellations": [_cancellation_json(c) for c in fake.state.cancellations],
                "freed": [
                    {
                        "tenant_id": f.tenant_id,
                        "resource_id": f.resource_id,
                        "start": naive_utc(f.start),
                        "duration": f.duration,
                        "freed_at": naive_utc(f.freed_at),
                    }
                    for f in fake.state.freed
                ],
                "faults": [fault.as_json() for fault in fake.faults.faults],
                "variants": fake.variants.as_json(),
            }
        )

    async def clock(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        if "advance" in body:
            self._fake.clock.advance(_number(body, "advance"))
        elif "set" in body:
            self._fake.clock.set(_timestamp(body["set"], "set"))
        else:
            raise ControlError('send {"advance": seconds} or {"set": iso}')
        self._fake.state.apply_competitors()
        return json_ok(self._now())

    async def release(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        club = self._club(request.match_info["tenant_id"])
        extra = body.get("member_extra_days")
        if extra is not None and not isinstance(extra, dict):
            raise ControlError("member_extra_days must map user ids to days")
        if "in_seconds" in body:
            self._fake.release_in(club.tenant_id, _number(body, "in_seconds"))
            if extra is not None:
                club.member_extra_days = {str(k): int(v) for k, v in extra.items()}
        else:
            self._fake.set_release(
                club.tenant_id,
                _release_from(body),
                member_extra_days=None
                if extra is None
                else {str(k): int(v) for k, v in extra.items()},
            )
        return json_ok(
            {
                "tenant_id": club.tenant_id,
                "release": release_json(club.release),
                "member_extra_days": club.member_extra_days,
                "next_release": club.next_release_after(self._fake.clock.now()).isoformat(),
            }
        )

    async def competitors(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        if body.get("freed"):
            return self._freed_competitors(body)
        tenant_id = str(body.get("tenant_id", ""))
        self._club(tenant_id)
        if "probability" in body:
            low, high = body.get("delay_range", (0.5, 20.0))
            rule = self._fake.add_random_competitors(
                tenant_id,
                _number(body, "probability"),
                (float(low), float(high)),
                seed=int(body.get("seed", 0)),
            )
            return json_ok({"tenant_id": rule.tenant_id, "probability": rule.probability})
        competitor = self._fake.add_competitor(
            tenant_id,
            str(body["resource_id"]),
            _timestamp(body.get("start"), "start"),
            int(_number(body, "duration")),
            delay=float(body.get("delay", 0.3)),
        )
        return json_ok({"owner_id": competitor.owner_id, "start": naive_utc(competitor.start)})

    def _freed_competitors(self, body: dict[str, Any]) -> web.Response:
        tenant_id = body.get("tenant_id")
        if tenant_id is not None:
            self._club(str(tenant_id))
        low, high = body.get("delay_range", (60.0, 60.0))
        if float(low) < 0 or float(high) < float(low):
            raise ControlError("delay_range must be [low, high] with 0 <= low <= high")
        probability = _number(body, "probability") if "probability" in body else 1.0
        taker = self._fake.add_freed_slot_competitors(
            None if tenant_id is None else str(tenant_id),
            delay_range=(float(low), float(high)),
            probability=probability,
            seed=int(body.get("seed", 0)),
        )
        return json_ok(
            {
                "tenant_id": taker.tenant_id,
                "freed": True,
                "probability": taker.probability,
                "delay_range": list(taker.delay_range),
            }
        )

    async def cancellations(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        fake = self._fake
        if "match_id" in body:
            match_id = str(body["match_id"])
            if fake.state.find_match(match_id) is None:
                raise ControlError(f"unknown match_id {match_id}")
        else:
            tenant_id = body.get("tenant_id")
            if tenant_id is not None:
                self._club(str(tenant_id))
            match = fake.someone_elses_match(None if tenant_id is None else str(tenant_id))
            if match is None:
                raise ControlError("no upcoming match of another player to cancel")
            match_id = match.match_id
        if "at" in body:
            at = _timestamp(body["at"], "at")
        elif "in_seconds" in body:
            at = fake.clock.now() + timedelta(seconds=_number(body, "in_seconds"))
        else:
            at = None
        return json_ok(_cancellation_json(fake.cancel_match(match_id, at)))

    async def add_fault(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        kind = body.get("kind")
        if kind not in FAULT_KINDS:
            raise ControlError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        fake = self._fake
        method = str(body.get("method", "*"))
        path = str(body.get("path", ".*"))
        count = body.get("count", 1)
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise ControlError("count must be an integer or null")
        if kind == "respond":
            fault = fake.respond(
                method,
                path,
                status=int(body.get("status", 200)),
                json=body.get("json"),
                text=body.get("text"),
                headers=body.get("headers"),
                count=count,
            )
        elif kind == "fail":
            fault = fake.fail(method, path, status=int(body.get("status", 503)), count=count)
        elif kind == "rate_limit":
            retry = body.get("retry_after", "2")
            fault = fake.rate_limit(method, path, None if retry is None else str(retry), count)
        elif kind == "edge_block":
            fault = fake.edge_block(method, path, count=body.get("count"))
        elif kind == "malformed":
            fault = fake.malformed(method, path, count=count)
        elif kind == "hang":
            fault = fake.hang(method, path, count=count)
        else:
            fault = fake.drop_after_confirm(count=count)
        return json_ok(fault.as_json())

    async def clear_faults(self, request: web.Request) -> web.Response:
        self._fake.clear_faults()
        return json_ok({"cleared": True})

    async def expire_tokens(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        refresh = bool(body.get("refresh", False))
        return json_ok({"expired": self._fake.expire_tokens(refresh=refresh), "refresh": refresh})

    async def tokens(self, request: web.Request) -> web.Response:
        """Every issued token, in full: secret-leak scans and token-rotation checks need them.

        A refresh that keeps its refresh token (docs/playtomic-api.md §11.4) repeats it in the next pair.
        """
        fake = self._fake
        issued = list(fake.issued_tokens)
        pairs = [
            {
                "access_token": access,
                "refresh_token": refresh,
                "access_valid": fake.state.tokens.user_for_access(access) is not None,
            }
            for access, refresh in fake.state.tokens.pairs
        ]
        return json_ok({**self._now(), "issued": issued, "pairs": pairs})

    async def variants(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        variants = self._fake.variants
        for name in (
            "tenants_wrapped",
            "matches_paged",
            "ignore_user_filter",
            "refresh_keeps_token",
        ):
            if name in body:
                setattr(variants, name, bool(body[name]))
        if "unreleased_status" in body:
            status = body["unreleased_status"]
            if status not in (409, 422):
                raise ControlError("unreleased_status must be 409 or 422")
            variants.unreleased_status = status
        return json_ok(variants.as_json())

    async def settings(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        if "latency_ms" in body:
            self._fake.latency = _number(body, "latency_ms") / 1000
        if "hold_seconds" in body:
            self._fake.hold_seconds = _number(body, "hold_seconds")
        return json_ok(
            {"latency_ms": self._fake.latency * 1000, "hold_seconds": self._fake.hold_seconds}
        )

    async def book(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        club = self._club(str(body.get("tenant_id", "")))
        match = self._fake.book_directly(
            club.tenant_id,
            str(body["resource_id"]),
            _timestamp(body.get("start"), "start"),
            int(_number(body, "duration")),
            str(body.get("owner_id", "someone-else")),
        )
        return json_ok(_match_json(match))
