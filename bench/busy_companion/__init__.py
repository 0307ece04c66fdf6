"""A deliberately busy companion integration for the end-to-end benchmark (never shipped).

`bench/hass_bench.py` links this directory into the benchmark's Home Assistant as
`custom_components/bench_busy` and configures it in YAML::

    bench_busy:
      load: ha_like      # ha_like | busy_50 | busy_100 | none

It runs the same loads as `bench/release_bench.py` (`bench/loads.py`) inside Home Assistant's
own event loop and executor: callbacks of random length on the loop, Python work in executor
threads, a large churned heap. It stops with Home Assistant and logs what it did.
"""

from __future__ import annotations

from collections.abc import Callable
import logging

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from bench.loads import Load, busy_loop, ha_like

DOMAIN = "bench_busy"
_LOGGER = logging.getLogger(__name__)

LOADS: dict[str, Callable[[], Load] | None] = {
    "ha_like": ha_like,
    "busy_50": lambda: busy_loop(duty=0.5),
    "busy_100": lambda: busy_loop(duty=1.0),
    "none": None,
}

CONFIG_SCHEMA = vol.Schema(
    {DOMAIN: vol.Schema({vol.Optional("load", default="ha_like"): vol.In(list(LOADS))})},
    extra=vol.ALLOW_EXTRA,
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the configured load on Home Assistant's loop."""
    kind = config[DOMAIN]["load"]
    start = LOADS[kind]
    if start is None:
        return True
    load = start()
    _LOGGER.warning("bench_busy: %s load running on Home Assistant's event loop", kind)

    async def stop(_event: Event) -> None:
        _LOGGER.warning("bench_busy: %s", await load.stop())

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, stop)
    return True
