"""The booking history of an account: the last results per rule and a bounded log, stored."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .engine.outcome import AttemptResult

HISTORY_VERSION = 1
HISTORY_LIMIT = 50


def history_key(entry_id: str) -> str:
    """Storage key of an entry's booking history."""
    return f"{DOMAIN}.history.{entry_id}"


class ResultHistory:
    """The last results per rule and a bounded log of every attempt, kept across restarts."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind the store; nothing is read until `async_load`."""
        self._store: Store[dict[str, Any]] = Store(hass, HISTORY_VERSION, history_key(entry_id))
        self.results: list[AttemptResult] = []
        self.last_by_rule: dict[str, AttemptResult] = {}

    async def async_load(self) -> None:
        """Restore the log; unreadable records are skipped rather than failing setup."""
        stored = await self._store.async_load() or {}
        for item in stored.get("results", []):
            try:
                result = AttemptResult.from_dict(item)
            except (KeyError, TypeError, ValueError):
                continue
            self._remember(result)

    def _remember(self, result: AttemptResult) -> None:
        self.results.append(result)
        del self.results[:-HISTORY_LIMIT]
        if result.rule_id:
            self.last_by_rule[result.rule_id] = result

    async def async_add(self, result: AttemptResult) -> None:
        """Record a result and persist the log."""
        self._remember(result)
        await self._store.async_save({"results": [item.as_dict() for item in self.results]})

    async def async_remove(self) -> None:
        """Delete the stored log (the entry is being removed)."""
        await self._store.async_remove()
