"""Which times of day fit a rule: the one definition of a club-local time-of-day window.

A window runs from `start` to `end` on one club-local day and never wraps past midnight. An end
of 00:00 stands for midnight (the end of the day), never for the day's start: "18:00 to 00:00"
is the evening. The client's slot filter, the engine's rule check, planner and candidates, the
rule form and the actions all ask this module, so they cannot disagree about such a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY_SECONDS = 86400


def seconds_of(value: time) -> int:
    """Seconds since the start of the day of a wall time."""
    return value.hour * 3600 + value.minute * 60 + value.second


@dataclass(frozen=True, slots=True)
class DayWindow:
    """Club-local wall times `start` to `end` (00:00 = midnight) of one day."""

    start: time
    end: time

    @staticmethod
    def valid(start: time, end: time) -> bool:
        """Whether `end` comes after `start` (an end of 00:00 is midnight, so always after)."""
        return seconds_of(start) < (seconds_of(end) or DAY_SECONDS)

    def __post_init__(self) -> None:
        if not self.valid(self.start, self.end):
            raise ValueError("a window's end must come after its start")

    @property
    def start_seconds(self) -> int:
        return seconds_of(self.start)

    @property
    def end_seconds(self) -> int:
        return seconds_of(self.end) or DAY_SECONDS

    def longer_than(self, minutes: int) -> bool:
        """Whether a slot of `minutes` fits in the window at all."""
        return self.end_seconds - self.start_seconds >= minutes * 60

    def fits(self, start: time, minutes: int) -> bool:
        """Whether a slot of `minutes` starting at wall time `start` lies inside the window."""
        return self.start_seconds <= seconds_of(start) <= self.end_seconds - minutes * 60

    def holds(self, start_local: datetime, end_local: datetime) -> bool:
        """Whether a slot with these club-local start and end lies inside the window."""
        if seconds_of(start_local.time()) < self.start_seconds:
            return False
        days = (end_local.date() - start_local.date()).days
        return seconds_of(end_local.time()) + DAY_SECONDS * days <= self.end_seconds

    def starts_in(self, value: time) -> bool:
        """Whether a start at wall time `value` falls inside the window."""
        return self.start_seconds <= seconds_of(value) < self.end_seconds

    def end_on(self, day: date) -> tuple[date, time]:
        """The club-local date and wall time at which the window of `day` ends."""
        if self.end_seconds == DAY_SECONDS:
            return day + timedelta(days=1), time(0, 0)
        return day, self.end

    def starts(self, minutes: int, step_minutes: int, preferred: time | None = None) -> list[time]:
        """Starts from the window start, every step, while a slot of `minutes` ends inside; a
        preferred start off that grid is added when its slot fits."""
        length = minutes * 60
        found: list[time] = []
        current = self.start_seconds
        while current + length <= self.end_seconds:
            found.append(_wall(current))
            current += step_minutes * 60
        if preferred is not None and preferred not in found and self.fits(preferred, minutes):
            found.append(preferred)
        return found


def _wall(seconds: int) -> time:
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
