"""HA-free release-time booking engine (no Home Assistant imports; mypy strict).

Runs inside Home Assistant's event loop, driven by the integration's scheduler. Public API:

Rules and planning (pure)::

    rule = BookingRule(rule_id=..., tenant_id=..., zone=..., weekdays=..., window_start=...,
                       window_end=..., duration=..., release=DailyDrop(14, time(8, 30)), ...)
        # typed and validated (RuleError if unusable); the integration's rule_data.py reads a
        # stored subentry into one, book_now.py builds one for a one-off booking
    plan = plan_attempts(rule, after=now, until=now + timedelta(days=15), own_matches=matches)
    # -> [PlannedAttempt(release_at (UTC, server clock), target_date (club-local), rule_id)], sorted
    nxt = next_attempt(rule, now=now, own_matches=matches)  # the scheduler arms it, the sensor
                                                            # next_booking_attempt shows it
    release_instant(rule, target_date); target_date_for(rule, release_at)
    days = open_dates(rule, now=now, horizon_minutes=None, skip=covered_dates(rule, matches))
    # -> released dates with a slot still ahead, nearest first: polled, and tried by book_best
    covering_match(rule, target_date, matches) -> Match | None
    rule.rank(slots, zone, after=now)                       # the rule's filter and ranking

The engine (one per account/client)::

    engine = BookingEngine(client, wall=..., monotonic=..., sleep=...)   # all injectable
        # claim=ClaimPolicy(...): how the loop is claimed before the instant (loop_claim.py)

How a release runs. The integration's scheduler (`scheduler.py`) owns every wait until the last
minute and the pre-release token refresh; the engine prepares and fires. Lead times, the token
formula and request budgets are in `timing.py`, the burst window in `api/contract.py`:

    release - PREPARE_LEAD (5 min)  a Home Assistant timer starts the run (an entry background
        task); the scheduler calls `await engine.ensure_token_for(release_at)`: the access token
        must outlive the burst window plus a margin (`timing.token_validity_before`), so no
        refresh falls inside the burst (a rotated pair reaches the client's on_tokens first).
    release - WARM_LEAD (60 s)      after a second Home Assistant timer, the scheduler calls
        `await engine.prepare(rule, club, release_at)`: courts (opens the connection), the
        server-clock estimate (`server_clock`, cached CLOCK_MAX_AGE and shared; skipped with
        less than MIN_TIME_TO_MEASURE left), the own bookings. It neither waits nor refreshes.
    then at once                    `result = await engine.run_release(attempt, rule, club,
        payment_policy=categories, dry_run=False, hedge=False, resume_intent_ids=(),
        on_progress=persist_ids)` takes the lock of the club-day (`daylocks`), checks it is not
        already ours, builds the candidates (`candidates`), sleeps on the monotonic clock until
        FINAL_WARM_LEAD (3 s) before the instant for one warm-up GET, then `fire_at` (`firing`)
        claims the loop (`loop_claim`: lag sampled over the last 2 s, the timer armed that much
        early, at most 50 ms, held without yielding until the server-clock instant (asleep, so
        the GIL and the CPU stay free, spinning only the last millisecond), collector
        paused until the first confirmation) and starts the burst (`burst`) eagerly: creates on
        the ranked candidates, one PATCH + confirmation at a time (`finish_intent`), for at most
        `api.contract.BURST_WINDOW` (30 s) or `timing.BURST_MAX_REQUESTS` requests.
        Unprepared (a restart just before the instant, or `resume_intent_ids` after a restart
        inside the window) it refreshes and reads what the remaining time allows; resumed
        intents are reconciled first. dry_run=True fires nothing: DRY_RUN_SETTLE after the
        instant it ranks the date's listing and forecasts the payment category (no intent).
    result = await engine.book_best(rule, club, target_date=None, payment_policy=categories)
        # THE entry for booking now: the button, the `book` action, a cancellation watch
    missed_result(attempt, rule)                 # release passed while HA was down: report once
    engine.clock -> ClockOffset | None           # diagnostics: offset, uncertainty, samples
    await engine.measure_clock(force=False)

Every path returns exactly one `AttemptResult` whose `outcome` is an `Outcome` (booked, no_slot,
payment_not_possible, outcome_unknown, failed, missed, dry_run), with `fire_error_ms` (first
create request vs the release instant, server clock), `latency_ms` (release to confirmation),
`requests_used` (client requests during the call), `attempts` (create tries) and `extra`
(clock estimate, firing report, per-candidate log, intent ids). `reason` is machine-readable:
e.g. `already_booked` / `resumed_booked` (outcome booked: the date was already ours, nothing new
was booked), `all_candidates_gone`, `burst_over`, `no_allowed_payment_method`, `wallet_balance_low`,
`payment_action_required` (with `checkout_url`), `confirmation_unconfirmed`, `rate_limited`,
`auth_failed`, `edge_blocked`, `burst_window_passed`.

The cancellation watch (`watch.py`)::

    days = watched_dates(rule, now=now, attempted=dates_released_without_booking,
                         own_matches=matches)   # ahead, before rule.watch_cutoff, not ours
    starts_watch(result)        # a release ended no_slot / failed / missed: watch its date
    budget = RequestBudget()    # hourly ceiling (30) of the polling rounds per account
    plan_round(watched_club_days, sensor_club_days, limit=..., last_fetched=...)
    round_interval(watching=True, rng=rng)   # 5 min (10 when idle) +- 30 s, never < 2 min

Safety: one booking per club-day and rule window: every path holds the lock of its (tenant,
sport, club-local day) (`daylocks`) and, inside it, checks the bookings made under that lock in
this process and the own bookings read from the server; reconciliation on resume; a
confirmation is sent for one intent at a time and never repeated; 409 retries follow docs/playtomic-api.md §8 rule 4 (see `burst.BurstPolicy`).

`on_progress(intent_ids)` (sync or async) receives every intent id created so far, as soon as it
exists, and `()` once the run has its final outcome: persist it to resume after a restart via
`resume_intent_ids`.
"""

from .booking_engine import BookingEngine, Preparation
from .burst import BurstPolicy
from .candidates import build_candidates
from .firing import FireReport, fire_at
from .loop_claim import DEFAULT_CLAIM, ClaimPolicy, HotPath
from .outcome import AttemptResult, Outcome
from .planner import (
    PlannedAttempt,
    covered_dates,
    covering_match,
    next_attempt,
    open_dates,
    plan_attempts,
    release_instant,
    target_date_for,
)
from .reasons import Reason, reason_of
from .report import failed_result, missed_result
from .rules import BookingRule, DailyDrop, Rolling, RuleError
from .server_clock import ClockOffset, measure_offset
from .watch import (
    ClubDay,
    RequestBudget,
    club_day,
    plan_round,
    round_interval,
    starts_watch,
    watch_cutoff,
    watched_dates,
)

__all__ = [
    "DEFAULT_CLAIM",
    "AttemptResult",
    "BookingEngine",
    "BookingRule",
    "BurstPolicy",
    "ClaimPolicy",
    "ClockOffset",
    "ClubDay",
    "DailyDrop",
    "FireReport",
    "HotPath",
    "Outcome",
    "PlannedAttempt",
    "Preparation",
    "Reason",
    "RequestBudget",
    "Rolling",
    "RuleError",
    "build_candidates",
    "club_day",
    "covered_dates",
    "covering_match",
    "failed_result",
    "fire_at",
    "measure_offset",
    "missed_result",
    "next_attempt",
    "open_dates",
    "plan_attempts",
    "plan_round",
    "reason_of",
    "release_instant",
    "round_interval",
    "starts_watch",
    "target_date_for",
    "watch_cutoff",
    "watched_dates",
]
