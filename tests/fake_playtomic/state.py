"""Who owns which court when: matches, intents, holds, competitors, accounts, tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
import uuid

from .clock import FakeClock
from .club import FakeClub
from .competitors import apply_due_competitors
from .models import (
    CANCELED,
    CONFIRMED,
    OPEN_INTENT_STATUSES,
    Competitor,
    FakeAccount,
    FakeIntent,
    FakeMatch,
    FreedSlot,
    FreedSlotCompetitors,
    RandomCompetitors,
    ScheduledCancellation,
)
from .tokens import TokenStore

# Why a slot cannot be booked; the HTTP layer maps each to its status code.
NOT_RELEASED = "not released yet"
STARTED = "already started"
TAKEN = "already booked"
HELD = "held by another player's payment"
UNKNOWN_SLOT = "no such slot"


class State:
    def __init__(
        self, clock: FakeClock, *, access_ttl: float, refresh_ttl: float, hold_seconds: float
    ) -> None:
        self.clock = clock
        self.hold_seconds = hold_seconds
        self.tokens = TokenStore(clock, access_ttl, refresh_ttl)
        self.accounts: dict[str, FakeAccount] = {}
        self.clubs: dict[str, FakeClub] = {}
        self._matches: list[FakeMatch] = []
        self._intents: dict[str, FakeIntent] = {}
        self.competitors: list[Competitor] = []
        self.random_competitors: list[RandomCompetitors] = []
        self.cancellations: list[ScheduledCancellation] = []
        self.freed: list[FreedSlot] = []
        self.freed_competitors: list[FreedSlotCompetitors] = []

    # Lookups -------------------------------------------------------------------------

    @property
    def matches(self) -> list[FakeMatch]:
        self.apply_competitors()
        return self._matches

    @property
    def intents(self) -> dict[str, FakeIntent]:
        self.apply_competitors()
        return self._intents

    @property
    def issued_tokens(self) -> list[str]:
        return self.tokens.issued

    def account_by_id(self, user_id: str) -> FakeAccount | None:
        for account in self.accounts.values():
            if account.user_id == user_id:
                return account
        return None

    def find_match(self, match_id: str) -> FakeMatch | None:
        for match in self._matches:
            if match.match_id == match_id:
                return match
        return None

    def find_intent(self, intent_id: str) -> FakeIntent | None:
        return self._intents.get(intent_id)

    def replace_matches(self, matches: list[FakeMatch]) -> None:
        """Every match at once (persist.py restores the demo's bookings after a restart)."""
        self._matches = list(matches)

    def add_intent(self, intent: FakeIntent) -> None:
        self._intents[intent.payment_intent_id] = intent

    # Occupancy -----------------------------------------------------------------------

    def is_taken(self, resource_id: str, start: datetime, duration: int) -> bool:
        end = start + timedelta(minutes=duration)
        return any(
            match.resource_id == resource_id
            and match.status != CANCELED
            and match.start < end
            and start < match.end
            for match in self._matches
        )

    def hold_is_live(self, intent: FakeIntent, now: datetime) -> bool:
        return (
            self.hold_seconds > 0
            and intent.status in OPEN_INTENT_STATUSES
            and now < intent.created_at + timedelta(seconds=self.hold_seconds)
        )

    def held_intervals(
        self, resource_id: str | None, user_id: str | None
    ) -> list[tuple[str, datetime, datetime]]:
        """(resource, start, end) of live intents held by anyone but ``user_id``."""
        now = self.clock.now()
        return [
            (intent.resource_id, intent.start, intent.end)
            for intent in self._intents.values()
            if (resource_id is None or intent.resource_id == resource_id)
            and intent.user_id != user_id
            and self.hold_is_live(intent, now)
        ]

    def busy_intervals(self, user_id: str | None) -> dict[str, list[tuple[datetime, datetime]]]:
        """Per court, the spans ``user_id`` cannot book: live matches and others' holds."""
        busy: dict[str, list[tuple[datetime, datetime]]] = {}
        for match in self._matches:
            if match.status != CANCELED:
                busy.setdefault(match.resource_id, []).append((match.start, match.end))
        for resource_id, start, end in self.held_intervals(None, user_id):
            busy.setdefault(resource_id, []).append((start, end))
        return busy

    def is_held_against(
        self, resource_id: str, start: datetime, duration: int, user_id: str | None
    ) -> bool:
        """True when a live intent of someone other than ``user_id`` overlaps the slot."""
        end = start + timedelta(minutes=duration)
        return any(
            held_start < end and start < held_end
            for _resource, held_start, held_end in self.held_intervals(resource_id, user_id)
        )

    def blocker(
        self,
        club: FakeClub,
        resource_id: str,
        start: datetime,
        duration: int,
        user_id: str | None,
    ) -> str | None:
        """Why ``user_id`` cannot book this slot now, or None when it can."""
        now = self.clock.now()
        court = club.court(resource_id)
        if court is None or not court.active or not court.bookable_online:
            return UNKNOWN_SLOT
        if not club.is_grid_start(start, duration):
            return UNKNOWN_SLOT
        if start <= now:
            return STARTED
        if not club.is_released(start, now, user_id):
            return NOT_RELEASED
        if self.is_taken(resource_id, start, duration):
            return TAKEN
        if self.is_held_against(resource_id, start, duration, user_id):
            return HELD
        return None

    # Changes -------------------------------------------------------------------------

    def create_match(
        self,
        club: FakeClub,
        resource_id: str,
        start: datetime,
        duration: int,
        owner_id: str,
        *,
        price: str | None = None,
    ) -> FakeMatch:
        account = self.account_by_id(owner_id)
        match = FakeMatch(
            match_id=str(uuid.uuid4()),
            tenant_id=club.tenant_id,
            resource_id=resource_id,
            start=start,
            duration=duration,
            owner_id=owner_id,
            status=CONFIRMED,
            created_at=self.clock.now(),
            price=price if price is not None else club.price(start, duration),
            owner_name=account.name if account else "Player",
        )
        self._matches.append(match)
        return match

    def cancel(self, match: FakeMatch, at: datetime | None = None) -> bool:
        """Cancel an active match that has not started (at ``at``, default now) and record the
        freed slot; False when it cannot be cancelled."""
        when = at if at is not None else self.clock.now()
        if match.status == CANCELED or match.start <= when:
            return False
        match.status = CANCELED
        club = self.clubs.get(match.tenant_id)
        if club is not None:
            self.freed.append(
                FreedSlot(match.tenant_id, match.resource_id, match.start, match.duration, when)
            )
        return True

    def apply_competitors(self) -> None:
        apply_due_competitors(self)
