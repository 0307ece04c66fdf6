"""Talking to the real Home Assistant from outside: REST, onboarding and the websocket API."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "e2e-admin-password"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)


class HassApiError(AssertionError):
    """Home Assistant answered a request with an unexpected status."""


class HassApi:
    """REST client of one Home Assistant instance (base URL http://127.0.0.1:<port>)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """No token yet: `onboard` or `login` provides one."""
        self.session = session
        self.base_url = base_url
        self.client_id = f"{base_url}/"
        self.token: str | None = None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(
        self, method: str, path: str, *, json: Any = None, expect: int | tuple[int, ...] = 200
    ) -> Any:
        """One REST call; returns the decoded JSON (or text) and checks the status."""
        async with self.session.request(
            method,
            self.base_url + path,
            json=json,
            headers=self._headers(),
            timeout=REQUEST_TIMEOUT,
        ) as response:
            body: Any = (
                await response.json()
                if response.content_type == "application/json"
                else await response.text()
            )
            allowed = (expect,) if isinstance(expect, int) else expect
            if response.status not in allowed:
                raise HassApiError(f"{method} {path} -> {response.status}: {body!r}")
            return body

    # Onboarding and tokens ------------------------------------------------------------------

    async def onboarding_steps(self) -> list[dict[str, Any]]:
        """GET /api/onboarding (no auth): answers once the HTTP server is up."""
        steps: list[dict[str, Any]] = await self.request("GET", "/api/onboarding")
        return steps

    async def onboard(self) -> None:
        """Create the owner (onboarding step `user`) and keep its access token.

        The other steps are left open on purpose: `core_config` starts the met, radio_browser
        and google_translate flows, which reach the internet when their packages are installed.
        An open onboarding does not restrict the REST or websocket API once a user exists.
        """
        created = await self.request(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": "E2E Admin",
                "username": ADMIN_USERNAME,
                "password": ADMIN_PASSWORD,
                "language": "en",
            },
        )
        await self._exchange_code(created["auth_code"])

    async def login(self, username: str, password: str) -> None:
        """An access token for an existing user, through Home Assistant's own login flow."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
        )
        done = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self.client_id, "username": username, "password": password},
        )
        if done.get("type") != "create_entry":
            raise HassApiError(f"login refused: {done!r}")
        await self._exchange_code(done["result"])

    async def _exchange_code(self, code: str) -> None:
        async with self.session.post(
            f"{self.base_url}/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
            timeout=REQUEST_TIMEOUT,
        ) as response:
            body = await response.json()
            if response.status != 200:
                raise HassApiError(f"POST /auth/token -> {response.status}: {body!r}")
        self.token = body["access_token"]

    async def long_lived_token(self) -> str:
        """A long-lived token, so restarts and the 30-minute access lifetime do not matter."""
        async with HassWebSocket(self) as ws:
            token: str = await ws.command(
                {"type": "auth/long_lived_access_token", "client_name": "e2e", "lifespan": 1}
            )
        self.token = token
        return token

    # Config entries and flows --------------------------------------------------------------

    async def start_flow(self, handler: str) -> dict[str, Any]:
        """POST /api/config/config_entries/flow."""
        result: dict[str, Any] = await self.request(
            "POST", "/api/config/config_entries/flow", json={"handler": handler}
        )
        return result

    async def flow_step(self, flow_id: str, user_input: dict[str, Any]) -> dict[str, Any]:
        """Submit one step of a config flow."""
        result: dict[str, Any] = await self.request(
            "POST", f"/api/config/config_entries/flow/{flow_id}", json=user_input
        )
        return result

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        """The config entries of a domain with their states."""
        result: list[dict[str, Any]] = await self.request(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return result

    async def reload_entry(self, entry_id: str) -> None:
        """What the user's "Reload" does."""
        await self.request("POST", f"/api/config/config_entries/entry/{entry_id}/reload")

    # States and services --------------------------------------------------------------------

    async def states(self) -> list[dict[str, Any]]:
        """Every state."""
        result: list[dict[str, Any]] = await self.request("GET", "/api/states")
        return result

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """One state, None when the entity has none."""
        result: dict[str, Any] | str = await self.request(
            "GET", f"/api/states/{entity_id}", expect=(200, 404)
        )
        return result if isinstance(result, dict) else None

    async def call_service(
        self, domain: str, service: str, data: dict[str, Any], *, response: bool = False
    ) -> Any:
        """POST /api/services/<domain>/<service> (waits for the call to finish).

        With `response`, the action's response is asked for and returned.
        """
        query = "?return_response" if response else ""
        result = await self.request("POST", f"/api/services/{domain}/{service}{query}", json=data)
        return result["service_response"] if response else result

    async def config(self) -> dict[str, Any]:
        """GET /api/config (version, state)."""
        result: dict[str, Any] = await self.request("GET", "/api/config")
        return result


class HassWebSocket:
    """An authenticated websocket connection; events and subscriptions are collected in lists."""

    def __init__(self, api: HassApi) -> None:
        """Connect on `__aenter__`."""
        self._api = api
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._next_id = 1
        self._results: dict[int, asyncio.Future[Any]] = {}
        self._subscriptions: dict[int, list[Any]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()

    async def __aenter__(self) -> HassWebSocket:
        """Connect and authenticate."""
        url = self._api.base_url.replace("http://", "ws://") + "/api/websocket"
        ws = await self._api.session.ws_connect(url, timeout=aiohttp.ClientWSTimeout(ws_close=5))
        self._ws = ws
        hello = await ws.receive_json(timeout=10)
        assert hello["type"] == "auth_required", hello
        await ws.send_json({"type": "auth", "access_token": self._api.token})
        answer = await ws.receive_json(timeout=10)
        if answer["type"] != "auth_ok":
            raise HassApiError(f"websocket auth failed: {answer!r}")
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the connection and stop reading."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for message in self._ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                data = message.json()
                # Home Assistant may coalesce several messages into one JSON array.
                for item in data if isinstance(data, list) else [data]:
                    self._dispatch(item)
        finally:
            self.closed.set()
            for future in self._results.values():
                if not future.done():
                    future.set_exception(HassApiError("websocket closed"))

    def _dispatch(self, item: dict[str, Any]) -> None:
        msg_id = item.get("id")
        if item.get("type") == "event" and msg_id in self._subscriptions:
            self._subscriptions[msg_id].append(item["event"])
        elif item.get("type") == "result" and msg_id in self._results:
            future = self._results.pop(msg_id)
            if future.done():
                return
            if item.get("success"):
                future.set_result(item.get("result"))
            else:
                future.set_exception(HassApiError(f"websocket command failed: {item!r}"))

    async def command(self, message: dict[str, Any], limit: float = 30) -> Any:
        """Send a command and return its result."""
        assert self._ws is not None
        msg_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._results[msg_id] = future
        await self._ws.send_json({**message, "id": msg_id})
        return await asyncio.wait_for(future, limit)

    async def subscribe(self, message: dict[str, Any]) -> list[Any]:
        """Send a subscription; its events accumulate in the returned list."""
        assert self._ws is not None
        msg_id = self._next_id
        events: list[Any] = []
        # Registered before sending so no event can arrive unrouted.
        self._subscriptions[msg_id] = events
        await self.command(message)
        return events

    async def subscribe_events(self, event_type: str) -> list[dict[str, Any]]:
        """Bus events of one type."""
        return await self.subscribe({"type": "subscribe_events", "event_type": event_type})
