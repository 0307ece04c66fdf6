"""A read-only check of every endpoint the integration reads (docs/playtomic-api.md §12).

It asks for the profile, one club, its courts, one day of availability and the own matches,
and says per endpoint whether the answer had the shape our notes describe. It never creates a
payment intent, so it can hold no court and book nothing. This is how a first real user tells
us what differs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .errors import UNEXPECTED_RESPONSE, PlaytomicApiError, PlaytomicError

if TYPE_CHECKING:
    from .client import PlaytomicClient
    from .models import Club


class CheckResult(StrEnum):
    """How one endpoint answered."""

    OK = "ok"
    SHAPE_MISMATCH = "shape_mismatch"  # it answered, but not in the shape we parse
    FAILED = "failed"  # it did not answer usefully (network, auth, 4xx/5xx)
    SKIPPED = "skipped"  # nothing to ask (no club known, or the club could not be read)


@dataclass(frozen=True, slots=True)
class EndpointCheck:
    """One endpoint's verdict; `detail` names the field that broke, never a value."""

    endpoint: str
    result: CheckResult
    detail: str | None = None
    error: str | None = None  # the error's class name when it failed

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for the action response and diagnostics."""
        return {**asdict(self), "result": self.result.value}


@dataclass(frozen=True, slots=True)
class ApiCheckReport:
    """Every endpoint's verdict, in the order they were asked."""

    checked_at: datetime
    endpoints: tuple[EndpointCheck, ...]

    @property
    def mismatches(self) -> tuple[EndpointCheck, ...]:
        """The endpoints whose answer had another shape."""
        return tuple(e for e in self.endpoints if e.result is CheckResult.SHAPE_MISMATCH)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for the action response and diagnostics."""
        return {
            "checked_at": self.checked_at.isoformat(),
            "endpoints": [e.as_dict() for e in self.endpoints],
        }


async def _verdict[R](endpoint: str, call: Awaitable[R]) -> tuple[EndpointCheck, R | None]:
    try:
        value = await call
    except PlaytomicApiError as err:
        if err.code == UNEXPECTED_RESPONSE:
            return EndpointCheck(endpoint, CheckResult.SHAPE_MISMATCH, detail=err.message), None
        return EndpointCheck(endpoint, CheckResult.FAILED, error=type(err).__name__), None
    except PlaytomicError as err:
        return EndpointCheck(endpoint, CheckResult.FAILED, error=type(err).__name__), None
    return EndpointCheck(endpoint, CheckResult.OK), value


async def check_api(
    client: PlaytomicClient,
    *,
    tenant_id: str | None,
    day: Callable[[Club], date],
    now: datetime,
) -> ApiCheckReport:
    """Read each endpoint once; `day` picks the club-local day whose availability is read."""
    checks: list[EndpointCheck] = []
    profile_check, _ = await _verdict("profile", client.get_profile())
    checks.append(profile_check)
    club: Club | None = None
    if tenant_id is None:
        checks.extend(
            EndpointCheck(name, CheckResult.SKIPPED, detail="no club")
            for name in ("club", "courts", "availability")
        )
    else:
        club_check, club = await _verdict("club", client.get_club(tenant_id))
        courts_check, _ = await _verdict("courts", client.get_courts(tenant_id))
        checks += [club_check, courts_check]
        if club is None:
            checks.append(EndpointCheck("availability", CheckResult.SKIPPED, detail="no club"))
        else:
            slots_check, _ = await _verdict(
                "availability", client.get_availability(club, day(club))
            )
            checks.append(slots_check)
    checks.append(await _check_matches(client))
    return ApiCheckReport(now, tuple(checks))


async def _check_matches(client: PlaytomicClient) -> EndpointCheck:
    """The list must parse, and each match must name some account (docs §11.3): a match that
    names nobody could never be recognised as ours, and our booking checks would miss it."""
    check, listed = await _verdict("matches", client.list_matches())
    if listed is None:
        return check
    anonymous = sum(1 for match in listed if not match.member_ids)
    if anonymous:
        return EndpointCheck(
            "matches",
            CheckResult.SHAPE_MISMATCH,
            detail=f"{anonymous} of {len(listed)} matches name no owner or player",
        )
    return check
