"""Plain records of the fake's state; behaviour lives in the modules that own it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

CANCELED = "CANCELED"
CONFIRMED = "CONFIRMED"

# Payment-intent statuses (docs/playtomic-api.md §5); the open ones hold the slot while the hold lasts.
INTENT_REQUIRES_METHOD = "REQUIRES_PAYMENT_METHOD"
# What the app's PATCH answers (docs/playtomic-api.md §11.5).
INTENT_REQUIRES_CONFIRMATION = "REQUIRES_CONFIRMATION"
INTENT_REQUIRES_ACTION = "REQUIRES_PAYMENT_METHOD_ACTION"
INTENT_SUCCEEDED = "SUCCEEDED"
OPEN_INTENT_STATUSES = frozenset(
    {INTENT_REQUIRES_METHOD, INTENT_REQUIRES_CONFIRMATION, INTENT_REQUIRES_ACTION}
)


@dataclass(frozen=True)
class DailyDrop:
    """At ``time`` club-local every day, the club-local date ``days_ahead`` days later opens."""

    days_ahead: int
    time: time

    @property
    def ahead_minutes(self) -> int:
        return self.days_ahead * 1440


@dataclass(frozen=True)
class Rolling:
    """Each slot opens exactly ``minutes`` before it starts."""

    minutes: int

    @property
    def ahead_minutes(self) -> int:
        return self.minutes


type ReleaseModel = DailyDrop | Rolling


@dataclass(frozen=True)
class CourtSpec:
    name: str
    indoor: bool = True
    durations: tuple[int, ...] = (60, 90, 120)
    size: str = "double"
    feature: str | None = "panoramic"
    resource_id: str | None = None
    active: bool = True
    bookable_online: bool = True
    sport: str | None = None  # None: the club's sport


@dataclass
class FakeCourt:
    resource_id: str
    name: str
    indoor: bool
    durations: tuple[int, ...]
    size: str
    feature: str | None
    active: bool
    bookable_online: bool
    sport: str


@dataclass
class FakeAccount:
    email: str
    password: str
    user_id: str
    name: str


@dataclass
class FakeMatch:
    match_id: str
    tenant_id: str
    resource_id: str
    start: datetime
    duration: int
    owner_id: str
    status: str
    created_at: datetime
    price: str
    owner_name: str = "Player"

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)


@dataclass(frozen=True)
class OfferedMethod:
    payment_method_id: str
    method_type: str
    name: str
    amount: str
    data: dict[str, str] | None = None


@dataclass
class FakeIntent:
    payment_intent_id: str
    user_id: str
    tenant_id: str
    resource_id: str
    start: datetime
    duration: int
    number_of_players: int
    price: str
    created_at: datetime
    methods: tuple[OfferedMethod, ...]
    status: str = INTENT_REQUIRES_METHOD
    selected_method_id: str | None = None
    match_id: str | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)

    def selected_method(self) -> OfferedMethod | None:
        for method in self.methods:
            if method.payment_method_id == self.selected_method_id:
                return method
        return None


@dataclass
class RecordedRequest:
    """One API request as the server saw it (``/_fake/`` controls are not recorded)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    user_id: str | None
    received_at: datetime
    received_monotonic: float
    status: int | None = None
    fault: str | None = None


@dataclass
class Variants:
    """Switches between the response shapes the contract tells the client to accept."""

    tenants_wrapped: bool = False
    matches_paged: bool = False
    # §11.2: the status of "not available" for a slot that is not released yet (409 or 422).
    unreleased_status: int = 409
    # §11.3: a server that ignores the user filter and lists every match at its clubs.
    ignore_user_filter: bool = False
    # §11.4: refresh answers without a new refresh token; the old one stays valid.
    refresh_keeps_token: bool = False

    def as_json(self) -> dict[str, bool | int]:
        return {
            "tenants_wrapped": self.tenants_wrapped,
            "matches_paged": self.matches_paged,
            "unreleased_status": self.unreleased_status,
            "ignore_user_filter": self.ignore_user_filter,
            "refresh_keeps_token": self.refresh_keeps_token,
        }


@dataclass
class Competitor:
    """Someone else who grabs a slot ``delay`` seconds after its release (server clock)."""

    tenant_id: str
    resource_id: str
    start: datetime
    duration: int
    delay: float
    owner_id: str
    done: bool = False
    outcome: str | None = None  # "booked" | "lost" once applied


@dataclass
class RandomCompetitors:
    """Seeded competitors for the demo: each released slot is taken with ``probability``."""

    tenant_id: str
    probability: float
    delay_range: tuple[float, float]
    seed: int
    checked_until: datetime
    taken: list[str] = field(default_factory=list)
    # (resource_id, start) -> (duration, delay s, owner) or None; the draw never changes, so
    # each slot is rolled once instead of on every request.
    draws: dict[tuple[str, datetime], tuple[int, float, str] | None] = field(default_factory=dict)


@dataclass
class ScheduledCancellation:
    """The owner of ``match_id`` cancels it at ``at`` (server clock), freeing its slot."""

    match_id: str
    at: datetime
    done: bool = False
    outcome: str | None = None  # "cancelled" | "not_cancelable" once applied


@dataclass(frozen=True)
class FreedSlot:
    """A slot a cancellation gave back, and when (server clock)."""

    tenant_id: str
    resource_id: str
    start: datetime
    duration: int
    freed_at: datetime


@dataclass
class FreedSlotCompetitors:
    """Other players who take a freed slot: each freed slot of the club (every club when
    ``tenant_id`` is None) goes with ``probability`` after a delay drawn from ``delay_range``."""

    tenant_id: str | None
    probability: float
    delay_range: tuple[float, float]
    seed: int
    taken: list[str] = field(default_factory=list)
    # Index into State.freed -> (delay s, owner) or None: drawn once per freed slot.
    draws: dict[int, tuple[float, str] | None] = field(default_factory=dict)
    settled: set[int] = field(default_factory=set)
