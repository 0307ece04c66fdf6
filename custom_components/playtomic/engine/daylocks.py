"""One lock per (tenant, sport, club-local day) for every booking path.

A rule's release, "book now", the one-off `book` action and (through `book_best`) anything else
that books a court hold the lock of the club-day they book, from the own-bookings check to the
end of the attempt. Two paths booking the same club-day therefore run one after the other, and
the second one sees the first one's booking: the bookings made under a lock are remembered here
(the server's match list may lag behind a confirmation), and the own bookings are read inside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

from ..api.contract import normalize_sport_id
from ..api.models import Match

type DayKey = tuple[str, str, date]

# Bookings remembered for days this long in the past are forgotten (the memory stays bounded).
_KEEP_PAST = timedelta(days=2)


def day_key(tenant_id: str, sport_id: str, day: date) -> DayKey:
    """The lock key of a club-local day; sport ids are compared normalised (padel == PADEL)."""
    return (tenant_id, normalize_sport_id(sport_id), day)


class DayLocks:
    """The locks, and the matches booked under each of them in this process."""

    def __init__(self) -> None:
        self._locks: dict[DayKey, asyncio.Lock] = {}
        self._waiting: dict[DayKey, int] = {}
        self._booked: dict[DayKey, list[Match]] = {}

    @asynccontextmanager
    async def hold(self, key: DayKey) -> AsyncIterator[bool]:
        """Hold the day's lock; yields whether another path held it first (it may have booked)."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        contended = lock.locked()
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield contended
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                # Nobody holds or waits for it: drop it, so the dict does not grow per day.
                del self._waiting[key]
                del self._locks[key]

    def remember(self, key: DayKey, match: Match, *, today: date) -> None:
        """A booking made under the lock of `key` (call it while holding that lock)."""
        self._booked.setdefault(key, []).append(match)
        oldest = today - _KEEP_PAST
        for stale in [k for k in self._booked if k[2] < oldest]:
            del self._booked[stale]

    def booked(self, key: DayKey) -> list[Match]:
        """The matches booked under the lock of `key` in this process."""
        return list(self._booked.get(key, ()))
