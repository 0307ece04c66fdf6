"""What a websocket client of Home Assistant sees: booking events, service calls, notifications."""

from __future__ import annotations

from typing import Any

from .hass_api import HassApi, HassWebSocket

EVENT_SUCCEEDED = "playtomic_booking_succeeded"
EVENT_FAILED = "playtomic_booking_failed"


class Observer:
    """A websocket subscriber collecting the integration's outward effects while it is open."""

    def __init__(self, api: HassApi) -> None:
        """Subscribe on `__aenter__`."""
        self.ws = HassWebSocket(api)
        self.succeeded: list[dict[str, Any]] = []
        self.failed: list[dict[str, Any]] = []
        self.service_calls: list[dict[str, Any]] = []
        self.notification_updates: list[dict[str, Any]] = []

    async def __aenter__(self) -> Observer:
        """Open the connection and subscribe to everything the tests look at."""
        await self.ws.__aenter__()
        self.succeeded = await self.ws.subscribe_events(EVENT_SUCCEEDED)
        self.failed = await self.ws.subscribe_events(EVENT_FAILED)
        self.service_calls = await self.ws.subscribe_events("call_service")
        self.notification_updates = await self.ws.subscribe(
            {"type": "persistent_notification/subscribe"}
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the connection."""
        await self.ws.__aexit__(*exc)

    def notify_calls(self, service: str) -> list[dict[str, Any]]:
        """Calls of notify.<service> seen on the bus."""
        return [
            event["data"]
            for event in self.service_calls
            if event["data"].get("domain") == "notify" and event["data"].get("service") == service
        ]

    def notifications(self) -> dict[str, dict[str, Any]]:
        """Persistent notifications currently shown (added minus removed)."""
        shown: dict[str, dict[str, Any]] = {}
        for update in self.notification_updates:
            kind = update.get("type")
            items: dict[str, dict[str, Any]] = update.get("notifications", {})
            if kind in ("current", "added", "updated"):
                shown.update(items)
            elif kind == "removed":
                for key in items:
                    shown.pop(key, None)
        return shown

    async def command(self, message: dict[str, Any]) -> Any:
        """A websocket command on the same connection."""
        return await self.ws.command(message)
