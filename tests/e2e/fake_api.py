"""The fake Playtomic server's `/_fake/` controls, seen from the test (no auth, not logged)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=30)

# API paths as the fake serves them (docs/playtomic-api.md §2-§6); kept here because e2e tests look at the
# fake's request log from outside and must not import the client's contract.
LOGIN_PATH = "/v3/auth/login"
REFRESH_PATH = "/v3/auth/token"
PAYMENT_INTENTS_PATH = "/v1/payment_intents"


def is_confirmation(request: dict[str, Any]) -> bool:
    """A confirmation POST (.../payment_intents/<id>/confirmation)."""
    return bool(request["method"] == "POST" and str(request["path"]).endswith("/confirmation"))


def is_create(request: dict[str, Any]) -> bool:
    """The first step of a booking: POST /v1/payment_intents."""
    return bool(request["method"] == "POST" and request["path"] == PAYMENT_INTENTS_PATH)


def received_at(request: dict[str, Any]) -> datetime:
    """When the fake received a request (server clock, aware UTC)."""
    return datetime.fromisoformat(request["received_at"])


class FakeApi:
    """Client of one fake server's controls."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """`base_url` is the fake's root, http://127.0.0.1:<port>."""
        self.session = session
        self.base_url = base_url

    async def _call(self, method: str, path: str, json: Any = None) -> Any:
        async with self.session.request(
            method, f"{self.base_url}/_fake{path}", json=json, timeout=TIMEOUT
        ) as response:
            body = await response.json()
            if response.status != 200:
                raise AssertionError(f"fake {method} /_fake{path} -> {response.status}: {body!r}")
            return body

    async def index(self) -> dict[str, Any]:
        """Accounts, clubs, next releases, settings."""
        result: dict[str, Any] = await self._call("GET", "/")
        return result

    async def now(self) -> datetime:
        """The fake's clock."""
        return datetime.fromisoformat((await self.index())["now"])

    async def state(self) -> dict[str, Any]:
        """Matches, intents, competitors, faults."""
        result: dict[str, Any] = await self._call("GET", "/state")
        return result

    async def requests(self) -> list[dict[str, Any]]:
        """The API request log, in arrival order."""
        result: list[dict[str, Any]] = await self._call("GET", "/requests")
        return result

    async def clear_requests(self) -> None:
        """Forget the request log."""
        await self._call("DELETE", "/requests")

    async def set_release(self, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Change a club's release model (daily_drop / rolling / in_seconds)."""
        result: dict[str, Any] = await self._call("POST", f"/clubs/{tenant_id}/release", body)
        return result

    async def add_fault(self, **fault: Any) -> dict[str, Any]:
        """Register a fault (kind, method, path regex, status, count, ...)."""
        result: dict[str, Any] = await self._call("POST", "/faults", fault)
        return result

    async def clear_faults(self) -> None:
        """Remove every fault."""
        await self._call("DELETE", "/faults")

    async def expire_tokens(self, *, refresh: bool = False) -> int:
        """Expire every access (or refresh) token now."""
        result = await self._call("POST", "/tokens/expire", {"refresh": refresh})
        return int(result["expired"])

    async def tokens(self) -> dict[str, Any]:
        """Every token issued so far (GET /_fake/tokens), oldest first."""
        result: dict[str, Any] = await self._call("GET", "/tokens")
        return result
