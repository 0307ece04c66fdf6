"""Build the API client the way every part of the integration needs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import os
from typing import Any

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .api import DEFAULT_BASE_URL, PlaytomicClient, TokenPair
from .const import CONF_TOKENS, ENV_API_URL


def api_base_url() -> str:
    """Return the API base URL: PLAYTOMIC_API_URL when set (tests, demo), else Playtomic's."""
    return (os.environ.get(ENV_API_URL) or DEFAULT_BASE_URL).rstrip("/")


def create_client(
    hass: HomeAssistant,
    entry_data: Mapping[str, Any],
    on_tokens: Callable[[TokenPair], Awaitable[None] | None] | None = None,
) -> PlaytomicClient:
    """Create a client on Home Assistant's shared session, restoring stored tokens.

    The one way to build a client: the config flow (login, club steps) and the runtime read a
    club without `address.timezone` in the same zone, Home Assistant's, so a rule stored by the
    flow and the slots the runtime lists agree.
    """
    stored = entry_data.get(CONF_TOKENS)
    return PlaytomicClient(
        async_get_clientsession(hass),
        entry_data[CONF_EMAIL],
        entry_data[CONF_PASSWORD],
        base_url=api_base_url(),
        tokens=TokenPair.from_dict(stored) if stored else None,
        on_tokens=on_tokens,
        fallback_zone=dt_util.get_default_time_zone(),
    )
