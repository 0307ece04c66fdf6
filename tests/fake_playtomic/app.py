"""The aiohttp application: request log, latency, faults, auth and the Date header."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from .auth import USER_KEY, AuthHandlers, bearer_user, unauthorized
from .availability import AvailabilityHandlers
from .booking import BookingHandlers
from .controls import CONTROL_PREFIX, ControlHandlers
from .matches import MatchHandlers
from .models import RecordedRequest
from .page import PageHandlers
from .responses import InvalidBodyError, api_error, json_body
from .tenants import TenantHandlers
from .wire import http_date

if TYPE_CHECKING:
    from .server import FakePlaytomic

_LOGGER = logging.getLogger("tests.fake_playtomic")
# Paths that answer without a Bearer token (docs/playtomic-api.md §1.1).
PUBLIC_PREFIXES = ("/v3/auth/",)
ANSWERING_FAULTS = frozenset({"respond", "fail", "rate_limit", "edge_block", "malformed"})


def build_app(fake: FakePlaytomic) -> web.Application:
    app = web.Application(middlewares=[_api_middleware(fake)])
    for handlers in (
        AuthHandlers(fake),
        TenantHandlers(fake),
        AvailabilityHandlers(fake),
        BookingHandlers(fake),
        MatchHandlers(fake),
        ControlHandlers(fake),
        PageHandlers(fake),
    ):
        app.add_routes(handlers.routes())

    async def date_from_fake_clock(_request: web.Request, response: web.StreamResponse) -> None:
        # aiohttp only fills Date when absent, so this wins; clients read server time from it.
        response.headers["Date"] = http_date(fake.state.clock.now())

    app.on_response_prepare.append(date_from_fake_clock)
    return app


def _api_middleware(fake: FakePlaytomic) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return await handler(request)
        return await _serve_api(fake, request, handler)

    return middleware


async def _serve_api(
    fake: FakePlaytomic, request: web.Request, handler: Handler
) -> web.StreamResponse:
    state = fake.state
    started = time.monotonic()
    try:
        body = await json_body(request)
    except InvalidBodyError:
        body = (await request.read()).decode("utf-8", "replace")
    user_id = bearer_user(fake, request)
    record = RecordedRequest(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        json=body,
        headers=dict(request.headers),
        user_id=user_id,
        received_at=state.clock.now(),
        received_monotonic=started,
    )
    fake.requests.append(record)
    if fake.latency > 0:
        await asyncio.sleep(fake.latency)
    state.apply_competitors()
    fault = fake.faults.take(request.method, request.path)
    if fault is not None:
        record.fault = fault.kind
    try:
        if fault is not None and fault.kind == "hang":
            await fake.hang_until_stopped(request)
        if fault is not None and fault.kind in ANSWERING_FAULTS:
            response: web.StreamResponse = fault.response()
        elif user_id is None and not request.path.startswith(PUBLIC_PREFIXES):
            response = unauthorized("Missing, expired or unknown access token")
        else:
            request[USER_KEY] = user_id
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                code = "NOT_FOUND" if exc.status == 404 else "INCORRECT_PARAMETERS"
                response = api_error(exc.status, code, exc.reason)
        record.status = response.status
        if fault is not None and fault.kind == "drop_after_confirm":
            fake.drop_connection(request)
            record.status = None
        return response
    finally:
        _LOGGER.info(
            "%s %s%s -> %s user=%s%s (%.1f ms)",
            request.method,
            request.path,
            f"?{request.query_string}" if request.query_string else "",
            record.status if record.status is not None else "no response",
            record.user_id or "-",
            f" fault={record.fault}" if record.fault else "",
            (time.monotonic() - started) * 1000,
        )
