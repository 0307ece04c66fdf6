"""Building the one AttemptResult every attempt ends with (`ResultBuilder`, and the results of
attempts that never started: missed, failed before the burst, book now without a club)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from ..api.client import PlaytomicClient
from ..api.models import Club, Match, Slot
from .finish_intent import FinishedIntent
from .outcome import AttemptResult, Outcome
from .planner import PlannedAttempt
from .reasons import Reason
from .rules import BookingRule


class ResultBuilder:
    """The context of one attempt (rule, club, target date, release, start time, requests sent
    so far, `extra`) that builds its one `AttemptResult` (`result()`)."""

    def __init__(  # noqa: PLR0917 - one call site per path, all positional by design
        self,
        client: PlaytomicClient,
        wall: Callable[[], datetime],
        rule: BookingRule,
        club: Club,
        target_date: date | None,
        release_at: datetime | None,
    ) -> None:
        self.client = client
        self.wall = wall
        self.rule = rule
        self.club = club
        self.target_date = target_date
        self.release_at = release_at
        self.started_at = wall()
        self.requests_base = client.request_count
        self.extra: dict[str, Any] = {}

    def result(
        self,
        outcome: Outcome,
        *,
        slot: Slot | None = None,
        completion: FinishedIntent | None = None,
        match: Match | None = None,
        match_id: str | None = None,
        reason: Reason | None = None,
        attempts: int = 0,
        fire_error_ms: float | None = None,
        latency_ms: float | None = None,
        checkout_url: str | None = None,
    ) -> AttemptResult:
        zone = self.club.zone
        extra = dict(self.extra)
        if completion is not None:
            extra.update(completion.extra)
            if completion.payment_category:
                extra["payment_category"] = completion.payment_category
        resource_id = slot.resource_id if slot else (match.resource_id if match else None)
        court_name = slot.court_name if slot else (match.resource_name if match else None)
        start = slot.start if slot else (match.start if match else None)
        duration = slot.duration if slot else (match.duration if match else None)
        if match_id is None:
            match_id = completion.match_id if completion else (match.match_id if match else None)
        price = (
            completion.price
            if completion
            else (str(match.price) if match and match.price else None)
        )
        if court_name is None and resource_id is not None:
            court = self.club.court(resource_id)
            court_name = court.name if court else None
        return AttemptResult(
            outcome=outcome,
            rule_id=self.rule.rule_id,
            tenant_id=self.club.tenant_id,
            club_name=self.club.name or self.rule.club_name,
            target_date=self.target_date,
            resource_id=resource_id,
            court_name=court_name,
            start=start,
            local_start=start.astimezone(zone) if start else None,
            duration=duration,
            price=price,
            payment_method=completion.payment_category if completion else None,
            match_id=match_id,
            reason=reason if reason is not None else (completion.reason if completion else None),
            checkout_url=checkout_url or (completion.checkout_url if completion else None),
            attempts=attempts,
            requests_used=self.client.request_count - self.requests_base,
            fire_error_ms=fire_error_ms,
            latency_ms=latency_ms,
            release_at=self.release_at,
            started_at=self.started_at,
            finished_at=self.wall(),
            extra=extra,
        )


def missed_result(
    attempt: PlannedAttempt,
    rule: BookingRule,
    *,
    club_name: str | None = None,
    reason: Reason = Reason.HOME_ASSISTANT_DOWN,
    now: datetime | None = None,
) -> AttemptResult:
    """A `missed` outcome: never a late silent booking, just the report that it was missed."""
    return _unattempted(Outcome.MISSED, attempt, rule, club_name=club_name, reason=reason, now=now)


def failed_result(
    attempt: PlannedAttempt,
    rule: BookingRule,
    *,
    reason: Reason,
    club_name: str | None = None,
    now: datetime | None = None,
) -> AttemptResult:
    """A `failed` outcome for a release that could not even start (e.g. the club lookup)."""
    return _unattempted(Outcome.FAILED, attempt, rule, club_name=club_name, reason=reason, now=now)


def not_started_result(
    *,
    rule_id: str | None,
    tenant_id: str,
    reason: Reason,
    club_name: str | None = None,
    target_date: date | None = None,
    now: datetime | None = None,
) -> AttemptResult:
    """A `failed` outcome for "book now" that could not start (the club lookup failed)."""
    at = now or datetime.now(UTC)
    return AttemptResult(
        outcome=Outcome.FAILED,
        rule_id=rule_id,
        tenant_id=tenant_id,
        club_name=club_name,
        target_date=target_date,
        reason=reason,
        started_at=at,
        finished_at=at,
    )


def _unattempted(
    outcome: Outcome,
    attempt: PlannedAttempt,
    rule: BookingRule,
    *,
    club_name: str | None,
    reason: Reason,
    now: datetime | None,
) -> AttemptResult:
    at = now or datetime.now(UTC)
    return AttemptResult(
        outcome=outcome,
        rule_id=rule.rule_id,
        tenant_id=rule.tenant_id,
        club_name=club_name or rule.club_name,
        target_date=attempt.target_date,
        reason=reason,
        release_at=attempt.release_at,
        started_at=at,
        finished_at=at,
    )
