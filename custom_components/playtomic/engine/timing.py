"""The release path's own timing and request budgets, each defined once.

Values the API imposes (the burst window of docs/playtomic-api.md §8 rule 4, the access
token's assumed life) live in `api/contract.py`; these are the engine's own choices. The
scheduler (`scheduler.py`) waits on Home Assistant's timers for `PREPARE_LEAD` and
`WARM_LEAD`; the engine waits on the loop's monotonic clock only inside the last minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from ..api.contract import BURST_WINDOW, DEFAULT_ACCESS_TTL

# The scheduler wakes this long before a release to refresh the access token (docs §2.2), so
# that no refresh falls inside the burst.
PREPARE_LEAD: Final = timedelta(minutes=5)
# The token must outlive the burst by this margin (one formula: `token_validity_before`).
TOKEN_MARGIN: Final = timedelta(minutes=2)
# A fresh token lives about DEFAULT_ACCESS_TTL: asking for more would refresh in vain.
TOKEN_VALIDITY_CAP: Final = DEFAULT_ACCESS_TTL - timedelta(minutes=5)
# Courts, a warm connection, the server-clock estimate and the own bookings are read this long
# before the instant (`BookingEngine.prepare`); from here on the engine waits on the loop's
# monotonic clock and fires itself.
WARM_LEAD: Final = timedelta(seconds=60)
# aiohttp closes idle pooled connections after 15 s, so one more cheap GET this long before the
# instant keeps the connection warm (§8 rule 5 allows the burst to start a few seconds early).
FINAL_WARM_LEAD: Final = timedelta(seconds=3)
# Re-measure the server clock when the estimate is older than this (host drift is ppm-level).
CLOCK_MAX_AGE: Final = timedelta(minutes=15)
# Without time for a full measurement (restart just before the instant), fire on the host clock.
MIN_TIME_TO_MEASURE: Final = timedelta(seconds=20)
# A dry release lists the date this long after the instant, so that the host clock running a
# little fast (no burst to absorb it) does not read the date before it has opened.
DRY_RUN_SETTLE: Final = timedelta(seconds=2)
# Preparations never consumed by a run (rule removed, HA reloaded) are dropped after this.
PREPARATION_TTL: Final = timedelta(hours=1)

# Request budgets (§8 rule 5: human-scale volume). The burst's own budget; preparation adds at
# most 4 (token, courts, own bookings, warm-up), so a release stays within 20 requests (the
# shared clock estimate is made at most every CLOCK_MAX_AGE, not per release).
BURST_MAX_REQUESTS: Final = 16
# "Book now": how many dates and slots to try at most, across all dates.
BOOK_NOW_MAX_DATES: Final = 7
BOOK_NOW_MAX_SLOTS: Final = 6


def token_validity_before(release_at: datetime, now: datetime) -> timedelta:
    """How long the access token must stay valid, asked at `now`, for the release at
    `release_at`: past the whole burst window plus a margin (capped at what a fresh token
    gives). The scheduler asks at `PREPARE_LEAD`; an unprepared run asks again (a no-op then)."""
    ahead = max(release_at - now, timedelta(0))
    return min(ahead + BURST_WINDOW + TOKEN_MARGIN, TOKEN_VALIDITY_CAP)
