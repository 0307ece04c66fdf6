"""Data update coordinators: own matches, and open slots for the booking rules.

Polling stays at human scale (docs/playtomic-api.md §8 rule 5): matches every 15 minutes, club details once a
day, and availability in rounds: every 10 minutes, or every 5 while the cancellation watch has a
date (both with jitter; `engine.watch` holds the timing constants). One round asks once per
club-day, for the watched days first and then the slot sensors' days, within the account's
hourly ceiling; the watch and the sensors read the same answers, so watching doubles nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
import random
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import Club, Match, PlaytomicClient, PlaytomicError, PlaytomicRateLimitedError, Slot
from .const import DOMAIN, LOGGER
from .engine import (
    BookingRule,
    ClubDay,
    Reason,
    RequestBudget,
    club_day,
    covered_dates,
    open_dates,
    plan_round,
    reason_of,
    round_interval,
)
from .engine.watch import IDLE_ROUND_INTERVAL
from .failures import reason_translation
from .health import ApiHealth
from .repairs import async_delete_edge_blocked_issue, async_raise_edge_blocked_issue
from .rule_entries import rules_of

MATCHES_INTERVAL = timedelta(minutes=15)
CLUB_CACHE_TTL = timedelta(days=1)
# docs/playtomic-api.md §8 rule 5: a refresh asks for no more club-days than this.
MAX_CLUB_DAYS_PER_REFRESH = 7
# A day's listing from an earlier round still ranks for the sensors this long (rounds rotate
# through the days when the hourly ceiling allows fewer requests than there are days).
LISTING_TTL = timedelta(minutes=30)
# How many ranked slots after the best one the sensor shows.
ALTERNATIVES = 3
# A 429 keeps the previous data, but not forever: older data than this is stale.
STALE_AFTER = timedelta(hours=1)


class PlaytomicCoordinator[T](DataUpdateCoordinator[T]):
    """Shared error handling of both coordinators."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: PlaytomicClient,
        health: ApiHealth,
        *,
        name: str,
        update_interval: timedelta,
    ) -> None:
        """Bind the client; `health` collects the last error for the diagnostic sensor."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {name}",
            update_interval=update_interval,
        )
        self.client = client
        self.health = health
        self.last_success: datetime | None = None

    async def _guarded[R](self, call: Awaitable[R]) -> R:
        """Await an API call, mapping its failure to what the coordinator must raise."""
        try:
            return await call
        except PlaytomicError as err:
            self.health.record(reason_of(err), dt_util.utcnow())
            raise

    async def _async_update_data(self) -> T:
        try:
            data = await self._fetch()
        except PlaytomicError as err:
            reason = reason_of(err)
            if reason is Reason.AUTH_FAILED:
                raise ConfigEntryAuthFailed(**reason_translation(reason)) from err
            if reason is Reason.EDGE_BLOCKED:
                async_raise_edge_blocked_issue(self.hass, self.config_entry)
            retry_after: float | None = None
            if isinstance(err, PlaytomicRateLimitedError):
                if (
                    self.data is not None
                    and self.last_success is not None
                    and dt_util.utcnow() - self.last_success < STALE_AFTER
                ):
                    # docs/playtomic-api.md §8 rule 6: back off, and show what we had meanwhile.
                    LOGGER.debug("%s rate limited, keeping the previous data", self.name)
                    return self.data
                retry_after = err.retry_after
            raise UpdateFailed(retry_after=retry_after, **reason_translation(reason)) from err
        self.last_success = dt_util.utcnow()
        async_delete_edge_blocked_issue(self.hass, self.config_entry)
        return data

    async def _fetch(self) -> T:
        raise NotImplementedError


class MatchesCoordinator(PlaytomicCoordinator[list[Match]]):
    """The account's upcoming own matches at every club, soonest first."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: PlaytomicClient,
        health: ApiHealth,
    ) -> None:
        """Poll every 15 minutes."""
        super().__init__(
            hass, entry, client, health, name="matches", update_interval=MATCHES_INTERVAL
        )

    async def _fetch(self) -> list[Match]:
        matches = await self._guarded(self.client.get_matches(upcoming_only=True))
        return sorted((m for m in matches if not m.is_inactive), key=lambda m: m.start)

    def booked_days(self, rule: BookingRule) -> set[date]:
        """Club-local dates the account's own matches already cover for the rule."""
        return covered_dates(rule, self.data or [])


@dataclass(frozen=True, kw_only=True)
class RuleSlots:
    """What the availability poll found for one rule."""

    best: Slot | None = None
    alternatives: tuple[Slot, ...] = ()
    days_checked: tuple[date, ...] = ()
    club: Club | None = None


@dataclass(frozen=True, kw_only=True)
class AvailabilityData:
    """Open slots per rule, and when they were fetched."""

    rules: dict[str, RuleSlots] = field(default_factory=dict)
    fetched_at: datetime | None = None
    # Every club-day listing still fresh enough to rank, and the ones this round fetched.
    listings: Mapping[ClubDay, tuple[Slot, ...]] = field(default_factory=dict)
    fresh: frozenset[ClubDay] = frozenset()


@dataclass(frozen=True)
class _Listing:
    slots: tuple[Slot, ...]
    fetched_at: datetime


class AvailabilityCoordinator(PlaytomicCoordinator[AvailabilityData]):
    """Open slots matching each booking rule within the club's booking horizon, in rounds."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: PlaytomicClient,
        health: ApiHealth,
        matches: MatchesCoordinator,
    ) -> None:
        """Poll in rounds; the matches coordinator tells which days are already booked."""
        super().__init__(
            hass,
            entry,
            client,
            health,
            name="availability",
            update_interval=IDLE_ROUND_INTERVAL,
        )
        self.matches = matches
        self._clubs: dict[str, tuple[Club, datetime]] = {}
        self._listings: dict[ClubDay, _Listing] = {}
        self.budget = RequestBudget()
        self.rng = random.Random()
        # Rule id -> dates the cancellation watch wants looked at (set once the watch exists).
        self.watched: Callable[[], dict[str, list[date]]] = dict

    async def async_get_club(self, tenant_id: str) -> Club:
        """Club details with courts, fetched at most once a day (docs/playtomic-api.md §8 rule 5)."""
        now = dt_util.utcnow()
        cached = self._clubs.get(tenant_id)
        if cached is not None and now - cached[1] < CLUB_CACHE_TTL:
            return cached[0]
        club = await self._counted(self.client.get_club(tenant_id))
        self._clubs[tenant_id] = (club, now)
        return club

    async def _counted[R](self, call: Awaitable[R]) -> R:
        """Await a request of the rounds, counting every request it sent against the ceiling."""
        before = self.client.request_count
        try:
            return await self._guarded(call)
        finally:
            for _ in range(self.client.request_count - before):
                self.budget.spend(dt_util.utcnow())

    def cached_club(self, tenant_id: str) -> Club | None:
        """The cached club, if any (no I/O)."""
        cached = self._clubs.get(tenant_id)
        return cached[0] if cached else None

    async def async_slots(
        self, clubs: list[Club], day: date, sport_id: str
    ) -> dict[str, list[Slot]]:
        """Every open slot of one sport on one club-local day at each club, by tenant id (clubs
        sharing the day's UTC window share a request, docs/playtomic-api.md §11.5)."""
        return await self._counted(self.client.get_availability_many(clubs, day, sport_id))

    def _request_of(self, key: ClubDay) -> tuple[str, date, str]:
        """Club-days of clubs in one zone share an availability request (docs/playtomic-api.md §11.5)."""
        tenant_id, sport_id, day = key
        club = self.cached_club(tenant_id)
        return (sport_id, day, club.zone.key if club else tenant_id)

    def days_to_poll(self, rules: dict[str, BookingRule], now: datetime) -> dict[str, list[date]]:
        """Which club-days each rule looks at in this refresh, nearest first, capped in total.

        A rule's candidates are the engine's open dates (the ones "book now" would try), less
        those already booked and those past the club's own booking limit.
        """
        wanted: dict[str, list[date]] = {}
        for rule_id, rule in rules.items():
            club = self.cached_club(rule.tenant_id)
            horizon = club.booking_ahead_limit if club else None
            wanted[rule_id] = open_dates(
                rule, now=now, horizon_minutes=horizon, skip=self.matches.booked_days(rule)
            )
        chosen: set[tuple[str, str, date]] = set()
        plan: dict[str, list[date]] = {rule_id: [] for rule_id in rules}
        # Round robin, so one rule with many days cannot starve the others.
        depth = 0
        while len(chosen) < MAX_CLUB_DAYS_PER_REFRESH and any(
            depth < len(days) for days in wanted.values()
        ):
            for rule_id, days in wanted.items():
                if depth >= len(days):
                    continue
                key = (rules[rule_id].tenant_id, rules[rule_id].sport_id, days[depth])
                if key not in chosen and len(chosen) >= MAX_CLUB_DAYS_PER_REFRESH:
                    continue
                chosen.add(key)
                plan[rule_id].append(days[depth])
            depth += 1
        return plan

    async def _fetch(self) -> AvailabilityData:
        rules = rules_of(self.config_entry)
        for tenant_id in {rule.tenant_id for rule in rules.values()}:
            await self.async_get_club(tenant_id)
        for match in self.matches.data or []:
            # The cancellation policy of a club we play at without a rule (cached for a day).
            if match.tenant_id and self.cached_club(match.tenant_id) is None:
                try:
                    await self.async_get_club(match.tenant_id)
                except PlaytomicError as err:
                    LOGGER.debug("No policy for club of a booking: %s", type(err).__name__)
        now = dt_util.utcnow()
        wanted = self.days_to_poll(rules, now)
        watched = {
            rule_id: days for rule_id, days in self.watched().items() if rule_id in rules and days
        }
        interval = round_interval(watching=bool(watched), rng=self.rng)
        self.update_interval = interval
        for key in [k for k, v in self._listings.items() if now - v.fetched_at >= LISTING_TTL]:
            del self._listings[key]
        chosen = plan_round(
            [club_day(rules[rule_id], day) for rule_id, days in watched.items() for day in days],
            [club_day(rules[rule_id], day) for rule_id, days in wanted.items() for day in days],
            limit=min(
                MAX_CLUB_DAYS_PER_REFRESH,
                self.budget.per_round(interval),
                self.budget.remaining(now),
            ),
            last_fetched={key: listing.fetched_at for key, listing in self._listings.items()},
            batch=self._request_of,
        )
        batches: dict[tuple[str, date], list[Club]] = {}
        for tenant_id, sport_id, day in chosen:
            batches.setdefault((sport_id, day), []).append(await self.async_get_club(tenant_id))
        for (sport_id, day), clubs in batches.items():
            found = await self.async_slots(clubs, day, sport_id)
            for club in clubs:
                slots = tuple(found.get(club.tenant_id, ()))
                self._listings[club.tenant_id, sport_id, day] = _Listing(slots, now)
        result: dict[str, RuleSlots] = {}
        for rule_id, rule in rules.items():
            club = await self.async_get_club(rule.tenant_id)
            checked = [day for day in wanted[rule_id] if club_day(rule, day) in self._listings]
            ranked: list[Slot] = []
            for day in checked:
                ranked.extend(
                    rule.rank(self._listings[club_day(rule, day)].slots, club.zone, after=now)
                )
            result[rule_id] = RuleSlots(
                best=ranked[0] if ranked else None,
                alternatives=tuple(ranked[1 : 1 + ALTERNATIVES]),
                days_checked=tuple(checked),
                club=club,
            )
        return AvailabilityData(
            rules=result,
            fetched_at=now,
            listings={key: listing.slots for key, listing in self._listings.items()},
            fresh=frozenset(chosen),
        )

    def summary(self) -> dict[str, Any]:
        """A secret-free summary for diagnostics."""
        data = self.data or AvailabilityData()
        return {
            "fetched_at": data.fetched_at.isoformat() if data.fetched_at else None,
            "last_update_success": self.last_update_success,
            "clubs_cached": len(self._clubs),
            "round_interval_s": self.update_interval.total_seconds()
            if self.update_interval
            else None,
            "fetched_this_round": len(data.fresh),
            # The hourly ceiling per account, enforced on every request of the rounds.
            "requests": self.budget.summary(dt_util.utcnow()),
            "rules": {
                rule_id: {
                    "days_checked": [day.isoformat() for day in slots.days_checked],
                    "best": slots.best.start.isoformat() if slots.best else None,
                    "alternatives": len(slots.alternatives),
                }
                for rule_id, slots in data.rules.items()
            },
        }
