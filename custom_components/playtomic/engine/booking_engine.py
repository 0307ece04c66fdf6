"""BookingEngine: preparation, the release run and "book now"."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
import logging
import time
from typing import Any

from ..api.client import PlaytomicClient
from ..api.errors import IntentAlreadyOpenError, PlaytomicError, SlotNotAvailableError
from ..api.models import Club, Match
from ..api.payments import PaymentCategory
from .burst import Burst, BurstPolicy, ProgressCallback, call_progress
from .candidates import DEFAULT_STEP_MINUTES, build_candidates, opens_at
from .daylocks import DayKey, DayLocks, day_key
from .finish_intent import SlotGoneError, complete_intent, dry_run_completion
from .firing import FireReport, fire_at
from .loop_claim import DEFAULT_CLAIM, ClaimPolicy, HotPath
from .outcome import AttemptResult, Outcome
from .planner import PlannedAttempt, covering_match, open_dates, target_date_for
from .reasons import Reason, is_slot_gone, reason_of
from .report import ResultBuilder
from .rules import BookingRule
from .server_clock import ClockOffset, measure_offset
from .timing import (
    BOOK_NOW_MAX_DATES,
    BOOK_NOW_MAX_SLOTS,
    CLOCK_MAX_AGE,
    DRY_RUN_SETTLE,
    FINAL_WARM_LEAD,
    MIN_TIME_TO_MEASURE,
    PREPARATION_TTL,
    token_validity_before,
)

_LOGGER = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(kw_only=True)
class Preparation:
    """What `prepare` found out ahead of one release."""

    rule_id: str
    target_date: date
    release_at: datetime
    club: Club
    clock: ClockOffset | None
    covered_by: Match | None
    prepared_at: datetime
    requests_used: int
    errors: list[str] = field(default_factory=list)


class BookingEngine:
    """Books courts for booking rules at their release instant, HA-free.

    One engine per account (per client). Every booking path holds the lock of the club-day it
    books (`daylocks`), reads the own bookings inside it and remembers what it booked, so two
    paths (a release, book now, the `book` action, a watch calling `book_best`) never book the
    same club-day twice.
    """

    def __init__(
        self,
        client: PlaytomicClient,
        *,
        wall: Callable[[], datetime] = _utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        step_minutes: int = DEFAULT_STEP_MINUTES,
        policy: BurstPolicy | None = None,
        claim: ClaimPolicy = DEFAULT_CLAIM,
    ) -> None:
        self.client = client
        self.wall = wall
        self.monotonic = monotonic
        self.sleep = sleep
        self.step_minutes = step_minutes
        self.policy = policy or BurstPolicy()
        self.claim = claim
        self._clock: ClockOffset | None = None
        self._clock_lock = asyncio.Lock()
        self._prepared: dict[tuple[str, datetime], Preparation] = {}
        self._days = DayLocks()

    # -- diagnostics -----------------------------------------------------------------------

    @property
    def clock(self) -> ClockOffset | None:
        """The latest server-clock estimate (diagnostics)."""
        return self._clock

    # -- server clock ----------------------------------------------------------------------

    async def measure_clock(self, *, force: bool = False, max_probes: int = 10) -> ClockOffset:
        """The server-clock offset, measured again only when the last one is stale."""
        async with self._clock_lock:
            cached = self._clock
            if (
                not force
                and cached is not None
                and cached.samples > 0
                and self.wall() - cached.measured_at < CLOCK_MAX_AGE
            ):
                return cached
            self._clock = await measure_offset(
                self.client.probe_server_time,
                now=self.wall,
                sleep=self.sleep,
                max_probes=max_probes,
            )
            return self._clock

    def set_clock(self, clock: ClockOffset | None) -> None:
        """Install an estimate: the release benchmark (`bench/release_bench.py`) replays a
        measured one, and tests force a narrow one without virtual seconds of probing."""
        self._clock = clock

    # -- preparation -----------------------------------------------------------------------

    async def prepare(
        self,
        rule: BookingRule,
        club: Club,
        release_at: datetime,
        *,
        measure_clock: bool = True,
    ) -> Preparation:
        """Get ready for one release; the scheduler calls it `timing.WARM_LEAD` before it.

        Resolve the courts (which also opens the connection), measure the server clock unless a
        fresh estimate exists, and read the own bookings for the target date (`run_release`,
        called right after, reads them again inside the day's lock if another path held it
        meanwhile). It neither waits nor refreshes the token: the scheduler did both (see
        `ensure_token_for`). Failures are recorded, not raised: the release still fires on what
        is known.
        """
        base = self.client.request_count
        target = target_date_for(rule, release_at)
        errors: list[str] = []
        try:
            courts = await self.client.get_courts(club.tenant_id)
            if courts:
                club = club.with_courts(tuple(courts))
        except PlaytomicError as err:
            errors.append(f"courts: {reason_of(err)}")
        clock = self._clock
        # Bisection takes ~1 s per probe: never let it run into the instant (restart shortly
        # before a release); the cached estimate or the host clock is used then.
        if measure_clock and release_at - self.wall() > MIN_TIME_TO_MEASURE:
            try:
                clock = await self.measure_clock()
            except PlaytomicError as err:
                errors.append(f"clock: {reason_of(err)}")
        covered: Match | None = None
        try:
            covered = covering_match(rule, target, await self.client.get_matches())
        except PlaytomicError as err:
            errors.append(f"matches: {reason_of(err)}")
        prep = Preparation(
            rule_id=rule.rule_id,
            target_date=target,
            release_at=release_at,
            club=club,
            clock=clock,
            covered_by=covered,
            prepared_at=self.wall(),
            requests_used=self.client.request_count - base,
            errors=errors,
        )
        now = self.wall()
        for stale in [k for k, p in self._prepared.items() if p.release_at < now - PREPARATION_TTL]:
            del self._prepared[stale]
        self._prepared[(rule.rule_id, release_at)] = prep
        return prep

    async def ensure_token_for(self, release_at: datetime) -> None:
        """Make the access token outlive the release's burst (`timing.token_validity_before`);
        a rotated pair reaches the client's on_tokens callback before any other request."""
        await self.client.ensure_token(min_validity=token_validity_before(release_at, self.wall()))

    # -- the release run -------------------------------------------------------------------

    async def run_release(
        self,
        attempt: PlannedAttempt,
        rule: BookingRule,
        club: Club,
        *,
        payment_policy: Iterable[PaymentCategory | str],
        dry_run: bool = False,
        hedge: bool = False,
        resume_intent_ids: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> AttemptResult:
        """Fire at the (server-clock) release instant and try to book; one outcome, always.

        Call it shortly before the instant (after `prepare`, or alone: it then prepares what
        time allows). `resume_intent_ids` are intents a previous run (before a restart) created:
        they are reconciled first, and a booking found ends the run without firing.
        """
        policy = replace(self.policy, hedge=hedge)
        release_at = attempt.release_at
        target = attempt.target_date
        prep = self._prepared.pop((rule.rule_id, release_at), None)
        if prep is not None:
            club = prep.club if prep.club.courts else club
        builder = ResultBuilder(self.client, self.wall, rule, club, target, release_at)
        if prep is not None:
            builder.extra["prepared_requests"] = prep.requests_used
            if prep.errors:
                builder.extra["prepare_errors"] = prep.errors
        key = day_key(rule.tenant_id, rule.sport_id, target)
        async with self._days.hold(key) as contended:
            try:
                result = await self._run_locked(
                    builder,
                    key=key,
                    prep=prep,
                    contended=contended,
                    resume_intent_ids=resume_intent_ids,
                    policy=policy,
                    payment_policy=payment_policy,
                    dry_run=dry_run,
                    on_progress=on_progress,
                )
            except PlaytomicError as err:
                result = builder.result(Outcome.FAILED, reason=reason_of(err))
            except Exception:
                # A bug must still end in one outcome the integration can report, not in a
                # scheduler task dying silently.
                _LOGGER.exception("Release run for rule %s failed unexpectedly", rule.rule_id)
                result = builder.result(Outcome.FAILED, reason=Reason.INTERNAL_ERROR)
            self._remember(key, result)
            await call_progress(on_progress, ())
            return result

    async def _run_locked(
        self,
        builder: ResultBuilder,
        *,
        key: DayKey,
        prep: Preparation | None,
        contended: bool,
        resume_intent_ids: Sequence[str],
        policy: BurstPolicy,
        payment_policy: Iterable[PaymentCategory | str],
        dry_run: bool,
        on_progress: ProgressCallback | None,
    ) -> AttemptResult:
        # A path that held the lock first may have booked since the preparation read.
        read = prep if not contended else None
        done = await self._already_booked(builder, key, read, resume_intent_ids)
        if done is not None:
            return done
        assert builder.release_at is not None
        if self.wall() > builder.release_at + timedelta(seconds=policy.burst_seconds):
            return builder.result(Outcome.MISSED, reason=Reason.BURST_WINDOW_PASSED)
        if dry_run:
            return await self._dry_release(builder, payment_policy=tuple(payment_policy))
        return await self._fire_and_burst(
            builder,
            rule=builder.rule,
            policy=policy,
            payment_policy=payment_policy,
            dry_run=dry_run,
            prep=prep,
            on_progress=on_progress,
        )

    async def _already_booked(
        self,
        builder: ResultBuilder,
        key: DayKey,
        prep: Preparation | None,
        resume_intent_ids: Sequence[str],
    ) -> AttemptResult | None:
        """A booking that already covers the rule's date (called holding the day's lock): made
        under this lock in this process, created before a restart (reconciled through the
        intents), or in the own bookings (read now, or by the preparation just before)."""
        rule = builder.rule
        target = key[2]
        mine = covering_match(rule, target, self._days.booked(key))
        if mine is not None:
            return builder.result(
                Outcome.BOOKED, reason=Reason.ALREADY_BOOKED, match=await self._fresh(mine)
            )
        if resume_intent_ids:
            builder.extra["resumed_intents"] = list(resume_intent_ids)
            for intent_id in resume_intent_ids:
                try:
                    intent = await self.client.get_payment_intent(intent_id)
                except PlaytomicError as err:
                    _LOGGER.info("Resumed intent could not be read: %s", reason_of(err))
                    continue
                if intent.succeeded and intent.match_id:
                    match = await self._match_or_none(intent.match_id)
                    return builder.result(
                        Outcome.BOOKED,
                        reason=Reason.RESUMED_BOOKED,
                        match=match,
                        match_id=intent.match_id,
                    )
        if prep is not None and not resume_intent_ids:
            # Read just before this run, and no path held the lock since (else `prep` is None);
            # a booking made under the lock is in its memory anyway (checked above).
            own: Sequence[Match] = (prep.covered_by,) if prep.covered_by else ()
        else:
            assert builder.release_at is not None
            if not resume_intent_ids and builder.release_at - self.wall() < FINAL_WARM_LEAD:
                # Too close to the instant for one more request: the bookings made under the
                # lock (checked above) are all this run can know.
                builder.extra["own_bookings_unread"] = True
                return None
            try:
                own = await self.client.get_matches()
            except PlaytomicError as err:
                if resume_intent_ids:
                    raise
                builder.extra["own_bookings_error"] = reason_of(err)
                return None
        covered = covering_match(rule, target, own)
        if covered is None:
            return None
        reason = Reason.RESUMED_BOOKED if resume_intent_ids else Reason.ALREADY_BOOKED
        return builder.result(Outcome.BOOKED, reason=reason, match=covered)

    async def _fresh(self, booked: Match) -> Match:
        """The server's view of a match booked in this process (the local copy if unreadable)."""
        return await self._match_or_none(booked.match_id) or booked

    def _remember(self, key: DayKey, result: AttemptResult) -> None:
        """Remember a new booking under the day's lock (call it while holding the lock)."""
        if result.outcome is not Outcome.BOOKED or not result.match_id:
            return
        if result.reason in (Reason.ALREADY_BOOKED, Reason.RESUMED_BOOKED) and any(
            m.match_id == result.match_id for m in self._days.booked(key)
        ):
            return
        if result.start is None or result.duration is None:
            return
        match = Match(
            match_id=result.match_id,
            start=result.start,
            end=result.start + timedelta(minutes=result.duration),
            tenant_id=result.tenant_id,
            sport_id=key[1],
            resource_id=result.resource_id,
            resource_name=result.court_name,
        )
        self._days.remember(key, match, today=self.wall().date())

    async def _match_or_none(self, match_id: str) -> Match | None:
        try:
            return await self.client.get_match(match_id)
        except PlaytomicError:
            return None

    async def _dry_release(
        self, builder: ResultBuilder, *, payment_policy: tuple[PaymentCategory | str, ...]
    ) -> AttemptResult:
        """A release in dry run: no burst (its intents would hold courts). Once the release has
        surely passed, the released date's listing is ranked like "book now" would."""
        assert builder.release_at is not None
        assert builder.target_date is not None
        wait = builder.release_at + DRY_RUN_SETTLE - self.wall()
        if wait > timedelta(0):
            await self.sleep(wait.total_seconds())
        result, _ = await self._book_day(
            builder,
            rule=builder.rule,
            club=builder.club,
            day=builder.target_date,
            policy=payment_policy,
            dry_run=True,
        )
        return result or builder.result(Outcome.NO_SLOT, reason=Reason.NO_MATCHING_SLOT)

    async def _fire_and_burst(
        self,
        builder: ResultBuilder,
        *,
        rule: BookingRule,
        policy: BurstPolicy,
        payment_policy: Iterable[PaymentCategory | str],
        dry_run: bool,
        prep: Preparation | None,
        on_progress: ProgressCallback | None,
    ) -> AttemptResult:
        release_at = builder.release_at
        target = builder.target_date
        assert release_at is not None
        assert target is not None
        club = builder.club
        if prep is None:
            await self.ensure_token_for(release_at)
            if not club.courts:
                club = club.with_courts(tuple(await self.client.get_courts(club.tenant_id)))
                builder.club = club
        clock = prep.clock if prep is not None and prep.clock is not None else self._clock
        if (clock is None or self.wall() - clock.measured_at >= CLOCK_MAX_AGE) and (
            release_at - self.wall() > MIN_TIME_TO_MEASURE
        ):
            clock = await self.measure_clock()
        if clock is None:
            clock = ClockOffset.unknown(self.wall())
        builder.extra["clock"] = clock.as_dict()

        slots = build_candidates(
            rule, club, target, open_by=release_at, step_minutes=self.step_minutes
        )
        if not slots:
            return builder.result(Outcome.FAILED, reason=Reason.NO_CANDIDATE_SLOTS)
        builder.extra["candidates"] = len(slots)

        # Keep the pooled connection warm right before the instant (aiohttp drops idle ones).
        final_warm = clock.host_instant(release_at) - FINAL_WARM_LEAD - self.wall()
        if final_warm > timedelta(0):
            await self.sleep(final_warm.total_seconds())
            try:
                await self.client.probe_server_time()
            except PlaytomicError as err:
                builder.extra["final_warm_error"] = reason_of(err)

        # Collector off (and a short switch interval) from the claim until the first confirmation.
        hot_path = HotPath(self.claim)
        burst = Burst(
            self.client,
            [(slot, opens_at(rule, slot, release_at)) for slot in slots],
            policy=policy,
            payment_policy=payment_policy,
            dry_run=dry_run,
            release_at=release_at,
            firing_offset=clock.firing_offset,
            clock_width=clock.spread,
            wall=self.wall,
            monotonic=self.monotonic,
            sleep=self.sleep,
            on_progress=on_progress,
            after_first_confirmation=hot_path.release,
        )
        record, fire = await fire_at(
            clock.host_instant(release_at),
            burst.run,
            wall=self.wall,
            claim=self.claim,
            hot_path=hot_path,
        )
        builder.extra["fire"] = _fire_dict(fire)
        builder.extra["tried"] = record.tried
        builder.extra["intent_ids"] = record.intent_ids
        fire_error = latency = None
        if record.first_sent is not None:
            fire_error = _ms(clock.to_server(record.first_sent) - release_at)
        if record.outcome in (Outcome.BOOKED, Outcome.DRY_RUN) and record.finished is not None:
            latency = _ms(clock.to_server(record.finished) - release_at)
            builder.extra["confirmed_at"] = record.finished.isoformat()  # host wall clock
        if record.first_sent is not None:
            builder.extra["first_sent_at"] = record.first_sent.isoformat()  # host wall clock
        return builder.result(
            record.outcome,
            slot=record.slot,
            completion=record.completion,
            reason=record.reason,
            attempts=record.creates,
            fire_error_ms=fire_error,
            latency_ms=latency,
        )

    # -- book now --------------------------------------------------------------------------

    async def book_best(
        self,
        rule: BookingRule,
        club: Club,
        *,
        target_date: date | None = None,
        payment_policy: Iterable[PaymentCategory | str],
        dry_run: bool = False,
    ) -> AttemptResult:
        """Book the best listed slot now: availability, filter and rank, book with fallback.

        Without `target_date`, the rule's open dates (`planner.open_dates`: released, with a slot
        still ahead) not yet covered by an own booking are tried in order.
        """
        policy = tuple(payment_policy)
        builder = ResultBuilder(self.client, self.wall, rule, club, target_date, None)
        try:
            if not club.courts:
                club = await self.client.get_club(rule.tenant_id)
                builder.club = club
            dates = [target_date] if target_date is not None else open_dates(rule, now=self.wall())
            attempts = 0
            own: list[Match] | None = None
            for day in dates[:BOOK_NOW_MAX_DATES]:
                if attempts >= BOOK_NOW_MAX_SLOTS:
                    # Request volume stays human-scale (docs/playtomic-api.md §8 rule 5) across all dates.
                    break
                key = day_key(rule.tenant_id, rule.sport_id, day)
                async with self._days.hold(key) as contended:
                    if own is None or contended:
                        # Read inside the lock: a path that held it before us may have booked.
                        # Bookings of this process under other days' locks are remembered.
                        own = await self.client.get_matches()
                    builder.target_date = day
                    covered = covering_match(rule, day, [*self._days.booked(key), *own])
                    if covered is not None:
                        if target_date is not None:
                            return builder.result(
                                Outcome.BOOKED, reason=Reason.ALREADY_BOOKED, match=covered
                            )
                        continue
                    result, tries = await self._book_day(
                        builder,
                        rule=rule,
                        club=club,
                        day=day,
                        policy=policy,
                        dry_run=dry_run,
                        limit=BOOK_NOW_MAX_SLOTS - attempts,
                    )
                    attempts += tries
                    if result is not None:
                        self._remember(key, result)
                        return replace(result, attempts=attempts)
            return builder.result(
                Outcome.NO_SLOT,
                reason=Reason.NO_MATCHING_SLOT if dates else Reason.NO_UPCOMING_DATE,
                attempts=attempts,
            )
        except PlaytomicError as err:
            return builder.result(Outcome.FAILED, reason=reason_of(err))
        except Exception:
            # A bug (or an answer no parser foresaw) still ends in one reported outcome.
            _LOGGER.exception("Book now for rule %s failed unexpectedly", rule.rule_id)
            return builder.result(Outcome.FAILED, reason=Reason.INTERNAL_ERROR)

    async def _book_day(
        self,
        builder: ResultBuilder,
        *,
        rule: BookingRule,
        club: Club,
        day: date,
        policy: tuple[PaymentCategory | str, ...],
        dry_run: bool,
        limit: int = BOOK_NOW_MAX_SLOTS,
    ) -> tuple[AttemptResult | None, int]:
        now = self.wall()
        listed = await self.client.get_availability(club, day, sport_id=rule.sport_id)
        ranked = rule.rank(listed, club.zone, after=now)
        if dry_run:
            # No payment intent: it would hold the court for minutes (see dry_run_completion).
            if not ranked:
                return None, 0
            completion = dry_run_completion(ranked[0], club, policy)
            return builder.result(completion.outcome, slot=ranked[0], completion=completion), 0
        tries = 0
        for slot in ranked[:limit]:
            tries += 1
            began = self.wall()
            try:
                intent = await self.client.create_payment_intent(slot.target)
                completion = await complete_intent(
                    self.client, intent, slot, policy, dry_run=dry_run, sleep=self.sleep
                )
            except (SlotNotAvailableError, SlotGoneError, IntentAlreadyOpenError):
                continue
            except PlaytomicError as err:
                if is_slot_gone(err):
                    continue
                raise
            return (
                builder.result(
                    completion.outcome,
                    slot=slot,
                    completion=completion,
                    latency_ms=_ms(self.wall() - began),
                ),
                tries,
            )
        return None, tries


def _ms(delta: timedelta) -> float:
    return round(delta / timedelta(milliseconds=1), 2)


def _fire_dict(fire: FireReport) -> dict[str, Any]:
    return {
        "target": fire.target.isoformat(),
        "fired_at": fire.fired_at.isoformat(),
        "loop_lateness_ms": round(fire.lateness_ms, 3),
        "rearms": fire.rearms,
        "lead_ms": round(fire.lead_ms, 3),
        "claim_lag_ms": round(fire.claim_lag_ms, 3),
        "held_ms": round(fire.held_ms, 3),
        "loop_lag_ms": round(fire.loop_lag_ms, 3),
        "lag_samples": fire.lag_samples,
    }
