"""Free slots per court and UTC date, as the asking user may book them now (docs/playtomic-api.md §4)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .auth import current_user
from .club import FakeClub
from .responses import bad_parameters, json_ok
from .wire import parse_local, parse_utc

if TYPE_CHECKING:
    from .server import FakePlaytomic

MAX_WINDOW = timedelta(hours=25)


def club_availability(
    fake: FakePlaytomic,
    club: FakeClub,
    start_min: datetime,
    start_max: datetime,
    user_id: str,
    sport: str | None = None,
) -> list[dict[str, Any]]:
    """One element per court of ``sport`` (any sport when None) per UTC date of the window,
    ``"slots": []`` when none is free."""
    state = fake.state
    listed = [court for court in club.courts if sport is None or court.sport == sport]
    free: dict[tuple[str, date], list[dict[str, Any]]] = {}
    dates: list[date] = []
    day = start_min.date()
    while day <= start_max.date():
        dates.append(day)
        day += timedelta(days=1)
    for court in listed:
        for day in dates:
            free[(court.resource_id, day)] = []
    # One pass over matches and intents instead of one per candidate slot (the demo and
    # the benchmark ask for whole days); the rules are State.blocker's.
    now = state.clock.now()
    busy = state.busy_intervals(user_id)
    courts = [court for court in listed if court.active and court.bookable_online]
    local_day = club.local_date(start_min) - timedelta(days=1)
    while local_day <= club.local_date(start_max):
        for start, closes in club.slot_grid(local_day):
            if not start_min <= start <= start_max or start <= now:
                continue
            if not club.is_released(start, now, user_id):
                continue
            for court in courts:
                spans = busy.get(court.resource_id, [])
                for duration in sorted(court.durations):
                    end = start + timedelta(minutes=duration)
                    if end > closes or any(s < end and start < e for s, e in spans):
                        continue
                    free[(court.resource_id, start.date())].append(
                        {
                            "start_time": start.strftime("%H:%M:%S"),
                            "duration": duration,
                            "price": club.price(start, duration),
                        }
                    )
        local_day += timedelta(days=1)
    return [
        {
            "resource_id": court.resource_id,
            "start_date": day.isoformat(),
            "slots": free[(court.resource_id, day)],
        }
        for day in dates
        for court in listed
    ]


class AvailabilityHandlers:
    def __init__(self, fake: FakePlaytomic) -> None:
        self._fake = fake

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/v1/availability", self.availability)]

    async def availability(self, request: web.Request) -> web.Response:
        query = request.query
        tenant_ids = [part for part in query.get("tenant_id", "").split(",") if part.strip()]
        if not tenant_ids:
            return bad_parameters("tenant_id is required")
        utc_names = ("start_min", "start_max")
        local_names = ("local_start_min", "local_start_max")
        if all(name in query for name in utc_names):
            local = False
        elif all(name in query for name in local_names):
            local = True
        else:
            return bad_parameters("start_min and start_max (or local_start_min/max) are required")
        sport = query.get("sport_id", "").strip().upper() or None
        user_id = current_user(request)
        body: list[dict[str, Any]] = []
        for tenant_id in tenant_ids:
            club = self._fake.state.clubs.get(tenant_id.strip())
            if club is None:
                continue
            if local:
                low = parse_local(query["local_start_min"], club.zone)
                high = parse_local(query["local_start_max"], club.zone)
            else:
                low = parse_utc(query["start_min"])
                high = parse_utc(query["start_max"])
            if low is None or high is None:
                return bad_parameters("start_min/start_max must be YYYY-MM-DDTHH:MM:SS")
            if high < low:
                return bad_parameters("start_max is before start_min")
            if high - low > MAX_WINDOW:
                return bad_parameters("The time window must not exceed 25 hours")
            body.extend(club_availability(self._fake, club, low, high, user_id, sport))
        return json_ok(body)
