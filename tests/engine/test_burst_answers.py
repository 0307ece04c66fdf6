"""The answer table of `engine/burst.py`: one test per row, its id the row's name.

Each case injects what the server answers at one step (create, PATCH, confirmation) into the
fake over loopback, runs one release, and checks what the burst did with it: the outcome, the
reason and the requests the fake received.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
import re

import pytest

from custom_components.playtomic.api import PlaytomicClient
from custom_components.playtomic.engine import (
    AttemptResult,
    BookingEngine,
    BurstPolicy,
    Outcome,
    PlannedAttempt,
    burst,
)
from tests.engine.conftest import (
    COURT_IDS,
    EMAIL,
    PASSWORD,
    POLICY,
    TENANT,
    World,
    clock_known,
    confirms,
    creates,
    own_matches,
    patches,
    ready,
    slot_start,
    tried,
)

CREATE = r"^/v1/payment_intents$"
PATCH = r"^/v1/payment_intents/[^/]+$"
CONFIRM = r"/confirmation$"
NOT_AVAILABLE = {"status": "RESOURCE_NO_AVAILABLE", "localized_message": "no"}


@dataclass(frozen=True)
class Row:
    """One row of the table: what to inject, and what must hold afterwards."""

    inject: Callable[[World, PlannedAttempt], None]
    check: Callable[[World, AttemptResult, PlannedAttempt], None]
    short_timeout: bool = False  # the client gives up on a silent server after 0.3 s


def _early(world: World, attempt: PlannedAttempt) -> None:
    world.fake.respond("POST", CREATE, status=409, json=NOT_AVAILABLE, count=2)


def _early_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.BOOKED
    assert tried(result) == ["409_early", "409_early", "created", "booked"]
    assert (result.resource_id, result.local_start.time()) == (COURT_IDS[0], time(19, 0))  # type: ignore[union-attr]
    sent = [r.received_at for r in creates(world)]
    assert sent[2] >= attempt.release_at
    # Fast spacing on the same candidate is 50 ms when sent; arrival times jitter by tens of ms
    # on a loaded host, so only "clearly not back to back" is asserted.
    assert sent[2] - sent[0] >= timedelta(milliseconds=10)


def _taken(world: World, attempt: PlannedAttempt) -> None:
    top = slot_start(attempt.target_date, time(19, 0))
    world.fake.book_directly(TENANT, COURT_IDS[0], top, 90, owner_id="someone-else")
    clock_known(world)


def _taken_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.BOOKED
    assert "409" in tried(result)
    # Every start on court 1 overlaps the taken 19:00-20:30: demoted behind court 2.
    assert result.resource_id == COURT_IDS[1]


def _all_taken(world: World, attempt: PlannedAttempt) -> None:
    world.fake.respond("POST", CREATE, status=409, json=NOT_AVAILABLE, count=None)


def _all_taken_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.NO_SLOT
    assert confirms(world) == []
    assert result.requests_used <= BurstPolicy().max_requests
    assert len(world.fake.requests) <= 20


def _fail(method: str, path: str, status: int, count: int | None = 1) -> Callable[..., None]:
    def inject(world: World, attempt: PlannedAttempt) -> None:
        world.fake.fail(method, path, status=status, count=count)

    return inject


def _retried_create(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.BOOKED
    assert [r.status for r in creates(world)][-1] == 200
    assert len(creates(world)) == 2
    assert len(confirms(world)) == 1


def _create_5xx_always_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.FAILED
    assert result.reason == "server_error"
    assert [r.status for r in creates(world)] == [503] * BurstPolicy().max_connection_errors
    assert patches(world) == []


def _hang_create(world: World, attempt: PlannedAttempt) -> None:
    world.fake.hang("POST", CREATE, count=1)


def _timeout_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.BOOKED
    assert tried(result)[0] == "cannot_connect"
    assert [r.status for r in creates(world)] == [None, 200]


def _rate_limit(retry_after: str) -> Callable[..., None]:
    def inject(world: World, attempt: PlannedAttempt) -> None:
        world.fake.rate_limit("POST", CREATE, retry_after=retry_after)

    return inject


def _429_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.BOOKED
    first, second = creates(world)[:2]
    assert first.status == 429
    assert second.received_at - first.received_at >= timedelta(seconds=1)


def _429_past_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.FAILED
    assert result.reason == "rate_limited"
    assert len(creates(world)) == 1


def _patch_retried_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.BOOKED
    assert [r.status for r in patches(world)] == [500, 200]
    assert len(creates(world)) == len(confirms(world)) == 1


def _refused(step: Callable[[World], list]) -> Callable[..., None]:
    def check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
        assert result.outcome is Outcome.PAYMENT_NOT_POSSIBLE
        assert result.reason == "payment_refused"
        assert len(step(world)) == 1
        assert own_matches(world) == []
        assert len(creates(world)) == 1

    return check


def _confirm_taken(world: World, attempt: PlannedAttempt) -> None:
    world.fake.respond("POST", CONFIRM, status=409, json=NOT_AVAILABLE, count=1)


def _confirm_taken_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.BOOKED
    assert "lost_at_confirmation" in tried(result)
    assert len({r.path for r in confirms(world)}) == len(confirms(world)) == 2
    assert len(own_matches(world)) == 1


def _unknown_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.OUTCOME_UNKNOWN
    assert result.reason == "confirmation_unconfirmed"
    assert len(confirms(world)) == 1  # never resent
    after = world.fake.requests[world.fake.requests.index(confirms(world)[0]) + 1 :]
    assert after[0].path == "/v1/matches"
    assert len(creates(world)) == 1  # and no other court tried: never a second booking


def _drop(world: World, attempt: PlannedAttempt) -> None:
    world.fake.drop_after_confirm()


def _drop_check(world: World, result: AttemptResult, attempt: PlannedAttempt) -> None:
    assert result.outcome is Outcome.BOOKED
    assert len(confirms(world)) == 1
    after = world.fake.requests[world.fake.requests.index(confirms(world)[0]) + 1 :]
    assert after[0].path == "/v1/matches"
    assert result.match_id == own_matches(world)[0].match_id  # type: ignore[attr-defined]


def _rate_limit_confirm(world: World, attempt: PlannedAttempt) -> None:
    world.fake.rate_limit("POST", CONFIRM, retry_after="1")


ROWS: dict[str, Row] = {
    "create-not-available-early": Row(_early, _early_check),
    "create-taken": Row(_taken, _taken_check),
    "create-all-taken": Row(_all_taken, _all_taken_check),
    "create-5xx-once": Row(_fail("POST", CREATE, 502), _retried_create),
    "create-5xx-always": Row(_fail("POST", CREATE, 503, None), _create_5xx_always_check),
    "create-timeout": Row(_hang_create, _timeout_check, short_timeout=True),
    "create-429": Row(_rate_limit("1"), _429_check),
    "create-429-past-window": Row(_rate_limit("120"), _429_past_check),
    "patch-5xx-once": Row(_fail("PATCH", PATCH, 500), _patch_retried_check),
    "patch-503": Row(_fail("PATCH", PATCH, 503), _refused(patches)),
    "confirm-taken": Row(_confirm_taken, _confirm_taken_check),
    "confirm-503": Row(_fail("POST", CONFIRM, 503), _refused(confirms)),
    "confirm-5xx": Row(_fail("POST", CONFIRM, 500), _unknown_check),
    "confirm-429": Row(_rate_limit_confirm, _unknown_check),
    "confirm-lost-booked": Row(_drop, _drop_check),
}


def test_the_docstring_table_and_the_tests_name_the_same_rows() -> None:
    assert burst.__doc__ is not None
    found = re.findall(r"^\| ([a-z0-9-]+) +\|", burst.__doc__, flags=re.MULTILINE)
    rows = [row for row in found if row != "row"]
    assert rows == list(ROWS)


async def _short_timeout(world: World) -> BookingEngine:
    """The world's engine on a client that gives up on a silent server after 0.3 s."""
    client = PlaytomicClient(
        world.session,
        EMAIL,
        PASSWORD,
        base_url=world.fake.url,
        now=world.timeline.wall,
        sleep=world.timeline.sleep,
        request_timeout=0.3,
    )
    world.engine = BookingEngine(
        client,
        wall=world.timeline.wall,
        monotonic=world.timeline.monotonic,
        sleep=world.timeline.sleep,
        policy=world.engine.policy,
    )
    world.client = client
    return world.engine


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
async def test_row(world: World, row: Row) -> None:
    if row.short_timeout:
        await _short_timeout(world)
    rule, club, attempt = await ready(world, lead=0.1 if row.short_timeout else 0.05)
    row.inject(world, attempt)

    result = await world.engine.run_release(attempt, rule, club, payment_policy=POLICY)

    row.check(world, result, attempt)
