#!/usr/bin/env python3
"""Finish the demo Home Assistant's onboarding with the demo user, so its first screen is the login.

    scripts/demo_onboard.py http://127.0.0.1:8123 config/

scripts/develop runs it after starting hass. Before the first start it marks every onboarding
step but `user` as done (`.storage/onboarding`): the `core_config` step would move home to
wherever the offline map points (the YAML keeps it in Madrid) and start integrations that need the
internet (met, radio_browser, google_translate). Creating the owner here completes the onboarding.
Idempotent: once the user exists it only waits for the HTTP server. Standard library only.
"""

from __future__ import annotations

from http import HTTPStatus
import json
from pathlib import Path
import sys
import time
import urllib.error
import urllib.request

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "padel-demo-ha"
DEMO_NAME = "Demo"
START_TIMEOUT_S = 180.0
POLL_S = 0.5


def _call(url: str, body: dict[str, str] | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback URL given by scripts/develop
        url, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def user_created(config_dir: Path) -> bool:
    """Whether the configuration's onboarding store records the owner as created."""
    store = config_dir / ".storage" / "onboarding"
    try:
        done = json.loads(store.read_text(encoding="utf-8"))["data"]["done"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return "user" in done


def wait_for_onboarding(
    base_url: str, config_dir: Path, timeout: float = START_TIMEOUT_S
) -> list[dict[str, object]]:
    """GET /api/onboarding (no auth) until hass's HTTP server answers; the steps' states.

    Once onboarding is over Home Assistant no longer serves it (404, as before its onboarding
    component is up): the store then says the owner exists.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            steps = _call(f"{base_url}/api/onboarding")
        except urllib.error.HTTPError as err:
            if err.code != HTTPStatus.NOT_FOUND:
                raise
            if user_created(config_dir):
                return [{"step": "user", "done": True}]
            if time.monotonic() > deadline:
                raise
            time.sleep(POLL_S)
            continue
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(POLL_S)
            continue
        assert isinstance(steps, list)
        return steps


def onboard(base_url: str, config_dir: Path) -> bool:
    """Create the demo owner unless it exists; True when this call created it."""
    steps = wait_for_onboarding(base_url, config_dir)
    if any(step.get("step") == "user" and step.get("done") for step in steps):
        return False
    _call(
        f"{base_url}/api/onboarding/users",
        {
            "client_id": f"{base_url}/",
            "name": DEMO_NAME,
            "username": DEMO_USERNAME,
            "password": DEMO_PASSWORD,
            "language": "en",
        },
    )
    return True


def main(argv: list[str]) -> int:
    """Onboard the Home Assistant at argv[0] and say so."""
    if len(argv) != 2:
        print("usage: scripts/demo_onboard.py http://127.0.0.1:8123 config/", file=sys.stderr)
        return 2
    base_url = argv[0].rstrip("/")
    created = "created" if onboard(base_url, Path(argv[1])) else "from an earlier start"
    print(
        f"[develop] Home Assistant: {base_url}  user: {DEMO_USERNAME}  "
        f"password: {DEMO_PASSWORD} ({created})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
