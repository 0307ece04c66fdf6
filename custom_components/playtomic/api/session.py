"""ApiSession: the request core every endpoint goes through (docs/playtomic-api.md §2.3, §8).

It owns the transport, the tokens, the clock and the sleep, and adds the two rules every request
follows: the 401 ladder (a refused token is renewed and the request replayed once) and the GET
back-off on 429/5xx (§8 rule 6), capped per action call by `limit_retry_waits()`. The endpoints
(client.py) and the booking steps (intents.py) use only its public methods.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

import aiohttp

from . import contract
from .auth import TokenCallback, TokenManager
from .errors import PlaytomicAuthError, PlaytomicError, PlaytomicRateLimitedError
from .models import Profile, TokenPair
from .transport import RawResponse, Transport, error_for, retry_after_seconds

_LOGGER = logging.getLogger(__name__)

type SleepFunc = Callable[[float], Awaitable[None]]


def utc_now() -> datetime:
    """The real clock, aware UTC (the default `now`)."""
    return datetime.now(UTC)


class _WaitBudget:
    """Seconds of back-off one caller (an action call) may still spend, shared by its tasks."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds


_WAIT_BUDGET: ContextVar[_WaitBudget | None] = ContextVar("playtomic_wait_budget", default=None)


@contextmanager
def limit_retry_waits(seconds: float = contract.ACTION_RETRY_WAIT_CAP_SECONDS) -> Iterator[None]:
    """Cap the total back-off waits (429/5xx on GETs) of every request made inside the block."""
    token = _WAIT_BUDGET.set(_WaitBudget(seconds))
    try:
        yield
    finally:
        _WAIT_BUDGET.reset(token)


def _take_wait(delay: float) -> bool:
    """Whether a back-off of `delay` fits the current caller's budget (and book it if so)."""
    budget = _WAIT_BUDGET.get()
    if budget is None:
        return True
    if delay > budget.left:
        return False
    budget.left -= delay
    return True


class ApiSession:
    """One account's authenticated requests: transport, tokens, clock, sleep, back-off.

    The aiohttp session is injected and never closed here. `now` and `sleep` are injectable so
    tests control token expiry, back-off and reconciliation waits.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        email: str,
        password: str,
        *,
        base_url: str = contract.DEFAULT_BASE_URL,
        tokens: TokenPair | None = None,
        on_tokens: TokenCallback | None = None,
        now: Callable[[], datetime] = utc_now,
        sleep: SleepFunc = asyncio.sleep,
        request_timeout: float = 10.0,
    ) -> None:
        self._now = now
        self._sleep = sleep
        self._email = email
        self._transport = Transport(http, base_url, now=now, request_timeout=request_timeout)
        self._auth = TokenManager(
            self._transport, email, password, tokens=tokens, on_tokens=on_tokens, now=now
        )

    def __repr__(self) -> str:
        return f"ApiSession(base_url={self._transport.base_url!r}, email={self._email!r})"

    # -- state -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Base URL without trailing slash."""
        return self._transport.base_url

    @property
    def tokens(self) -> TokenPair | None:
        """The current token pair."""
        return self._auth.tokens

    @property
    def request_count(self) -> int:
        """Requests sent so far, including login and refresh."""
        return self._transport.request_count

    @property
    def edge_blocked_until(self) -> datetime | None:
        """While set and in the future, every request fails fast with PlaytomicEdgeBlockedError."""
        return self._transport.edge_blocked_until

    def reset_edge_block(self) -> None:
        """Lift the edge-block pause early (for a user-initiated retry)."""
        self._transport.reset_edge_block()

    def now(self) -> datetime:
        """The injected clock (aware UTC)."""
        return self._now()

    async def sleep(self, seconds: float) -> None:
        """The injected sleep."""
        await self._sleep(seconds)

    # -- auth --------------------------------------------------------------------------------

    async def login(self) -> TokenPair:
        """A full login, whatever the current tokens (§2.1)."""
        return await self._auth.login()

    async def ensure_token(self, min_validity: timedelta = contract.EARLY_REFRESH) -> TokenPair:
        """Refresh early, or log in, so the access token stays valid for `min_validity`."""
        return await self._auth.ensure(min_validity)

    async def get_profile(self) -> Profile:
        """The signed-in account (`GET /v2/users/me`)."""
        return Profile.from_json(await self.get_json(contract.PATH_ME))

    async def require_user_id(self) -> str:
        """The account's id: from the tokens, else from the profile (§11.4), never a login."""
        tokens = await self._auth.ensure()
        if tokens.user_id:
            return tokens.user_id
        profile = await self.get_profile()
        await self._auth.remember_user_id(profile.user_id)
        return profile.user_id

    # -- requests ----------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> RawResponse:
        """An authenticated request with the 401 ladder (§2.3) and GET back-off (§8 rule 6).

        Returns the final answer whatever its status; POST/PATCH are sent at most twice, and the
        second time only after a 401 (the server refused before acting).
        """
        replayed = False
        retries = 0
        while True:
            token = (await self._auth.ensure()).access_token
            response = await self._transport.send(
                method, path, params=params, json_body=json_body, token=token
            )
            if response.status == 401:
                if replayed:
                    raise PlaytomicAuthError("Playtomic refused the renewed session")
                await self._auth.after_unauthorized(token)
                replayed = True
                continue
            if (
                method == "GET"
                and response.status in contract.GET_RETRY_STATUSES
                and retries < contract.GET_MAX_RETRIES
            ):
                delay = self._backoff(response, retries)
                if not _take_wait(delay):
                    _LOGGER.info("GET %s: retry wait cap of this call reached", path)
                    return response
                retries += 1
                _LOGGER.info(
                    "Playtomic answered %s to GET %s; retry %s in %.1f s",
                    response.status,
                    path,
                    retries,
                    delay,
                )
                await self._sleep(delay)
                continue
            return response

    def _backoff(self, response: RawResponse, retries: int) -> float:
        exponential = contract.GET_BACKOFF_BASE_SECONDS * float(1 << retries)
        hinted = retry_after_seconds(response.headers, self._now()) or 0.0
        return min(max(exponential, hinted), contract.RETRY_AFTER_CAP_SECONDS)

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> RawResponse:
        """A GET whose answer is 2xx (else the mapped error is raised)."""
        return self.ok_or_raise(await self.call("GET", path, params=params))

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> object:
        """The JSON body of a 2xx GET."""
        return (await self.get(path, params)).json()

    def ok_or_raise(self, response: RawResponse) -> RawResponse:
        """The answer if it is 2xx, else its mapped error is raised."""
        if not response.ok:
            raise self.error(response)
        return response

    def error(self, response: RawResponse) -> PlaytomicError:
        """The error for a non-2xx answer nobody handled specially (error-body mapping, §1.4)."""
        error = error_for(response, self._now())
        if isinstance(error, PlaytomicRateLimitedError):
            _LOGGER.warning("Playtomic is rate limiting %s %s", response.method, response.path)
        return error
