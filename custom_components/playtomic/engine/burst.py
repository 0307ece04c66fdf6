"""The release burst: create intents on the ranked candidates, confirm exactly one.

Retry policy (docs/playtomic-api.md §8 rule 4), per candidate:
- A 409 is *inconclusive* while the release may not have happened yet on the server's clock
  (request sent before `opens_at + settle`, settle covering the clock estimate's spread) and no
  create of this burst has succeeded yet. The candidate is tried again once the release is
  surely past, at least `fast_spacing` later; meanwhile the next candidate is tried.
- When that window is wide (no clock estimate, or a wide one: `paced_from`), waiting until the
  release is surely past would give the court away, and retrying at `fast_spacing` would spend
  the budget before the release. Early retries are then paced: the gap doubles from
  `fast_spacing` but stays short enough for the budget left to last until the window ends.
  The price: without an estimate, a court taken at the instant also looks early until the
  window ends, so falling back to other courts waits that long. An estimate is missing only
  when the probe failed or Home Assistant restarted just before the release; a host clock
  seconds off would otherwise book nothing at all.
- Otherwise a 409 is *conclusive*: the candidate is gone and never tried again.
- Tries on one candidate are at least `fast_spacing` apart in the first `fast_phase` seconds
  after the release and at least `slow_spacing` (0.5 s) apart afterwards.
- If every candidate is gone and no create ever succeeded, the release may simply be late
  (club configuration, server clock): the top candidate is revived `late_retries` times,
  `late_spacing` (1 s) apart, like the drop-sniper's "10 tries, 1 s apart", but bounded.
- The burst stops after `burst_seconds` or `max_requests` requests, whichever comes first.

What the burst does with each answer (one row per case; `tests/engine/test_burst_answers.py`
keeps every row true, its test ids are the row names). "Not available" is a 409, or a 400/422
with a not-available code (§11.2). Creates and PATCHes are the engine's to retry; a confirmation
is never sent twice (§8 rules 1-2: the client reconciles instead, `api/intents.py`).

| row                        | step    | server answered                                        | the burst |
|----------------------------|---------|--------------------------------------------------------|---|
| create-not-available-early | create  | not available, the release maybe not yet on the server | inconclusive (`409_early`): the next candidate is probed meanwhile (at most `intents_alive` + 1), then the top one again once the release is surely past |
| create-taken               | create  | not available after the release                        | candidate gone (`409`); its overlaps on that court move behind the rest; next candidate |
| create-all-taken           | create  | not available on every candidate                       | top candidate revived `late_retries` times 1 s apart, then `no_slot`; within the request budget |
| create-5xx-once            | create  | 500, 502, 503 or 504                                   | transient: tried again after the spacing (50 ms, 0.5 s after the first second) |
| create-5xx-always          | create  | a 5xx every time                                       | `failed` / `server_error` after `max_connection_errors` (4) in a row |
| create-timeout             | create  | nothing (timeout, lost connection)                     | as a 5xx: tried again (an orphaned intent only blocks its slot until it expires, §8 rule 4) |
| create-429                 | create  | 429 with Retry-After                                   | every create paused that long (1 s without the header), then tried again |
| create-429-past-window     | create  | 429 whose pause reaches past the window                | `failed` / `rate_limited` at once |
| patch-5xx-once             | PATCH   | 500, 502 or 504, or nothing                            | PATCH sent again (idempotent; 3 tries 0.2 s apart), then the confirmation |
| patch-503                  | PATCH   | 503                                                    | `payment_not_possible` / `payment_refused`; nothing confirmed |
| confirm-taken              | confirm | not available                                          | slot lost (`lost_at_confirmation`): the next backup or candidate |
| confirm-503                | confirm | 503                                                    | `payment_not_possible` / `payment_refused`; the burst ends |
| confirm-5xx                | confirm | 500, 502, 504 or 422                                   | reconciled (matches, intent, matches after 2 s and 10 s); nothing found: `outcome_unknown` / `confirmation_unconfirmed`, never resent, no other court tried |
| confirm-429                | confirm | 429                                                    | as confirm-5xx (never resent, whatever Retry-After says) |
| confirm-lost-booked        | confirm | nothing, but the server booked                         | reconciled through the match list: `booked`; never resent |

Hedging (k > 1): up to k creates are in flight at once, on different candidates. Created intents
wait as backups; exactly one is PATCHed and confirmed at a time, and the next backup only after
the previous confirmation definitely lost its slot (409). The others are left unconfirmed and
expire (each holds its court from other players until then: default k = 1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import inspect
import logging
from typing import Any

from ..api.client import PlaytomicClient
from ..api.contract import BURST_WINDOW
from ..api.errors import (
    IntentAlreadyOpenError,
    PlaytomicApiError,
    PlaytomicConnectionError,
    PlaytomicError,
    PlaytomicRateLimitedError,
)
from ..api.models import PaymentIntent, Slot
from ..api.payments import PaymentCategory
from .finish_intent import FinishedIntent, SlotGoneError, complete_intent
from .outcome import Outcome
from .reasons import Reason, is_slot_gone, reason_of
from .timing import BURST_MAX_REQUESTS

_LOGGER = logging.getLogger(__name__)

# After the outcome is final, creates still on the wire get this long to answer (one round trip
# in practice) so their intents are known; then they are cancelled.
_IN_FLIGHT_GRACE = 2.0

type ProgressCallback = Callable[[tuple[str, ...]], Awaitable[Any] | None]


@dataclass(frozen=True, kw_only=True)
class BurstPolicy:
    """Bounds of one release burst (defaults follow docs/playtomic-api.md §8 rules 4 and 5)."""

    # Hedge with a second intent: keep two creates alive on different candidates (confirm one).
    hedge: bool = False
    burst_seconds: float = BURST_WINDOW.total_seconds()
    fast_phase: float = 1.0
    fast_spacing: float = 0.05
    slow_spacing: float = 0.5
    settle: float = 0.05  # plus the clock estimate's full width
    # From this settle on, early retries are paced over the window instead of waiting it out.
    paced_from: float = 1.0
    max_requests: int = BURST_MAX_REQUESTS
    late_retries: int = 5
    late_spacing: float = 1.0
    max_connection_errors: int = 4

    @property
    def intents_alive(self) -> int:
        """Creates kept in flight or waiting at once: two when hedging, else one."""
        return 2 if self.hedge else 1

    def __post_init__(self) -> None:
        if self.slow_spacing < 0.5:
            raise ValueError(
                "docs/playtomic-api.md §8 rule 4: at least 0.5 s between tries after the first second"
            )


@dataclass
class _Candidate:
    slot: Slot
    rank: int
    opens_at: datetime  # server clock
    tries: int = 0
    last_try: float | None = None  # monotonic
    next_due: float = 0.0  # monotonic
    early_gap: float = 0.0  # the last paced gap between early tries (seconds)
    gone: bool = False
    demoted: bool = False  # overlaps a lost candidate on the same court
    in_flight: bool = False
    intent: PaymentIntent | None = None


@dataclass(kw_only=True)
class BurstRecord:
    """What one burst did: how it ended (outcome, reason; the slot and its `FinishedIntent`
    when it got that far), the creates sent, the first send and the end (host wall clock), the
    intents created and a log per try. The engine turns it into the AttemptResult."""

    outcome: Outcome
    slot: Slot | None = None
    completion: FinishedIntent | None = None
    reason: Reason | None = None
    creates: int = 0
    first_sent: datetime | None = None  # host wall clock
    finished: datetime | None = None  # host wall clock when the outcome was known
    intent_ids: list[str] = field(default_factory=list)
    tried: list[dict[str, Any]] = field(default_factory=list)


class Burst:
    """One release burst. `run()` is started by the firing timer at the release instant."""

    def __init__(
        self,
        client: PlaytomicClient,
        candidates: Sequence[tuple[Slot, datetime]],
        *,
        policy: BurstPolicy,
        payment_policy: Iterable[PaymentCategory | str],
        dry_run: bool,
        release_at: datetime,
        firing_offset: timedelta,
        clock_width: timedelta,
        wall: Callable[[], datetime],
        monotonic: Callable[[], float],
        sleep: Callable[[float], Awaitable[Any]],
        on_progress: ProgressCallback | None = None,
        after_first_confirmation: Callable[[], None] | None = None,
    ) -> None:
        self._client = client
        self._cands = [
            _Candidate(slot=slot, rank=index, opens_at=opens)
            for index, (slot, opens) in enumerate(candidates)
        ]
        self._policy = policy
        self._payment_policy = tuple(payment_policy)
        self._dry_run = dry_run
        self._release_at = release_at
        self._offset = firing_offset
        self._settle = timedelta(seconds=policy.settle) + max(clock_width, timedelta(0))
        self._paced = self._settle.total_seconds() >= policy.paced_from
        self._wall = wall
        self._mono = monotonic
        self._sleep = sleep
        self._on_progress = on_progress
        self._after_confirmation = after_first_confirmation
        self._progress_tasks: list[asyncio.Task[Any]] = []
        self._opened = False
        self._late_left = policy.late_retries
        self._pause_until = 0.0
        self._connection_errors = 0
        self._requests_base = client.request_count
        self._result = BurstRecord(outcome=Outcome.NO_SLOT)
        # Server time <-> monotonic, fixed at construction so a wall-clock step cannot move it.
        self._ref_mono = monotonic()
        self._ref_server = wall() + firing_offset
        self._deadline = self._mono_of(release_at + timedelta(seconds=policy.burst_seconds))

    # -- time ------------------------------------------------------------------------------

    def _mono_of(self, server_instant: datetime) -> float:
        return self._ref_mono + (server_instant - self._ref_server).total_seconds()

    def _server_of(self, mono: float) -> datetime:
        return self._ref_server + timedelta(seconds=mono - self._ref_mono)

    def _requests_used(self) -> int:
        return self._client.request_count - self._requests_base

    # -- public ----------------------------------------------------------------------------

    async def run(self) -> BurstRecord:
        """Create, confirm, fall back; returns once the outcome is final or the burst is over."""
        in_flight: dict[asyncio.Task[PaymentIntent], tuple[_Candidate, float]] = {}
        try:
            await self._loop(in_flight)
        finally:
            await self._settle_in_flight(in_flight)
            if self._progress_tasks:
                await asyncio.gather(*self._progress_tasks, return_exceptions=True)
        if self._result.finished is None:
            self._result.finished = self._wall()
        return self._result

    async def _settle_in_flight(
        self, in_flight: dict[asyncio.Task[PaymentIntent], tuple[_Candidate, float]]
    ) -> None:
        """Let hedged creates still on the wire land, so every intent created is reported
        (on_progress, resume) rather than orphaned by a cancelled request; never confirm them."""
        if not in_flight:
            return
        _, pending = await asyncio.wait(in_flight, timeout=_IN_FLIGHT_GRACE)
        for task in pending:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        for task, (cand, _sent) in in_flight.items():
            cand.in_flight = False
            if not task.cancelled() and task.exception() is None:
                intent = task.result()
                self._result.intent_ids.append(intent.payment_intent_id)
                self._record(cand, "created_unused")
        in_flight.clear()
        self._progress()

    # -- the loop --------------------------------------------------------------------------

    async def _loop(
        self, in_flight: dict[asyncio.Task[PaymentIntent], tuple[_Candidate, float]]
    ) -> None:
        policy = self._policy
        while True:
            now = self._mono()
            self._launch(in_flight, now)
            backup = self._best_backup()
            if backup is not None:
                if await self._finish(backup):
                    return
                continue
            if in_flight:
                done, _ = await asyncio.wait(
                    in_flight,
                    timeout=max(0.0, self._deadline - now),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if not done:
                    self._result.reason = Reason.BURST_TIMEOUT
                    return
                for task in done:
                    cand, sent = in_flight.pop(task)
                    if self._on_create_done(task, cand, sent):
                        return
                continue
            if self._requests_used() + 3 > policy.max_requests:
                self._result.reason = Reason.REQUEST_BUDGET_EXHAUSTED
                return
            due = self._next_due()
            if due is None:
                self._result.reason = Reason.ALL_CANDIDATES_GONE
                return
            if due >= self._deadline:
                self._result.reason = Reason.BURST_OVER
                return
            await self._sleep(max(0.0, due - self._mono()))

    def _launch(
        self, in_flight: dict[asyncio.Task[PaymentIntent], tuple[_Candidate, float]], now: float
    ) -> None:
        """Start creates until `intents_alive` are in flight (minus intents waiting as backups)."""
        policy = self._policy
        waiting = sum(1 for c in self._cands if c.intent is not None and not c.gone)
        while len(in_flight) + waiting < policy.intents_alive:
            if now >= self._deadline or now < self._pause_until:
                return
            if self._requests_used() + len(in_flight) + 3 > policy.max_requests:
                return
            cand = self._pick(now)
            if cand is None:
                return
            cand.in_flight = True
            cand.tries += 1
            cand.last_try = now
            self._result.creates += 1
            sent = self._wall()
            if self._result.first_sent is None:
                self._result.first_sent = sent
            # Eager: the request is written before this returns, so hedged creates leave together
            # and the first one leaves inside the firing timer's callback.
            task = asyncio.Task(
                self._client.create_payment_intent(cand.slot.target, hedge=policy.hedge),
                loop=asyncio.get_running_loop(),
                eager_start=True,
            )
            in_flight[task] = (cand, now)

    def _pick(self, now: float) -> _Candidate | None:
        # Rank order, demoted candidates (see _gone) after all others.
        for cand in sorted(self._cands, key=lambda c: (c.demoted, c.rank)):
            if cand.gone or cand.in_flight or cand.intent is not None:
                continue
            if self._due(cand) <= now:
                return cand
        return None

    def _due(self, cand: _Candidate) -> float:
        """When a candidate may be tried next.

        While no create has succeeded and the release may not have happened yet on the server,
        only `intents_alive + 1` distinct candidates are probed: if we are early, every candidate
        answers 409 and trying them all would only spend the request budget. Untried ones wait
        until the release is surely past, when a 409 means something again.
        """
        due = cand.next_due
        if cand.tries > 0 and not self._opened and self._paced:
            # Paced early tries move together, best first, so that the first try after the real
            # release goes to the rule's first choice.
            better = [
                c.next_due
                for c in self._cands
                if c.rank < cand.rank and c.tries > 0 and not c.gone and c.intent is None
            ]
            if better:
                due = max(due, min(better))
        if cand.tries == 0 and not self._opened:
            probed = [c for c in self._cands if c.tries > 0]
            if len(probed) >= self._policy.intents_alive + 1:
                # ...and not before the probed ones may retry, so rank decides between them.
                retry = [c.next_due for c in probed if not c.gone and c.intent is None]
                due = max(due, self._mono_of(cand.opens_at + self._settle), *retry)
        return max(due, self._pause_until)

    def _next_due(self) -> float | None:
        alive = [c for c in self._cands if not c.gone and not c.in_flight and c.intent is None]
        if not alive and not self._opened and self._late_left > 0 and self._cands:
            # The release may be late rather than every court taken: keep knocking on the top
            # candidate, slowly and a bounded number of times.
            self._late_left -= 1
            top = self._cands[0]
            top.gone = False
            top.next_due = (top.last_try or self._mono()) + self._policy.late_spacing
            alive = [top]
        if not alive:
            return None
        return min(self._due(c) for c in alive)

    def _best_backup(self) -> _Candidate | None:
        backups = [c for c in self._cands if c.intent is not None and not c.gone]
        return min(backups, key=lambda c: c.rank) if backups else None

    # -- results of requests ---------------------------------------------------------------

    def _on_create_done(
        self, task: asyncio.Task[PaymentIntent], cand: _Candidate, sent: float
    ) -> bool:
        """Book-keeping for one finished create; True when the burst must stop."""
        cand.in_flight = False
        error = task.exception()
        if error is None:
            intent = task.result()
            cand.intent = intent
            self._opened = True
            self._connection_errors = 0
            self._result.intent_ids.append(intent.payment_intent_id)
            self._record(cand, "created")
            self._progress()
            return False
        if not isinstance(error, PlaytomicError):
            raise error
        if is_slot_gone(error):
            self._on_409(cand, sent)
            return False
        if isinstance(error, PlaytomicRateLimitedError):
            wait = error.retry_after if error.retry_after is not None else 1.0
            self._record(cand, "rate_limited")
            if self._mono() + wait >= self._deadline:
                self._result.outcome = Outcome.FAILED
                self._result.reason = Reason.RATE_LIMITED
                return True
            self._pause_until = self._mono() + wait
            cand.next_due = self._pause_until
            return False
        if isinstance(error, IntentAlreadyOpenError):
            cand.gone = True
            self._record(cand, "intent_already_open")
            return False
        transient = isinstance(error, PlaytomicConnectionError) or (
            isinstance(error, PlaytomicApiError)
            and error.http_status is not None
            and error.http_status >= 500
        )
        if transient:
            # A create that timed out may be retried like a 409 (§8 rule 4): at worst it left an
            # orphaned intent that only blocks the slot until it expires.
            self._connection_errors += 1
            self._record(cand, reason_of(error))
            if self._connection_errors >= self._policy.max_connection_errors:
                self._result.outcome = Outcome.FAILED
                self._result.reason = reason_of(error)
                return True
            cand.next_due = self._mono() + self._spacing(self._mono())
            return False
        self._record(cand, reason_of(error))
        self._result.outcome = Outcome.FAILED
        self._result.reason = reason_of(error)
        return True

    def _on_409(self, cand: _Candidate, sent: float) -> None:
        sent_server = self._server_of(sent)
        conclusive = self._opened or sent_server >= cand.opens_at + self._settle
        self._record(cand, "409" if conclusive else "409_early")
        if conclusive:
            self._gone(cand)
            return
        # Possibly early: try again once the release is surely past on the server's clock, or
        # sooner, paced, when that moment is far off (no or a wide clock estimate).
        now = self._mono()
        last = cand.last_try if cand.last_try is not None else now
        surely_past = self._mono_of(cand.opens_at + self._settle)
        earliest = last + self._spacing(now)
        if not self._paced:
            cand.next_due = max(earliest, surely_past)
            return
        cand.early_gap = self._early_gap(cand, surely_past - now)
        cand.next_due = max(earliest, min(surely_past, last + cand.early_gap))

    def _early_gap(self, cand: _Candidate, window_left: float) -> float:
        """The next gap between early tries on one candidate.

        Small clock errors are the likely ones, so the gaps start at `fast_spacing` and double;
        but never so short that the requests left run out before the window does: with `n`
        tries left for this candidate (`intents_alive + 1` candidates share the budget while early, 3
        requests are kept for PATCH + confirmation), doubling gaps from `g` cover
        `g * (2**n - 1)` seconds, so the gap is at least `window_left / (2**n - 1)`.
        """
        policy = self._policy
        left = policy.max_requests - 3 - self._requests_used()
        tries = left // (policy.intents_alive + 1)
        window = max(0.0, window_left)
        if tries <= 0:
            return window
        covering = window / float((1 << min(tries, 30)) - 1)
        doubled = 2 * cand.early_gap if cand.early_gap else policy.fast_spacing
        return max(policy.fast_spacing, doubled, covering)

    def _gone(self, cand: _Candidate) -> None:
        """A candidate is definitely unavailable: someone's booking overlaps it.

        Other candidates on the same court that overlap it are then most likely blocked by the
        same booking (a competitor took the prime slot), so they move behind every candidate
        that does not overlap it. They are demoted, not dropped: if the blocker was shorter
        than feared, they are still tried before the burst gives up.
        """
        cand.gone = True
        slot = cand.slot
        for other in self._cands:
            if (
                other is not cand
                and other.slot.resource_id == slot.resource_id
                and other.slot.start < slot.end
                and slot.start < other.slot.end
            ):
                other.demoted = True

    def _spacing(self, now: float) -> float:
        in_fast_phase = self._server_of(now) < self._release_at + timedelta(
            seconds=self._policy.fast_phase
        )
        return self._policy.fast_spacing if in_fast_phase else self._policy.slow_spacing

    async def _finish(self, cand: _Candidate) -> bool:
        """PATCH + confirm one backup intent; True when the burst has its final outcome."""
        intent = cand.intent
        assert intent is not None
        try:
            completion = await complete_intent(
                self._client,
                intent,
                cand.slot,
                self._payment_policy,
                dry_run=self._dry_run,
                sleep=self._sleep,
            )
        except SlotGoneError:
            self._gone(cand)
            cand.intent = None
            self._client.release_intent(cand.slot.target)
            self._record(cand, "lost_at_confirmation")
            return False
        finally:
            # The first confirmation has its answer, whatever it is: the firing's hot path
            # (collector paused) may end.
            if self._after_confirmation is not None:
                self._after_confirmation()
        self._result.finished = self._wall()
        self._result.outcome = completion.outcome
        self._result.slot = cand.slot
        self._result.completion = completion
        self._result.reason = completion.reason
        self._record(cand, completion.outcome.value)
        return True

    # -- reporting -------------------------------------------------------------------------

    def _record(self, cand: _Candidate, what: str) -> None:
        self._result.tried.append(
            {
                "rank": cand.rank,
                "resource_id": cand.slot.resource_id,
                "start": cand.slot.start.isoformat(),
                "result": what,
                "at_ms": round(
                    (self._server_of(self._mono()) - self._release_at) / timedelta(milliseconds=1),
                    1,
                ),
            }
        )

    def _progress(self) -> None:
        if self._on_progress is None:
            return
        ids = tuple(self._result.intent_ids)
        try:
            maybe = self._on_progress(ids)
        except Exception:
            _LOGGER.exception("on_progress callback failed")
            return
        if inspect.isawaitable(maybe):
            # Persisting must not delay the PATCH/confirm on the critical path.
            self._progress_tasks.append(asyncio.ensure_future(maybe))


async def call_progress(callback: ProgressCallback | None, ids: tuple[str, ...]) -> None:
    """Call an on_progress callback outside the burst (sync or async), never raising."""
    if callback is None:
        return
    with contextlib.suppress(Exception):
        maybe = callback(ids)
        if inspect.isawaitable(maybe):
            await maybe
