"""Searching captured logs for secrets: the Playtomic password and every token the fake issued."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def find_secrets(files: Iterable[Path], secrets: dict[str, str]) -> list[str]:
    """Where any secret occurs, as "file:line: <secret name>" (never the secret itself)."""
    hits: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            hits.extend(
                f"{path.name}:{number}: {name}"
                for name, secret in secrets.items()
                if secret and secret in line
            )
    return hits
