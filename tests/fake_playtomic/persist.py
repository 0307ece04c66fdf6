"""The demo's memory: what a restart of `scripts/develop` must not lose, in a JSON file.

Bookings (every match, with its status), each club's release settings and the issued tokens
(so Home Assistant's stored session stays valid) are saved whenever they change and restored on
the next start over the freshly built scenario. Faults, holds, competitors and the request log
are test tools and start afresh. The file lives in the demo's config directory (never in the
repository); a file this code cannot read is reported and ignored, so the demo still starts.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .controls import _release_from, release_json
from .models import FakeMatch
from .tokens import TokenRecord

if TYPE_CHECKING:
    from .server import FakePlaytomic

_LOGGER = logging.getLogger("tests.fake_playtomic")
FORMAT_VERSION = 1
# How often the autosave looks for changes (a booking shows in the file within this).
SAVE_INTERVAL_S = 1.0


def _match(data: dict[str, Any]) -> FakeMatch:
    return FakeMatch(
        match_id=str(data["match_id"]),
        tenant_id=str(data["tenant_id"]),
        resource_id=str(data["resource_id"]),
        start=datetime.fromisoformat(data["start"]),
        duration=int(data["duration"]),
        owner_id=str(data["owner_id"]),
        status=str(data["status"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        price=str(data["price"]),
        owner_name=str(data.get("owner_name", "Player")),
    )


def _token(data: dict[str, Any]) -> TokenRecord:
    return TokenRecord(
        token=str(data["token"]),
        user_id=str(data["user_id"]),
        expires_at=datetime.fromisoformat(data["expires_at"]),
        revoked=bool(data["revoked"]),
    )


def _token_json(record: TokenRecord) -> dict[str, Any]:
    return {
        "token": record.token,
        "user_id": record.user_id,
        "expires_at": record.expires_at.isoformat(),
        "revoked": record.revoked,
    }


def snapshot(fake: FakePlaytomic) -> dict[str, Any]:
    """What survives a restart, as JSON-ready data."""
    tokens = fake.state.tokens
    return {
        "version": FORMAT_VERSION,
        "matches": [
            {
                "match_id": m.match_id,
                "tenant_id": m.tenant_id,
                "resource_id": m.resource_id,
                "start": m.start.isoformat(),
                "duration": m.duration,
                "owner_id": m.owner_id,
                "status": m.status,
                "created_at": m.created_at.isoformat(),
                "price": m.price,
                "owner_name": m.owner_name,
            }
            for m in fake.state.matches
        ],
        "releases": {
            club.tenant_id: {
                **release_json(club.release),
                "member_extra_days": club.member_extra_days,
            }
            for club in fake.clubs.values()
        },
        "tokens": {
            "access": [_token_json(r) for r in tokens.access_records()],
            "refresh": [_token_json(r) for r in tokens.refresh_records()],
            "issued": list(tokens.issued),
            "pairs": [list(pair) for pair in tokens.pairs],
        },
    }


def restore(fake: FakePlaytomic, data: dict[str, Any]) -> None:
    """Put a snapshot back over the scenario just built (clubs unknown to it are skipped)."""
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unknown state format {data.get('version')!r}")
    matches = [_match(m) for m in data["matches"] if m["tenant_id"] in fake.clubs]
    releases = {
        tenant_id: (_release_from(body), body.get("member_extra_days") or {})
        for tenant_id, body in data["releases"].items()
        if tenant_id in fake.clubs
    }
    tokens = data["tokens"]
    access = [_token(t) for t in tokens["access"]]
    refresh = [_token(t) for t in tokens["refresh"]]
    # Everything parsed: only now change the fake, so a bad file changes nothing.
    fake.state.replace_matches(matches)
    for tenant_id, (release, extra) in releases.items():
        fake.set_release(
            tenant_id, release, member_extra_days={str(k): int(v) for k, v in extra.items()}
        )
    pairs = [(str(a), str(r)) for a, r in tokens["pairs"]]
    fake.state.tokens.restore(access, refresh, [str(t) for t in tokens["issued"]], pairs)


def load(fake: FakePlaytomic, path: Path) -> bool:
    """Restore from `path` when it exists; False (with a warning) when it cannot be used."""
    if not path.exists():
        return False
    try:
        restore(fake, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as err:
        _LOGGER.warning("ignoring the saved state in %s (%s); starting afresh", path, err)
        return False
    _LOGGER.info("restored bookings, releases and tokens from %s", path)
    return True


def _text(fake: FakePlaytomic) -> str:
    return json.dumps(snapshot(fake), indent=1, sort_keys=True)


def save(fake: FakePlaytomic, path: Path, text: str | None = None) -> str:
    """Write the snapshot atomically (a crash never leaves half a file); returns its text."""
    text = _text(fake) if text is None else text
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return text


def save_if_changed(fake: FakePlaytomic, path: Path, last: str) -> str:
    """Save unless the snapshot equals `last` (the text saved before); returns the current text."""
    text = _text(fake)
    return text if text == last else save(fake, path, text)


async def autosave(fake: FakePlaytomic, path: Path, interval: float = SAVE_INTERVAL_S) -> None:
    """Save whenever the snapshot changed, until cancelled (the caller saves once more at stop)."""
    last = ""
    while True:
        last = save_if_changed(fake, path, last)
        await asyncio.sleep(interval)
