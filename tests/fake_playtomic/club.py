"""A club: its zone, opening hours, slot grid, prices and release model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .models import DailyDrop, FakeCourt, ReleaseModel, Rolling
from .wire import price_text

EVENING_STARTS = time(18, 0)


@dataclass
class FakeClub:
    tenant_id: str
    name: str
    slug: str
    timezone: str
    city: str
    country_code: str
    lat: float
    lon: float
    courts: list[FakeCourt]
    release: ReleaseModel
    opening: tuple[time, time]
    step_minutes: int
    price_per_hour: Decimal
    currency: str
    payment_methods: tuple[str, ...]
    sport: str
    playtomic_status: str
    cancel_hours: int
    member_extra_days: dict[str, int] = field(default_factory=dict)
    evening_price_per_hour: Decimal | None = None
    street: str = "Calle Falsa 123"
    postal_code: str = "00000"
    country: str = ""
    # The asking player's wallet at this club (docs/playtomic-api.md §11.5); None: the wallet shows no balance.
    wallet_balance: Decimal | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sports(self) -> list[str]:
        """The club's sport first, then any other sport one of its courts is for."""
        return list(dict.fromkeys([self.sport, *(court.sport for court in self.courts)]))

    def court(self, resource_id: str) -> FakeCourt | None:
        for court in self.courts:
            if court.resource_id == resource_id:
                return court
        return None

    def local_date(self, when: datetime) -> date:
        return when.astimezone(self.zone).date()

    # Opening hours -------------------------------------------------------------------

    def opening_window(self, day: date) -> tuple[datetime, datetime]:
        """UTC instants of opening and closing on a club-local date (``00:00`` closing = midnight).

        Both ends are converted separately, so a DST change inside opening hours yields a
        23 h or 25 h day instead of a shifted grid.
        """
        open_time, close_time = self.opening
        opens = datetime.combine(day, open_time, tzinfo=self.zone).astimezone(UTC)
        close_day = day + timedelta(days=1) if close_time <= open_time else day
        closes = datetime.combine(close_day, close_time, tzinfo=self.zone).astimezone(UTC)
        return opens, closes

    def slot_grid(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Every (start, closing) pair of the club-local date, stepping in UTC from opening."""
        opens, closes = self.opening_window(day)
        start = opens
        step = timedelta(minutes=self.step_minutes)
        while start < closes:
            yield start, closes
            start += step

    def is_grid_start(self, start: datetime, duration: int) -> bool:
        """True when ``start`` is a bookable start for ``duration`` minutes under opening hours."""
        day = self.local_date(start)
        for candidate_day in (day - timedelta(days=1), day):
            for candidate, closes in self.slot_grid(candidate_day):
                if candidate == start:
                    return start + timedelta(minutes=duration) <= closes
        return False

    # Release -------------------------------------------------------------------------

    def ahead_minutes_for(self, user_id: str | None) -> int:
        extra = self.member_extra_days.get(user_id, 0) if user_id else 0
        return self.release.ahead_minutes + extra * 1440

    def release_instant(self, start_utc: datetime, user_id: str | None = None) -> datetime:
        """When a slot starting at ``start_utc`` opens for ``user_id`` (the public without one)."""
        extra_days = self.member_extra_days.get(user_id, 0) if user_id else 0
        model = self.release
        if isinstance(model, Rolling):
            return start_utc - timedelta(minutes=model.minutes + extra_days * 1440)
        opening_day = self.local_date(start_utc) - timedelta(days=model.days_ahead + extra_days)
        return datetime.combine(opening_day, model.time, tzinfo=self.zone).astimezone(UTC)

    def is_released(self, start_utc: datetime, now: datetime, user_id: str | None) -> bool:
        return self.release_instant(start_utc, user_id) <= now

    def next_release_after(self, now: datetime) -> datetime:
        """The first public release instant strictly after ``now``."""
        model = self.release
        if isinstance(model, DailyDrop):
            day = self.local_date(now) - timedelta(days=1)
            for offset in range(4):
                instant = datetime.combine(
                    day + timedelta(days=offset), model.time, tzinfo=self.zone
                ).astimezone(UTC)
                if instant > now:
                    return instant
            raise AssertionError("a daily drop always has an instant within two days")
        # Rolling: the next grid start whose opening lies ahead of now.
        horizon = now + timedelta(minutes=model.minutes)
        day = self.local_date(horizon) - timedelta(days=1)
        for offset in range(4):
            for start, _closes in self.slot_grid(day + timedelta(days=offset)):
                instant = start - timedelta(minutes=model.minutes)
                if instant > now:
                    return instant
        raise AssertionError("no grid start within four days; check the opening hours")

    # Prices --------------------------------------------------------------------------

    def price_amount(self, start_utc: datetime, duration: int) -> Decimal:
        rate = self.price_per_hour
        if (
            self.evening_price_per_hour is not None
            and start_utc.astimezone(self.zone).time() >= EVENING_STARTS
        ):
            rate = self.evening_price_per_hour
        return rate * duration / 60

    def price(self, start_utc: datetime, duration: int) -> str:
        return price_text(self.price_amount(start_utc, duration), self.currency)
