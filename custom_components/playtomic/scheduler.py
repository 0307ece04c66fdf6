"""Release-time scheduling: arm each booking rule's next release and run the engine at it.

Timers come from `async_track_point_in_utc_time`, which fires at the instant with no added
jitter (time-pattern triggers and coordinators add 0.05-0.5 s, see the conventions doc). The
timer only starts the preparation, minutes ahead; the engine then fires the burst itself on the
monotonic loop clock at the server-clock instant.

What must survive a restart is kept in a `Store`: the release each rule is armed for, and the
intents of a burst in flight. At start-up an armed release that passed while Home Assistant was
down becomes `missed` (reported once, never a late silent booking), and a burst that was in
flight resumes with reconciliation first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import Club, Match, PaymentCategory, PlaytomicError
from .api.contract import BURST_WINDOW
from .const import DOMAIN, LOGGER
from .engine import (
    AttemptResult,
    BookingEngine,
    BookingRule,
    PlannedAttempt,
    Reason,
    failed_result,
    missed_result,
    next_attempt,
    plan_attempts,
    reason_of,
    target_date_for,
)
from .engine.timing import PREPARE_LEAD, WARM_LEAD
from .waiting import async_wait_until

STORE_VERSION = 1
# A Home Assistant that was down for weeks reports the last few misses, not every one.
MAX_MISSED_REPORTED = 7

type Report = Callable[[AttemptResult], Awaitable[None]]


class SchedulerStoppedError(Exception):
    """The entry was unloaded while a release was pending."""


def store_key(entry_id: str) -> str:
    """Storage key of an entry's scheduler state."""
    return f"{DOMAIN}.scheduler.{entry_id}"


class ReleaseScheduler:
    """Arms one timer per booking rule and runs each release through the engine."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        entry_id: str,
        engine: BookingEngine,
        rules: Callable[[], dict[str, BookingRule]],
        own_matches: Callable[[], Sequence[Match]],
        club: Callable[[str], Awaitable[Club]],
        payment_policy: Callable[[], Sequence[PaymentCategory]],
        dry_run: Callable[[], bool],
        report: Report,
        background: Callable[[Coroutine[Any, Any, Any], str], asyncio.Task[Any]],
    ) -> None:
        """Wire the scheduler to the entry through plain callables (easy to test, no cycles)."""
        self.hass = hass
        self.engine = engine
        self._entry_id = entry_id
        self._rules = rules
        self._own_matches = own_matches
        self._club = club
        self._payment_policy = payment_policy
        self._dry_run = dry_run
        self._report = report
        self._background = background
        self._store: Store[dict[str, Any]] = Store(hass, STORE_VERSION, store_key(entry_id))
        self._state: dict[str, dict[str, Any]] = {}
        self._timers: dict[str, CALLBACK_TYPE] = {}
        # One-shot timers armed by the `book` action for a far `at` (not persisted): what each
        # starts (a rule's name or "a one-off target") and when, for the warning if unloaded.
        self._later: dict[CALLBACK_TYPE, tuple[str, datetime]] = {}
        # The dry-run setting of each rule release armed by `book` or running, by (rule, instant).
        self._release_dry_run: dict[tuple[str, datetime], bool] = {}
        self._next: dict[str, PlannedAttempt] = {}
        self._running: dict[tuple[str, datetime], asyncio.Task[AttemptResult]] = {}
        self._stopped = False

    # -- what the entities read ----------------------------------------------------------------

    def diagnostics(self) -> dict[str, Any]:
        """Plan, persisted state and the server-clock estimate."""
        clock = self.engine.clock
        claim = self.engine.claim
        return {
            "next": {
                rule_id: {
                    "release_at": attempt.release_at.isoformat(),
                    "target_date": attempt.target_date.isoformat(),
                }
                for rule_id, attempt in self._next.items()
            },
            "state": self._state,
            "running": len(self._running),
            "server_clock": None
            if clock is None
            else {
                "offset_ms": round(clock.offset.total_seconds() * 1000, 1),
                "uncertainty_ms": round(clock.uncertainty.total_seconds() * 1000, 1),
                "samples": clock.samples,
                "measured_at": clock.measured_at.isoformat(),
            },
            # How the loop is claimed before each instant; each result's extra.fire says how
            # long it was held that time (held_ms) and how busy the loop was (loop_lag_ms).
            "loop_claim": {
                "max_hold_ms": round(claim.max_hold * 1000, 3),
                "pause_gc": claim.pause_gc,
                "switch_interval_ms": None
                if claim.switch_interval is None
                else round(claim.switch_interval * 1000, 3),
            },
        }

    # -- life cycle ----------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Restore state, report misses, resume a burst in flight, and arm every rule."""
        stored = await self._store.async_load() or {}
        self._state = {
            rule_id: dict(value)
            for rule_id, value in (stored.get("rules") or {}).items()
            if isinstance(value, dict)
        }
        now = dt_util.utcnow()
        rules = self._rules()
        # State of deleted rules would otherwise linger in the store forever.
        for rule_id in set(self._state) - set(rules):
            del self._state[rule_id]
        for rule in rules.values():
            await self._async_recover(rule, now)
        self.async_replan()
        await self._async_save()

    async def _async_recover(self, rule: BookingRule, now: datetime) -> None:
        state = self._state.get(rule.rule_id, {})
        armed = _parse_instant(state.get("armed"))
        if armed is None or armed > now:
            return
        if now < armed + BURST_WINDOW or state.get("intents"):
            attempt = PlannedAttempt(
                release_at=armed, target_date=target_date_for(rule, armed), rule_id=rule.rule_id
            )
            LOGGER.info("Resuming the release of %s after a restart", attempt.target_date)
            self._start_run(rule, attempt, resume=tuple(state.get("intents") or ()))
            return
        missed = plan_attempts(rule, after=armed, until=now)[-MAX_MISSED_REPORTED:]
        self._state[rule.rule_id] = {}
        for attempt in missed:
            await self._report(missed_result(attempt, rule))

    async def async_stop(self) -> None:
        """Cancel the timers (running bursts are entry background tasks: unload cancels them)."""
        self._stopped = True
        for unsub, (what, at) in self._later.items():
            # The caller was told "scheduled" and nothing else would tell them it is gone.
            LOGGER.warning(
                "The booking armed for %s at %s is cancelled: the account was unloaded",
                what,
                at.isoformat(),
            )
            unsub()
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()
        self._later.clear()

    @property
    def pending_later(self) -> int:
        """How many `book` actions with a far `at` are armed and not started yet."""
        return len(self._later)

    def fixed_dry_run(self, rule: BookingRule, at: datetime) -> bool | None:
        """The dry-run setting a release of `rule` at `at` already has, or None if it has none.

        A release armed by an earlier `book` or already running keeps the setting it started
        with; the rule's automatic release (auto-book on) runs with the account's. The `book`
        action joins such a release, so it may not ask for another setting.
        """
        key = (rule.rule_id, at)
        if key in self._release_dry_run:
            return self._release_dry_run[key]
        upcoming = self._next.get(rule.rule_id)
        if rule.auto_book and upcoming is not None and upcoming.release_at == at:
            return self._dry_run()
        return None

    def _setting(self, dry_run: bool | None) -> bool:
        """A run's dry-run setting, fixed when it is armed or started: the action's, else the
        account's option."""
        return self._dry_run() if dry_run is None else dry_run

    # -- planning ------------------------------------------------------------------------------

    @callback
    def async_replan(self) -> None:
        """Recompute every rule's next release and (re)arm the timers that changed."""
        if self._stopped:
            return
        now = dt_util.utcnow()
        rules = self._rules()
        matches = self._own_matches()
        for rule_id in set(self._timers) - set(rules):
            self._timers.pop(rule_id)()
        self._next = {}
        for rule in rules.values():
            # The same planner call the `next_booking_attempt` sensor makes.
            upcoming = next_attempt(rule, now=now, own_matches=matches)
            if upcoming:
                self._next[rule.rule_id] = upcoming
            if any(key[0] == rule.rule_id for key in self._running):
                # The running release keeps its persisted state; the next one is armed after it.
                continue
            self._arm(rule, upcoming if rule.auto_book else None)

    def _arm(self, rule: BookingRule, attempt: PlannedAttempt | None) -> None:
        state = self._state.setdefault(rule.rule_id, {})
        armed = _parse_instant(state.get("armed"))
        if attempt is not None and armed == attempt.release_at and rule.rule_id in self._timers:
            return
        if (unsub := self._timers.pop(rule.rule_id, None)) is not None:
            unsub()
        if attempt is None:
            if not state.get("intents"):
                state.pop("armed", None)
            return
        state["armed"] = attempt.release_at.isoformat()
        when = max(dt_util.utcnow(), attempt.release_at - PREPARE_LEAD)

        @callback
        def fire(_now: datetime) -> None:
            self._timers.pop(rule.rule_id, None)
            current = self._rules().get(rule.rule_id)
            if current is None or not current.auto_book:
                self.async_replan()
                return
            self._start_run(current, attempt)

        self._timers[rule.rule_id] = async_track_point_in_utc_time(self.hass, fire, when)
        self._background(self._async_save(), f"{DOMAIN} save scheduler")

    # -- running -------------------------------------------------------------------------------

    async def async_run_at(
        self, rule: BookingRule, at: datetime, *, dry_run: bool | None = None
    ) -> AttemptResult:
        """Run the precise release routine for `rule` at `at` (the `book` action with `at`).

        If the scheduler already runs that release (auto-book armed it), join it rather than
        start a second burst for the same goal. Raises SchedulerStoppedError on unload.
        """
        attempt = PlannedAttempt(
            release_at=at, target_date=target_date_for(rule, at), rule_id=rule.rule_id
        )
        task = self._start_run(rule, attempt, dry_run=dry_run)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise SchedulerStoppedError from None
            raise

    @callback
    def async_run_later(
        self, rule: BookingRule, at: datetime, *, dry_run: bool | None = None
    ) -> None:
        """Arm the precise release routine for `rule` at `at` and return (the `book` action
        with a far `at`). It starts PREPARE_LEAD before the instant like an armed release (and
        joins one for the same instant); its result is reported like every release's. An
        unload cancels it; like Home Assistant's own timers it does not survive a restart.
        """
        key = (rule.rule_id, at)
        if key in self._release_dry_run:
            return  # Armed already (or running): one run serves both calls.
        attempt = PlannedAttempt(
            release_at=at, target_date=target_date_for(rule, at), rule_id=rule.rule_id
        )
        # Kept until the run ends (`_start_run`'s done), whoever starts it.
        self._release_dry_run[key] = self._setting(dry_run)
        self._call_later(
            at - PREPARE_LEAD,
            lambda: self._start_run(rule, attempt, dry_run=dry_run),
            what=rule.name,
            at=at,
        )

    @callback
    def async_call_later(
        self, at: datetime, job: Callable[[], Coroutine[Any, Any, Any]], name: str
    ) -> None:
        """Start `job()` as an entry background task at `at` (the `book` action with a far
        `at` and no rule); cancelled by an unload, forgotten by a restart."""
        self._call_later(at, lambda: self._background(job(), name), what="a one-off target", at=at)

    def _call_later(
        self, when: datetime, start: Callable[[], object], *, what: str, at: datetime
    ) -> None:
        unsub: CALLBACK_TYPE | None = None

        @callback
        def fire(_now: datetime) -> None:
            if unsub is not None:
                self._later.pop(unsub, None)
            if not self._stopped:
                start()

        unsub = async_track_point_in_utc_time(self.hass, fire, when)
        self._later[unsub] = (what, at)

    def _start_run(
        self,
        rule: BookingRule,
        attempt: PlannedAttempt,
        *,
        resume: Sequence[str] = (),
        dry_run: bool | None = None,
    ) -> asyncio.Task[AttemptResult]:
        key = (rule.rule_id, attempt.release_at)
        if (running := self._running.get(key)) is not None:
            # The auto-book timer and `book` actions may reach the same release: one burst
            # serves them all, with the setting of the one that started it. The `book` action
            # refuses another dry-run setting (`fixed_dry_run`), so none can take over another.
            return running
        setting = self._setting(dry_run)
        task = self._background(
            self._async_run(rule, attempt, resume=resume, dry_run=setting),
            f"{DOMAIN} release {rule.name} {attempt.target_date}",
        )
        self._running[key] = task
        self._release_dry_run[key] = setting

        def done(_task: asyncio.Task[AttemptResult]) -> None:
            self._running.pop(key, None)
            self._release_dry_run.pop(key, None)

        task.add_done_callback(done)
        return task

    async def _async_run(
        self,
        rule: BookingRule,
        attempt: PlannedAttempt,
        *,
        resume: Sequence[str],
        dry_run: bool,
    ) -> AttemptResult:
        state = self._state.setdefault(rule.rule_id, {})
        try:
            result = await self._async_release(rule, attempt, state, resume=resume, dry_run=dry_run)
        except PlaytomicError as err:
            result = failed_result(attempt, rule, reason=reason_of(err))
        except Exception:
            LOGGER.exception("Release of %s for %s failed", rule.name, attempt.target_date)
            result = failed_result(attempt, rule, reason=Reason.INTERNAL_ERROR)
        if _parse_instant(state.get("armed")) == attempt.release_at:
            state.pop("armed", None)
        state.pop("intents", None)
        await self._async_save()
        await self._report(result)
        self._running.pop((rule.rule_id, attempt.release_at), None)
        self._release_dry_run.pop((rule.rule_id, attempt.release_at), None)
        self.async_replan()
        return result

    async def _async_release(
        self,
        rule: BookingRule,
        attempt: PlannedAttempt,
        state: dict[str, Any],
        *,
        resume: Sequence[str],
        dry_run: bool,
    ) -> AttemptResult:
        # Every wait until the last minute runs on Home Assistant's timers (exact, and driven by
        # the freezer in tests); the engine prepares at WARM_LEAD and then fires on the loop's
        # monotonic clock.
        await async_wait_until(self.hass, attempt.release_at - PREPARE_LEAD)
        try:
            await self.engine.ensure_token_for(attempt.release_at)
        except PlaytomicError as err:
            # The release still fires: the client retries the token inside the burst.
            LOGGER.warning("Token refresh before the release failed: %s", type(err).__name__)
        club = await self._club(rule.tenant_id)
        if not resume and attempt.release_at > dt_util.utcnow():
            await async_wait_until(self.hass, attempt.release_at - WARM_LEAD)
            await self.engine.prepare(rule, club, attempt.release_at)

        async def progress(intent_ids: Sequence[str]) -> None:
            # Persisted at once: a restart inside the burst must find these to reconcile first.
            if intent_ids:
                state["intents"] = list(intent_ids)
            else:
                state.pop("intents", None)
            await self._async_save()

        return await self.engine.run_release(
            attempt,
            rule,
            club,
            payment_policy=self._payment_policy(),
            dry_run=dry_run,
            resume_intent_ids=resume,
            on_progress=progress,
        )

    async def _async_save(self) -> None:
        await self._store.async_save(
            {"rules": {rule_id: state for rule_id, state in self._state.items() if state}}
        )


async def async_remove_state(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed entry's scheduler state."""
    await Store[dict[str, Any]](hass, STORE_VERSION, store_key(entry_id)).async_remove()


def _parse_instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt_util.UTC)
