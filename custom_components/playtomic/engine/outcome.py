"""The result of one booking attempt: what the engine hands to the integration."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .reasons import Reason


class Outcome(StrEnum):
    """How an attempt ended. Every attempt ends in exactly one of these."""

    BOOKED = "booked"
    FAILED = "failed"
    NO_SLOT = "no_slot"
    PAYMENT_NOT_POSSIBLE = "payment_not_possible"
    OUTCOME_UNKNOWN = "outcome_unknown"
    MISSED = "missed"
    DRY_RUN = "dry_run"


@dataclass(frozen=True, kw_only=True)
class AttemptResult:
    """One attempt's outcome with what the user and the benchmark need to know."""

    outcome: Outcome
    rule_id: str | None
    tenant_id: str
    club_name: str | None = None
    target_date: date | None = None  # club-local date the attempt was for
    resource_id: str | None = None
    court_name: str | None = None
    start: datetime | None = None  # slot start, UTC
    local_start: datetime | None = None  # slot start, club-local
    duration: int | None = None  # minutes
    price: str | None = None  # "36 EUR"
    # The payment category used (a dry run: the one it would use): zero_amount, offer, wallet,
    # at_club. Results stored before it existed read None.
    payment_method: str | None = None
    match_id: str | None = None
    reason: Reason | None = None  # from the closed, translated set; never a secret
    checkout_url: str | None = None  # finish by hand in the app (payment action, unknown outcome)
    attempts: int = 0  # create-intent tries in the burst
    requests_used: int = 0
    fire_error_ms: float | None = None  # first create request sent vs the (server) release instant
    latency_ms: float | None = None  # release (or start) to confirmation
    release_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # What started the attempt when it was not a release: "watch" (a freed court) or None.
    trigger: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Whatever a caller passed, only a code of the closed set is kept (never a raw detail).
        if self.reason is not None and not isinstance(self.reason, Reason):
            object.__setattr__(self, "reason", Reason.parse(self.reason))

    @property
    def succeeded(self) -> bool:
        """Whether the court is ours (or would be, for a dry run)."""
        return self.outcome in (Outcome.BOOKED, Outcome.DRY_RUN)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for storage, events and service responses."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, (datetime, date)):
                data[key] = value.isoformat()
        data["outcome"] = self.outcome.value
        data["reason"] = self.reason.value if self.reason else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttemptResult:
        """Rebuild a stored result (the inverse of `as_dict`); unknown keys are ignored."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["outcome"] = Outcome(known["outcome"])
        for key in ("start", "local_start", "release_at", "started_at", "finished_at"):
            if known.get(key):
                known[key] = datetime.fromisoformat(known[key])
        if known.get("target_date"):
            known["target_date"] = date.fromisoformat(known["target_date"])
        return cls(**known)
