"""Which free slots suit a booking rule, and in what order to try them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from typing import Literal

from .daywindow import DayWindow
from .models import Slot

CourtType = Literal["any", "indoor", "outdoor"]
CourtSize = Literal["any", "doubles", "singles"]
# Every value of each, in the order the rule form offers them.
COURT_TYPES: tuple[CourtType, ...] = ("any", "indoor", "outdoor")
COURT_SIZES: tuple[CourtSize, ...] = ("doubles", "singles", "any")


@dataclass(frozen=True, slots=True)
class SlotFilter:
    """A booking rule's slot criteria. Times are club-local wall times; weekdays Monday = 0."""

    weekdays: frozenset[int] | None = None
    window_start: time | None = None
    window_end: time | None = None
    durations: frozenset[int] | None = None
    court_type: CourtType = "any"
    courts: tuple[str, ...] = ()  # preferred resource ids, best first; empty = any court
    preferred_start: time | None = None
    # With `only_courts`, a court not in `courts` never qualifies; without, it ranks after them.
    only_courts: bool = True
    court_size: CourtSize = "any"


def _qualifies(slot: Slot, flt: SlotFilter, zone: tzinfo) -> bool:
    start = slot.local_start(zone)
    if flt.weekdays is not None and start.weekday() not in flt.weekdays:
        return False
    if flt.durations is not None and slot.duration not in flt.durations:
        return False
    if not type_fits(flt.court_type, indoor=slot.indoor):
        return False
    if flt.only_courts and flt.courts and slot.resource_id not in flt.courts:
        return False
    if not size_fits(flt.court_size, single=slot.single_court):
        return False
    if flt.window_start is not None or flt.window_end is not None:
        first, last = flt.window_start or time(0, 0), flt.window_end or time(0, 0)
        if not DayWindow.valid(first, last):
            return False  # an empty window holds nothing
        if not DayWindow(first, last).holds(start, slot.local_end(zone)):
            return False
    return True


def type_fits(court_type: CourtType, *, indoor: bool | None) -> bool:
    """Whether a court (indoor, outdoor or not said) is of the wanted type; a court of unknown
    type fits only "any"."""
    if court_type == "indoor":
        return indoor is True
    if court_type == "outdoor":
        return indoor is False
    return True


def size_fits(size: CourtSize, *, single: bool) -> bool:
    """Whether a court (single or not) has the wanted size; "any" takes both."""
    return size == "any" or (size == "singles") == single


def filter_slots(slots: Iterable[Slot], flt: SlotFilter, zone: tzinfo) -> list[Slot]:
    """Slots that start at/after window_start and end at/before window_end (club-local).

    Windows do not wrap past midnight; a window_end of 00:00 stands for midnight.
    """
    return [slot for slot in slots if _qualifies(slot, flt, zone)]


def best_slots(
    slots: Iterable[Slot], flt: SlotFilter, zone: tzinfo, *, after: datetime | None = None
) -> list[Slot]:
    """The slots that pass the filter, best first; with `after`, only those starting later."""
    if after is not None:
        slots = [slot for slot in slots if slot.start > after]
    return rank_slots(filter_slots(slots, flt, zone), flt, zone)


def rank_slots(slots: Iterable[Slot], flt: SlotFilter, zone: tzinfo) -> list[Slot]:
    """Best first: preferred-court order, then closeness to preferred_start, else earliest.

    Ties break on start, duration, resource id, court name, indoor flag and price, so the order
    does not depend on the input order.
    """
    court_rank = {resource_id: index for index, resource_id in enumerate(flt.courts)}
    unlisted = len(flt.courts)

    def key(slot: Slot) -> tuple[int, float, datetime, int, str, str, str, str]:
        distance = 0.0
        if flt.preferred_start is not None:
            local = slot.local_start(zone)
            wanted = datetime.combine(local.date(), flt.preferred_start, tzinfo=local.tzinfo)
            distance = abs(
                (local.replace(tzinfo=None) - wanted.replace(tzinfo=None)).total_seconds()
            )
        return (
            court_rank.get(slot.resource_id, unlisted),
            distance,
            slot.start,
            slot.duration,
            slot.resource_id,
            slot.court_name,
            repr(slot.indoor),
            str(slot.price),
        )

    return sorted(slots, key=key)
