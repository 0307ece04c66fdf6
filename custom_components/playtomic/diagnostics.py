"""Diagnostics: configuration and data summaries, with every secret and identifier redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant

from .const import CONF_TOKENS, CONF_USER_ID
from .runtime import PlaytomicConfigEntry, PlaytomicRuntimeData

TO_REDACT = {
    CONF_EMAIL,
    CONF_PASSWORD,
    CONF_TOKENS,
    CONF_USER_ID,
    "access_token",
    "refresh_token",
    "unique_id",
    "title",
    "owner_id",
    "match_id",
    "payment_intent_id",
    "intent_ids",
    "resumed_intents",
    "checkout_url",
    "notify",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PlaytomicConfigEntry
) -> dict[str, Any]:
    """What support needs to understand a problem, never a credential.

    The stored configuration always; the run-time parts only while the entry is loaded (during
    a reload, or after a failed setup, there is no `runtime_data`: `runtime` says so).
    """
    data: dict[str, Any] = {
        "entry": {
            "title": entry.title,
            "unique_id": entry.unique_id,
            "state": entry.state.value,
            "data": dict(entry.data),
            "options": dict(entry.options),
        },
        "subentries": [
            {
                "subentry_id": subentry.subentry_id,
                "subentry_type": subentry.subentry_type,
                "data": dict(subentry.data),
            }
            for subentry in entry.subentries.values()
        ],
    }
    runtime: PlaytomicRuntimeData | None = getattr(entry, "runtime_data", None)
    data["runtime"] = runtime is not None
    if runtime is not None:
        data.update(_runtime_diagnostics(runtime))
    return async_redact_data(data, TO_REDACT)


def _runtime_diagnostics(runtime: PlaytomicRuntimeData) -> dict[str, Any]:
    """Tokens, client, health, polls, results, release plan, watch and API check."""
    tokens = runtime.client.tokens
    matches = runtime.matches.data or []
    return {
        "token_health": {
            "present": tokens is not None,
            "access_expires": tokens.access_expires.isoformat() if tokens else None,
            "refresh_expires": (
                tokens.refresh_expires.isoformat() if tokens and tokens.refresh_expires else None
            ),
        },
        "client": {
            "request_count": runtime.client.request_count,
            "edge_blocked_until": (
                until.isoformat() if (until := runtime.client.edge_blocked_until) else None
            ),
        },
        "health": {
            "last_api_error": runtime.health.error,
            "at": runtime.health.at.isoformat() if runtime.health.at else None,
        },
        "matches": {
            "last_update_success": runtime.matches.last_update_success,
            "count": len(matches),
            "upcoming": [
                {
                    "match_id": match.match_id,
                    "tenant_id": match.tenant_id,
                    "start": match.start.isoformat(),
                    "duration": match.duration,
                    "status": match.status,
                }
                for match in matches[:10]
            ],
        },
        "availability": runtime.availability.summary(),
        "last_results": [result.as_dict() for result in runtime.history.results[-10:]],
        # The release plan, what survives a restart, and the server-clock estimate.
        "scheduler": runtime.scheduler.diagnostics() if runtime.scheduler else None,
        # Watched dates, watch bookings and pauses; the rounds' hourly ceiling is under
        # availability.requests.
        "watch": runtime.watch.diagnostics() if runtime.watch else None,
        # The last `check_api` report: per endpoint, whether Playtomic answered in our shape.
        "api_check": runtime.api_check.as_dict() if runtime.api_check else None,
    }
