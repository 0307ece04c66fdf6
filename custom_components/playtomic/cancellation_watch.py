"""The cancellation watch of one account entry.

After a release ends without a booking, its date is remembered (in a `Store`, so a restart
neither loses it nor books it twice: the engine reads the own bookings before booking). Each
availability round lists the watched days first (`coordinator.AvailabilityCoordinator`); when a
round's fresh listing of a watched day has a slot that fits the rule, the watch books it through
the "book now" path (`book_now.async_book`, so the engine's lock, ranking, payment policy and
one-booking-per-date rule apply) and reports it with `trigger: watch`. Which dates are watched
is the engine's rule (`engine.watch.watched_dates`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date, datetime
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import PlaytomicClient
from .const import DOMAIN, LOGGER
from .coordinator import AvailabilityCoordinator, MatchesCoordinator
from .engine import AttemptResult, Outcome, club_day, covered_dates, starts_watch, watched_dates
from .engine.watch import watchable
from .rule_entries import rules_of

STORE_VERSION = 1
# A watch attempt that ends like this keeps watching: the court went again, or a transient error.
KEEP_WATCHING = frozenset({Outcome.NO_SLOT, Outcome.FAILED})

type Book = Callable[[str, date], Awaitable[AttemptResult]]


def watch_store_key(entry_id: str) -> str:
    """Storage key of an entry's watched dates."""
    return f"{DOMAIN}.watch.{entry_id}"


def signal_watch(entry_id: str) -> str:
    """Dispatcher signal sent whenever the watched dates change."""
    return f"{DOMAIN}_watch_{entry_id}"


class CancellationWatch:
    """The dates each rule watches, and the bookings made when a court comes back."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        client: PlaytomicClient,
        matches: MatchesCoordinator,
        availability: AvailabilityCoordinator,
        book: Book,
        background: Callable[[Coroutine[Any, Any, Any], str], asyncio.Task[Any]],
    ) -> None:
        """Bind the entry's client and coordinators; nothing is read until `async_load`."""
        self.hass = hass
        self.entry = entry
        self._client = client
        self._matches = matches
        self._availability = availability
        self._book = book
        self._background = background
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, watch_store_key(entry.entry_id)
        )
        # Rule id -> club-local date (ISO) -> when its release ended without a booking.
        self._attempted: dict[str, dict[str, str]] = {}
        self._running: dict[tuple[str, date], asyncio.Task[Any]] = {}
        self._last_round: datetime | None = None
        self.bookings = 0

    async def async_load(self) -> None:
        """Restore the watched dates; unreadable records are skipped."""
        stored = await self._store.async_load() or {}
        rules = stored.get("rules") if isinstance(stored, dict) else None
        for rule_id, dates in (rules if isinstance(rules, dict) else {}).items():
            if not isinstance(dates, dict):
                continue
            kept = {day: str(since) for day, since in dates.items() if _parse_date(day)}
            if kept:
                self._attempted[str(rule_id)] = kept

    # -- what is watched -----------------------------------------------------------------------

    def attempted(self, rule_id: str) -> list[date]:
        """The rule's dates whose release ended without a booking (still remembered)."""
        return sorted(
            day for text in self._attempted.get(rule_id, {}) if (day := _parse_date(text))
        )

    def watched(self) -> dict[str, list[date]]:
        """Per rule, the dates being watched now (empty lists left out)."""
        now = dt_util.utcnow()
        own = self._matches.data or []
        watched: dict[str, list[date]] = {}
        for rule_id, rule in rules_of(self.entry).items():
            days = watched_dates(rule, now=now, attempted=self.attempted(rule_id), own_matches=own)
            if days:
                watched[rule_id] = days
        return watched

    def pause_reason(self) -> str | None:
        """Why rounds book nothing now: Playtomic's firewall blocks us, or sign-in is needed."""
        until = self._client.edge_blocked_until
        if until is not None and until > dt_util.utcnow():
            return "edge_blocked"
        if any(self.entry.async_get_active_flows(self.hass, {SOURCE_REAUTH})):
            return "reauth_needed"
        return None

    # -- keeping the dates ---------------------------------------------------------------------

    @callback
    def async_result(self, result: AttemptResult) -> None:
        """Every reported result: a release without booking starts watching its date, a booking
        of the date (any path) ends it."""
        if result.rule_id is None or result.target_date is None:
            return
        if starts_watch(result):
            dates = self._attempted.setdefault(result.rule_id, {})
            if result.target_date.isoformat() not in dates:
                dates[result.target_date.isoformat()] = dt_util.utcnow().isoformat()
                self._changed()
        elif result.succeeded:
            self._forget(result.rule_id, result.target_date)

    def _forget(self, rule_id: str, day: date) -> None:
        dates = self._attempted.get(rule_id, {})
        if dates.pop(day.isoformat(), None) is not None:
            if not dates:
                self._attempted.pop(rule_id, None)
            self._changed()

    def _prune(self) -> None:
        """Forget dates of deleted rules, dates past their cutoff and dates we now play."""
        now = dt_util.utcnow()
        rules = rules_of(self.entry)
        own = self._matches.data or []
        for rule_id in list(self._attempted):
            rule = rules.get(rule_id)
            covered = covered_dates(rule, own) if rule else set()
            for day in self.attempted(rule_id):
                # Kept while the switch is off, so switching it back on resumes the watch.
                if rule is None or not watchable(rule, day, now=now, covered=covered):
                    self._forget(rule_id, day)

    @callback
    def _changed(self) -> None:
        self._background(self._async_save(), f"{DOMAIN} save watch")
        async_dispatcher_send(self.hass, signal_watch(self.entry.entry_id))

    async def _async_save(self) -> None:
        await self._store.async_save({"rules": self._attempted})

    # -- rounds --------------------------------------------------------------------------------

    @callback
    def async_round(self) -> None:
        """After an availability round: book every watched date whose fresh listing fits."""
        data = self._availability.data
        if data is None or data.fetched_at is None or data.fetched_at == self._last_round:
            return
        self._last_round = data.fetched_at
        self._prune()
        if (reason := self.pause_reason()) is not None:
            LOGGER.debug("Cancellation watch paused: %s", reason)
            return
        rules = rules_of(self.entry)
        for rule_id, days in self.watched().items():
            rule = rules[rule_id]
            club = self._availability.cached_club(rule.tenant_id)
            for day in days:
                key = club_day(rule, day)
                if club is None or key not in data.fresh or (rule_id, day) in self._running:
                    continue
                if not rule.rank(data.listings[key], club.zone, after=data.fetched_at):
                    continue
                self._start(rule_id, day)

    def _start(self, rule_id: str, day: date) -> None:
        task = self._background(
            self._async_book(rule_id, day), f"{DOMAIN} watch {rule_id} {day.isoformat()}"
        )
        self._running[rule_id, day] = task
        task.add_done_callback(lambda _task: self._running.pop((rule_id, day), None))

    async def _async_book(self, rule_id: str, day: date) -> None:
        LOGGER.info("A court fitting rule %s came back on %s: booking it", rule_id, day)
        result = await self._book(rule_id, day)
        if result.outcome is Outcome.BOOKED and result.reason != "already_booked":
            self.bookings += 1
        if result.outcome not in KEEP_WATCHING:
            # Booked (now or before), a dry run, or something the user must sort out by hand.
            self._forget(rule_id, day)

    def diagnostics(self) -> dict[str, Any]:
        """Watched and remembered dates, bookings made, and why rounds are paused."""
        return {
            "watched": {
                rule_id: [day.isoformat() for day in days]
                for rule_id, days in self.watched().items()
            },
            "attempted": self._attempted,
            "running": len(self._running),
            "bookings": self.bookings,
            "paused": self.pause_reason(),
        }


async def async_remove_watch_state(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed entry's watched dates."""
    await Store[dict[str, Any]](hass, STORE_VERSION, watch_store_key(entry_id)).async_remove()


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
