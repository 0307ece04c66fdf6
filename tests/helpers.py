"""Helpers shared by the integration tests (kept out of tests/__init__.py so that
`python -m tests.fake_playtomic` does not import Home Assistant)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry


async def setup_integration(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry and set it up (the fake server must be running)."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def record_notify(hass: HomeAssistant, name: str = "mobile_app_alice_phone") -> list[dict]:
    """Register a fake `notify.<name>` that records the data of every call."""
    calls: list[dict] = []

    async def handle(call) -> None:
        calls.append(dict(call.data))

    hass.services.async_register("notify", name, handle)
    return calls


def disable_backoff(monkeypatch) -> None:
    """Let the client retry without real sleeps (its backoff is 1 s, 2 s, 4 s)."""
    import functools

    from custom_components.playtomic import client_factory

    async def no_sleep(_delay: float) -> None:
        return None

    monkeypatch.setattr(
        client_factory,
        "PlaytomicClient",
        functools.partial(client_factory.PlaytomicClient, sleep=no_sleep),
    )
