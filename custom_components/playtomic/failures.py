"""Reason codes as Home Assistant shows them: translated exceptions and flow errors.

The vocabulary itself (the closed `Reason` set and `reason_of`) is HA-free in
`engine/reasons.py`; this module is the only place that turns a reason into something Home
Assistant raises or a flow shows. Each reason's text is `exceptions.reason_<code>`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import PlaytomicError, limit_retry_waits
from .const import DOMAIN, LOGGER
from .engine.reasons import Reason, reason_of

# Reasons that say the caller asked for something that cannot be (not a failure to retry).
_CALLER_REASONS = frozenset({Reason.NOT_FOUND, Reason.ALREADY_BOOKED, Reason.INVALID_ID})

# The config flow's form errors follow core's names (`invalid_auth`, `cannot_connect`).
_FLOW_ERRORS = {
    Reason.AUTH_FAILED: "invalid_auth",
    Reason.EDGE_BLOCKED: "edge_blocked",
    Reason.INTERNAL_ERROR: "unknown",
}


def reason_translation(reason: Reason) -> dict[str, Any]:
    """`translation_domain` and `translation_key` of a reason, for any HA exception class."""
    return {"translation_domain": DOMAIN, "translation_key": f"reason_{reason.value}"}


def reason_error(reason: Reason) -> HomeAssistantError:
    """The translated error an action or a button raises for a reason."""
    if reason in _CALLER_REASONS:
        return ServiceValidationError(**reason_translation(reason))
    return HomeAssistantError(**reason_translation(reason))


def client_error(hass: HomeAssistant, entry: ConfigEntry, err: BaseException) -> HomeAssistantError:
    """The translated error for a failed client call; a refused login also starts re-auth."""
    reason = reason_of(err)
    if reason is Reason.AUTH_FAILED:
        entry.async_start_reauth(hass)
    return reason_error(reason)


async def translating[R](step: Awaitable[R], what: str) -> R:
    """Await an action's or a button's work: a bug ends in the translated `internal_error`
    (logged with its traceback), never in a raw exception shown to the user; and the call waits
    at most `ACTION_RETRY_WAIT_CAP_SECONDS` in total on 429/5xx back-offs."""
    try:
        with limit_retry_waits():
            return await step
    except HomeAssistantError:
        raise
    except Exception as err:
        LOGGER.exception("%s failed unexpectedly", what)
        raise reason_error(Reason.INTERNAL_ERROR) from err


def flow_error(err: BaseException, doing: str = "in a Playtomic flow") -> str:
    """The config flow's form error (or abort reason) for any error of a step; a bug (not a
    client error) is logged with its traceback and shown as "unknown"."""
    if not isinstance(err, PlaytomicError):
        LOGGER.error("Unexpected error while %s", doing, exc_info=err)
        return "unknown"
    # Never "invalid_auth" for a firewall block: the password is fine, the network is not.
    return _FLOW_ERRORS.get(reason_of(err), "cannot_connect")
