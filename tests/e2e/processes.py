"""Child processes started by the end-to-end tests, and how they are stopped (by PID only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import contextlib
import ctypes
import ctypes.util
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time

# Home Assistant stops in 2-4 s; more than this means it hangs and gets SIGKILL.
STOP_TIMEOUT = 20.0
TAIL_LINES = 60


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook making the child get SIGTERM when the test process dies (Linux).

    The teardown stops children by PID; this covers what no teardown can: the test process
    itself being SIGKILLed (a CI timeout), which would otherwise leave hass running.
    """
    if not sys.platform.startswith("linux"):
        return None
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)
    parent = os.getpid()

    def hook() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return hook


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last lines of a log file (empty when it does not exist yet)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class ManagedProcess:
    """A child process whose stdout and stderr go to a file; stopped by its PID."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str],
        cwd: Path,
    ) -> None:
        """Start the process at once."""
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            list(argv),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env),
            cwd=cwd,
            preexec_fn=_die_with_parent(),  # noqa: PLW1509 - only prctl, no locks or allocation
        )
        self.pid = self.process.pid

    @property
    def running(self) -> bool:
        """Whether the process has not exited yet."""
        return self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit status, None while it runs."""
        return self.process.poll()

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, wait, then SIGKILL; returns the exit status. Safe to call twice."""
        try:
            if self.process.poll() is None:
                # The PID is our own child that has not been reaped, so it cannot be reused.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.pid, signal.SIGKILL)
                    self.process.wait(timeout)
            return self.process.returncode
        finally:
            self._log.close()

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The end of what the process printed."""
        return tail(self.log_path, lines)

    def describe(self) -> str:
        """Name, PID, status and the end of the output (for failure messages)."""
        status = "running" if self.running else f"exited with {self.returncode}"
        return f"--- {self.name} (pid {self.pid}, {status}), {self.log_path}:\n{self.tail()}"


def wait_for_port(port: int, timeout: float, process: ManagedProcess | None = None) -> None:
    """Block until something accepts TCP connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.running:
            raise AssertionError(f"{process.name} exited before listening\n{process.describe()}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    detail = process.describe() if process is not None else ""
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout} s\n{detail}")
