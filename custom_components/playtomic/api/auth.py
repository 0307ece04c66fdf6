"""Token store: login, refresh with rotation, one lock for all of it (docs/playtomic-api.md §2, §11.4).

A password login is the request Playtomic's firewall blocks most (§11.4), so it happens only when
there is no usable refresh token: no pair at all, an expired refresh token, or one the server
refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
import inspect
import logging

from . import contract
from .errors import PlaytomicAuthError
from .models import TokenPair
from .transport import Transport, error_for

_LOGGER = logging.getLogger(__name__)

TokenCallback = Callable[[TokenPair], Awaitable[None] | None]


class TokenManager:
    """Owns the TokenPair.

    Refresh tokens are single-use (§2.2), so every login and refresh runs under one lock, and the
    new pair reaches `on_tokens` before the lock is released: requests that need a token wait for
    the lock, so none goes out before the callback has run.
    """

    def __init__(
        self,
        transport: Transport,
        email: str,
        password: str,
        *,
        tokens: TokenPair | None,
        on_tokens: TokenCallback | None,
        now: Callable[[], datetime],
    ) -> None:
        self._transport = transport
        self._email = email
        self._password = password
        self._tokens = tokens
        self._on_tokens = on_tokens
        self._now = now
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"TokenManager(email={self._email!r}, tokens={self._tokens!r})"

    @property
    def tokens(self) -> TokenPair | None:
        """The current pair."""
        return self._tokens

    async def login(self) -> TokenPair:
        """A full login, whatever the current tokens."""
        async with self._lock:
            return await self._login_locked()

    async def ensure(self, min_validity: timedelta = contract.EARLY_REFRESH) -> TokenPair:
        """A pair whose access token is valid for at least `min_validity` (refresh or log in)."""
        tokens = self._tokens
        if (
            tokens is not None
            and not self._lock.locked()
            and tokens.access_valid_for(self._now()) >= min_validity
        ):
            return tokens
        async with self._lock:
            tokens = self._tokens
            if tokens is not None and tokens.access_valid_for(self._now()) >= min_validity:
                return tokens
            if tokens is not None and tokens.refresh_usable(self._now()):
                return await self._refresh_locked(tokens)
            return await self._login_locked()

    async def remember_user_id(self, user_id: str) -> None:
        """Store the account id learned from the profile with the current pair (§11.4)."""
        async with self._lock:
            if self._tokens is not None and self._tokens.user_id != user_id:
                await self._store(self._tokens.with_user_id(user_id))

    async def after_unauthorized(self, used_access_token: str) -> TokenPair:
        """§2.3 step 2-3: the token was refused; reuse a newer one, else refresh once, else log in."""
        async with self._lock:
            current = self._tokens
            if current is not None and current.access_token != used_access_token:
                return current
            if current is not None:
                return await self._refresh_locked(current)
            return await self._login_locked()

    async def _refresh_locked(self, tokens: TokenPair) -> TokenPair:
        response = await self._transport.send(
            "POST", contract.PATH_REFRESH, json_body=contract.refresh_body(tokens.refresh_token)
        )
        if response.status in contract.REFRESH_DEAD_STATUSES:
            # Rotated or expired refresh token (e.g. the process died before saving the new one).
            _LOGGER.info(
                "Playtomic refused the refresh token (HTTP %s); logging in again", response.status
            )
            return await self._login_locked()
        if not response.ok:
            raise error_for(response, self._now())
        pair = TokenPair.from_json(response.json(), now=self._now(), previous=tokens)
        await self._store(pair)
        _LOGGER.debug("Playtomic tokens refreshed; access valid until %s", pair.access_expires)
        return pair

    async def _login_locked(self) -> TokenPair:
        response = await self._transport.send(
            "POST", contract.PATH_LOGIN, json_body=contract.login_body(self._email, self._password)
        )
        if response.status == 401:
            # §2.1: wrong credentials; never retried by the client itself.
            raise PlaytomicAuthError("Playtomic rejected the email or password")
        if not response.ok:
            raise error_for(response, self._now())
        pair = TokenPair.from_json(response.json(), now=self._now(), previous=self._tokens)
        await self._store(pair)
        _LOGGER.debug("Logged in to Playtomic; access valid until %s", pair.access_expires)
        return pair

    async def _store(self, pair: TokenPair) -> None:
        self._tokens = pair
        if self._on_tokens is None:
            return
        try:
            result = self._on_tokens(pair)
            if inspect.isawaitable(result):
                await result
        except Exception as err:  # the pair is valid even if persisting it failed
            _LOGGER.error("Storing the new Playtomic tokens failed: %s", type(err).__name__)
