"""The end-to-end stack: the fake Playtomic server and a real `hass`, as child processes.

Everything lives in one temporary directory: the hass configuration, a HOME for the child
processes, and the captured output of every process start (`fake.out`, `hass-<n>.out`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import os
from pathlib import Path
import sys
import time

import aiohttp

from .fake_api import FakeApi
from .hass_api import HassApi
from .hass_config import ROOT, write_config
from .polling import wait_for
from .processes import ManagedProcess, free_port, tail, wait_for_port

# The venv pytest runs in: its `hass` is the Home Assistant under test.
VENV_BIN = Path(sys.executable).parent
PYCACHE = Path(sys.prefix) / "e2e-pycache"
HASS_START_TIMEOUT = 90.0
FAKE_START_TIMEOUT = 20.0
LOG_TAIL_LINES = 80


@dataclass
class E2EStack:
    """Processes and clients of one end-to-end run; `stop()` ends every process it started."""

    workdir: Path
    scenario: str = "demo"
    fake_port: int = field(default_factory=free_port)
    hass_port: int = field(default_factory=free_port)
    fake: ManagedProcess | None = None
    hass: ManagedProcess | None = None
    hass_starts: int = 0
    started: list[ManagedProcess] = field(default_factory=list)

    @property
    def config_dir(self) -> Path:
        """The hass configuration directory."""
        return self.workdir / "config"

    @property
    def fake_url(self) -> str:
        """Root URL of the fake server (what PLAYTOMIC_API_URL points at)."""
        return f"http://127.0.0.1:{self.fake_port}"

    @property
    def hass_url(self) -> str:
        """Root URL of Home Assistant."""
        return f"http://127.0.0.1:{self.hass_port}"

    @property
    def hass_log(self) -> Path:
        """Home Assistant's own log file (rotated to .1 on every start)."""
        return self.config_dir / "home-assistant.log"

    def _env(self) -> dict[str, str]:
        home = self.workdir / "home"
        home.mkdir(exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            # The parent's pytest/coverage settings must not leak into the children.
            if not key.startswith(("PYTEST_", "COV_", "COVERAGE_"))
            and key != "PYTHONDONTWRITEBYTECODE"
        }
        env.update(
            {
                "PLAYTOMIC_API_URL": self.fake_url,
                # A private HOME: hass writes nothing into the user's home, and nothing from the
                # user's home (a stray ~/.homeassistant) influences the run.
                "HOME": str(home),
                # Byte code is worth keeping (hass imports ~2,000 modules: a start without it takes
                # twice as long), but outside the working tree and the venv's own files.
                "PYTHONPYCACHEPREFIX": str(PYCACHE),
                "PYTHONPATH": str(ROOT),
                # Loopback must never go through a proxy from the environment.
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
            }
        )
        return env

    def start_fake(self) -> None:
        """Start the fake server (`python -m tests.fake_playtomic`) and wait until it listens."""
        self.fake = ManagedProcess(
            "fake Playtomic",
            [
                sys.executable,
                "-m",
                "tests.fake_playtomic",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.fake_port),
                "--scenario",
                self.scenario,
            ],
            log_path=self.workdir / "fake.out",
            env=self._env(),
            cwd=ROOT,
        )
        self.started.append(self.fake)
        wait_for_port(self.fake_port, FAKE_START_TIMEOUT, self.fake)

    def write_config(self) -> None:
        """Create the hass configuration directory (once)."""
        if not self.config_dir.exists():
            write_config(self.config_dir, self.hass_port)

    def start_hass(self) -> None:
        """Start `hass -c <config>`; `wait_hass_http` waits for it to answer."""
        self.write_config()
        self.hass_starts += 1
        self.hass = ManagedProcess(
            f"hass (start {self.hass_starts})",
            # --skip-pip: Home Assistant must never reach PyPI from a test; integrations whose
            # packages are missing (tts, camera, ...) fail to load, which nothing here needs.
            [str(VENV_BIN / "hass"), "-c", str(self.config_dir), "--skip-pip", "--log-no-color"],
            log_path=self.workdir / f"hass-{self.hass_starts}.out",
            env=self._env(),
            cwd=self.workdir,
        )
        self.started.append(self.hass)

    async def wait_hass_http(self, api: HassApi) -> None:
        """Poll GET /api/onboarding (no auth) until hass's HTTP server answers."""
        hass = self.hass
        assert hass is not None

        async def answers() -> bool:
            if not hass.running:
                raise AssertionError(f"hass exited during start-up\n{self.context()}")
            await api.onboarding_steps()
            return True

        await wait_for(
            answers, within=HASS_START_TIMEOUT, what="hass's HTTP server", context=self.context
        )

    async def wait_hass_running(self, api: HassApi) -> None:
        """Poll GET /api/config until Home Assistant's state is RUNNING (start-up finished)."""

        async def running() -> bool:
            return (await api.config()).get("state") == "RUNNING"

        await wait_for(
            running, within=HASS_START_TIMEOUT, what="hass state RUNNING", context=self.context
        )

    async def boot_hass(self, api: HassApi) -> float:
        """Start hass, onboard it (first start) or reuse the token, wait until RUNNING.

        Returns the seconds from launch to RUNNING. The first start creates the owner and a
        long-lived token, which stays valid across restarts of the same configuration.
        """
        launched = time.monotonic()
        self.start_hass()
        await self.wait_hass_http(api)
        if api.token is None:
            await api.onboard()
            await api.long_lived_token()
        await self.wait_hass_running(api)
        return monotonic_since(launched)

    def stop_hass(self) -> int | None:
        """Stop hass by its PID (SIGTERM, then SIGKILL); returns its exit status."""
        if self.hass is None:
            return None
        return self.hass.stop()

    def stop(self) -> None:
        """Stop every process this stack started, newest first, each by its own PID."""
        errors: list[str] = []
        for process in reversed(self.started):
            try:
                process.stop()
            except Exception as err:
                errors.append(f"{process.name} (pid {process.pid}): {err!r}")
        if errors:
            raise RuntimeError("could not stop: " + "; ".join(errors))

    def context(self) -> str:
        """Tails of hass's log and of every process's output, for failure messages."""
        parts = [
            f"=== home-assistant.log ({self.hass_log}):\n{tail(self.hass_log, LOG_TAIL_LINES)}"
        ]
        parts.extend(p.describe() for p in (self.hass, self.fake) if p is not None)
        return "\n".join(parts)

    def log_files(self) -> list[Path]:
        """Every log this run produced except the fake's own (it prints the demo password)."""
        logs = sorted(self.config_dir.glob("home-assistant.log*"))
        return logs + sorted(self.workdir.glob("hass-*.out"))

    def clients(self, session: aiohttp.ClientSession) -> tuple[HassApi, FakeApi]:
        """REST clients of hass and of the fake's controls."""
        return HassApi(session, self.hass_url), FakeApi(session, self.fake_url)


def monotonic_since(start: float) -> float:
    """Seconds since a time.monotonic() value (wall times printed by the tests)."""
    return round(time.monotonic() - start, 1)
