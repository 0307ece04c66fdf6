"""A throwaway, offline-safe Home Assistant configuration directory."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "playtomic"

# No `default_config:` and no `frontend:`: they pull in cloud, zeroconf, network discovery and
# packages that are not installed (hass runs with --skip-pip, so nothing is fetched).
# `notify:` provides notify.persistent_notification, the rule's notify target;
# `repairs:` and `config:` expose the issue list and the config-flow API.
CONFIGURATION_YAML = """\
homeassistant:
  name: E2E
  latitude: 40.42
  longitude: -3.70
  elevation: 650
  unit_system: metric
  time_zone: Europe/Madrid
  currency: EUR
  country: ES
  language: en
api:
config:
onboarding:
repairs:
notify:
persistent_notification:
logger:
  default: warning
  logs:
    homeassistant.setup: info
    homeassistant.config_entries: info
    custom_components.playtomic: debug
"""

HTTP_YAML = """\
http:
  server_host: 127.0.0.1
  server_port: {port}
"""


def _http_in_storage() -> bool:
    """Whether this Home Assistant keeps the HTTP settings in .storage/http (2026.10+)."""
    return importlib.util.find_spec("homeassistant.components.http.config") is not None


def write_config(config_dir: Path, port: int) -> None:
    """Create the configuration directory for a hass bound to 127.0.0.1:port."""
    (config_dir / ".storage").mkdir(parents=True, exist_ok=True)
    (config_dir / "custom_components").mkdir(exist_ok=True)
    (config_dir / "custom_components" / "playtomic").symlink_to(INTEGRATION)
    yaml = CONFIGURATION_YAML
    if _http_in_storage():
        # An `http:` block would become a *pending* setting that reverts (and restarts hass)
        # after 5 minutes unless confirmed. A version-1 store is migrated through HA's own
        # schema into the confirmed ("stable") slot, with every default filled in.
        store = {
            "version": 1,
            "minor_version": 1,
            "key": "http",
            "data": {"server_host": ["127.0.0.1"], "server_port": port},
        }
        (config_dir / ".storage" / "http").write_text(json.dumps(store), encoding="utf-8")
    else:
        yaml += HTTP_YAML.format(port=port)
    (config_dir / "configuration.yaml").write_text(yaml, encoding="utf-8")


def stored_entries(config_dir: Path, domain: str) -> list[dict[str, Any]]:
    """The config entries of `domain` as hass saved them in .storage/core.config_entries."""
    path = config_dir / ".storage" / "core.config_entries"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return [entry for entry in data["data"]["entries"] if entry["domain"] == domain]
