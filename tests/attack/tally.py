"""Counts of the inputs the attack suite tried, per surface, for the closing note.

`tally(surface)` after each input; the session prints the table at the end (`-s` shows it, and
the counts are also written to $PLAYTOMIC_ATTACK_TALLY when set, one JSON object per worker).
"""

from __future__ import annotations

from collections import Counter
import json
import os

TRIED: Counter[str] = Counter()
CRASHES: Counter[str] = Counter()


def tally(surface: str, *, crashes: int = 0, count: int = 1) -> None:
    """Record `count` inputs tried on `surface` (and how many crashed)."""
    TRIED[surface] += count
    CRASHES[surface] += crashes


def dump() -> None:
    """Write the counts where $PLAYTOMIC_ATTACK_TALLY points (append, one line per process)."""
    target = os.environ.get("PLAYTOMIC_ATTACK_TALLY")
    if not target or not TRIED:
        return
    with open(target, "a", encoding="utf-8") as out:
        out.write(json.dumps({"tried": dict(TRIED), "crashes": dict(CRASHES)}) + "\n")
