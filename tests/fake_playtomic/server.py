"""FakePlaytomic: the Python face of the fake server (state set-up, controls, start/stop)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
import contextlib
from datetime import datetime, time, timedelta
from decimal import Decimal
import itertools
import re
from typing import Any
import uuid

from aiohttp import web

from .clock import FakeClock
from .club import FakeClub
from .faults import CONFIRMATION_PATH, Fault, FaultBook
from .models import (
    CANCELED,
    Competitor,
    CourtSpec,
    DailyDrop,
    FakeAccount,
    FakeCourt,
    FakeIntent,
    FakeMatch,
    FreedSlotCompetitors,
    RandomCompetitors,
    RecordedRequest,
    ReleaseModel,
    ScheduledCancellation,
    Variants,
)
from .state import State

DEFAULT_RELEASE = DailyDrop(days_ahead=14, time=time(8, 30))
DEFAULT_COURT_DURATIONS = (60, 90, 120)


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class FakePlaytomic:
    """A stateful Playtomic API on a loopback port, driven by one FakeClock."""

    def __init__(
        self,
        clock: FakeClock | None = None,
        *,
        access_ttl: float = 3600,
        refresh_ttl: float = 60 * 86400,
        hold_seconds: float = 600,
        latency: float = 0.0,
    ) -> None:
        self.state = State(
            clock if clock is not None else FakeClock.real(),
            access_ttl=access_ttl,
            refresh_ttl=refresh_ttl,
            hold_seconds=hold_seconds,
        )
        self.latency = latency
        self.variants = Variants()
        self.faults = FaultBook()
        self.requests: list[RecordedRequest] = []
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._user_ids = itertools.count(1001)
        self._competitor_ids = itertools.count(1)
        self._hanging: set[asyncio.Task[Any]] = set()

    # Plain state access ---------------------------------------------------------------

    @property
    def clock(self) -> FakeClock:
        return self.state.clock

    @property
    def hold_seconds(self) -> float:
        return self.state.hold_seconds

    @hold_seconds.setter
    def hold_seconds(self, value: float) -> None:
        self.state.hold_seconds = value

    @property
    def clubs(self) -> dict[str, FakeClub]:
        return self.state.clubs

    @property
    def accounts(self) -> dict[str, FakeAccount]:
        return self.state.accounts

    @property
    def matches(self) -> list[FakeMatch]:
        return self.state.matches

    @property
    def intents(self) -> dict[str, FakeIntent]:
        return self.state.intents

    @property
    def issued_tokens(self) -> list[str]:
        return self.state.issued_tokens

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the fake server is not running; await fake.start() first")
        return self._url

    def clear_requests(self) -> None:
        self.requests.clear()

    # Set-up ---------------------------------------------------------------------------

    def add_account(
        self, email: str, password: str, user_id: str | None = None, name: str = "Player"
    ) -> FakeAccount:
        account = FakeAccount(
            email=email,
            password=password,
            user_id=user_id if user_id is not None else str(next(self._user_ids)),
            name=name,
        )
        self.state.accounts[email.strip().lower()] = account
        return account

    def add_club(
        self,
        name: str,
        *,
        timezone: str = "Europe/Madrid",
        city: str = "Madrid",
        country_code: str = "ES",
        lat: float = 40.4168,
        lon: float = -3.7038,
        tenant_id: str | None = None,
        slug: str | None = None,
        courts: Sequence[CourtSpec] | int = 4,
        release: ReleaseModel = DEFAULT_RELEASE,
        opening: tuple[time, time] = (time(8, 0), time(23, 0)),
        step_minutes: int = 30,
        price_per_hour: Decimal | int | str = Decimal(24),
        currency: str = "EUR",
        payment_methods: Sequence[str] = ("CASH", "CREDIT_CARD"),
        sport: str = "PADEL",
        playtomic_status: str = "ACTIVE",
        cancel_hours: int = 24,
        member_extra_days: Mapping[str, int] | None = None,
        evening_price_per_hour: Decimal | int | str | None = None,
        street: str = "Calle Falsa 123",
        postal_code: str = "28001",
        country: str = "",
        wallet_balance: Decimal | int | str | None = None,
    ) -> FakeClub:
        specs = (
            [CourtSpec(f"Court {n}", indoor=n % 2 == 1) for n in range(1, courts + 1)]
            if isinstance(courts, int)
            else list(courts)
        )
        club = FakeClub(
            tenant_id=tenant_id or str(uuid.uuid4()),
            name=name,
            slug=slug or slugify(name),
            timezone=timezone,
            city=city,
            country_code=country_code,
            lat=lat,
            lon=lon,
            courts=[
                FakeCourt(
                    resource_id=spec.resource_id or str(uuid.uuid4()),
                    name=spec.name,
                    indoor=spec.indoor,
                    durations=tuple(spec.durations),
                    size=spec.size,
                    feature=spec.feature,
                    active=spec.active,
                    bookable_online=spec.bookable_online,
                    sport=(spec.sport or sport).upper(),
                )
                for spec in specs
            ],
            release=release,
            opening=opening,
            step_minutes=step_minutes,
            price_per_hour=Decimal(price_per_hour),
            currency=currency,
            payment_methods=tuple(payment_methods),
            sport=sport,
            playtomic_status=playtomic_status,
            cancel_hours=cancel_hours,
            member_extra_days=dict(member_extra_days or {}),
            evening_price_per_hour=(
                Decimal(evening_price_per_hour) if evening_price_per_hour is not None else None
            ),
            street=street,
            postal_code=postal_code,
            country=country,
            wallet_balance=Decimal(wallet_balance) if wallet_balance is not None else None,
        )
        self.state.clubs[club.tenant_id] = club
        return club

    def _club(self, tenant_id: str) -> FakeClub:
        club = self.state.clubs.get(tenant_id)
        if club is None:
            raise KeyError(f"unknown tenant_id {tenant_id!r}")
        return club

    def set_release(
        self,
        tenant_id: str,
        release: ReleaseModel,
        *,
        member_extra_days: Mapping[str, int] | None = None,
    ) -> FakeClub:
        # Settle competitors due under the old model before the release instants move.
        self.state.apply_competitors()
        club = self._club(tenant_id)
        club.release = release
        if member_extra_days is not None:
            club.member_extra_days = dict(member_extra_days)
        return club

    def release_in(self, tenant_id: str, seconds: float = 5.0) -> datetime:
        """Switch the club to a daily drop whose next instant is server-now + ``seconds``.

        Keeps the current horizon (days ahead); returns the release instant.
        """
        return self.release_at(tenant_id, self.clock.now() + timedelta(seconds=seconds))

    def release_at(self, tenant_id: str, instant: datetime) -> datetime:
        """Switch the club to a daily drop at ``instant``'s club-local time of day (see
        ``release_in``); returns the instant."""
        club = self._club(tenant_id)
        days = (
            club.release.days_ahead
            if isinstance(club.release, DailyDrop)
            else max(1, club.release.minutes // 1440)
        )
        self.set_release(
            tenant_id, DailyDrop(days_ahead=days, time=instant.astimezone(club.zone).time())
        )
        return instant

    def scenario(self, name: str) -> list[FakeClub]:
        from .scenarios import load_scenario

        return load_scenario(self, name)

    def book_directly(
        self,
        tenant_id: str,
        resource_id: str,
        start_utc: datetime,
        duration: int,
        owner_id: str,
    ) -> FakeMatch:
        """A confirmed match without the booking flow (seed data; no availability checks)."""
        club = self._club(tenant_id)
        if club.court(resource_id) is None:
            raise KeyError(f"unknown resource_id {resource_id!r}")
        return self.state.create_match(club, resource_id, start_utc, duration, owner_id)

    def expire_tokens(self, *, refresh: bool = False) -> int:
        return self.state.tokens.expire_all(refresh=refresh)

    # Competitors ----------------------------------------------------------------------

    def add_competitor(
        self,
        tenant_id: str,
        resource_id: str,
        start_utc: datetime,
        duration: int,
        delay: float = 0.3,
        *,
        owner_id: str | None = None,
    ) -> Competitor:
        """At release + ``delay`` s (server clock) the slot goes to someone else if still free."""
        self._club(tenant_id)
        competitor = Competitor(
            tenant_id=tenant_id,
            resource_id=resource_id,
            start=start_utc,
            duration=duration,
            delay=delay,
            owner_id=owner_id or f"competitor-{next(self._competitor_ids)}",
        )
        self.state.competitors.append(competitor)
        return competitor

    def add_random_competitors(
        self,
        tenant_id: str,
        probability: float,
        delay_range: tuple[float, float] = (0.5, 20.0),
        *,
        seed: int = 0,
    ) -> RandomCompetitors:
        """Each slot released from now on is taken with ``probability`` after a random delay."""
        self._club(tenant_id)
        rule = RandomCompetitors(
            tenant_id=tenant_id,
            probability=probability,
            delay_range=delay_range,
            seed=seed,
            checked_until=self.clock.now(),
        )
        self.state.random_competitors.append(rule)
        return rule

    # Cancellations (a court comes back) ------------------------------------------------

    def cancel_match(self, match_id: str, at: datetime | None = None) -> ScheduledCancellation:
        """Its owner cancels the match at ``at`` (server clock; default now), freeing the slot."""
        if self.state.find_match(match_id) is None:
            raise KeyError(f"unknown match_id {match_id!r}")
        cancellation = ScheduledCancellation(
            match_id=match_id, at=at if at is not None else self.clock.now()
        )
        self.state.cancellations.append(cancellation)
        self.state.apply_competitors()
        return cancellation

    def someone_elses_match(self, tenant_id: str | None = None) -> FakeMatch | None:
        """The soonest upcoming active match of a non-account player (a competitor or a seeded
        booking), optionally at one club: what "free a court now" gives back."""
        now = self.clock.now()
        accounts = {account.user_id for account in self.accounts.values()}
        candidates = [
            match
            for match in self.matches
            if match.status != CANCELED
            and match.start > now
            and match.owner_id not in accounts
            and tenant_id in (None, match.tenant_id)
        ]
        return min(candidates, key=lambda match: match.start, default=None)

    def add_freed_slot_competitors(
        self,
        tenant_id: str | None = None,
        *,
        delay_range: tuple[float, float] = (60.0, 60.0),
        probability: float = 1.0,
        seed: int = 0,
    ) -> FreedSlotCompetitors:
        """Each slot freed from now on (at the club, or anywhere) is taken by another player
        with ``probability``, ``delay_range`` seconds (uniform) after it was freed."""
        if tenant_id is not None:
            self._club(tenant_id)
        taker = FreedSlotCompetitors(
            tenant_id=tenant_id, probability=probability, delay_range=delay_range, seed=seed
        )
        # Slots freed before the takers existed are not theirs.
        taker.settled.update(range(len(self.state.freed)))
        self.state.freed_competitors.append(taker)
        return taker

    # Faults ---------------------------------------------------------------------------

    def respond(
        self,
        method: str,
        path_regex: str,
        status: int = 200,
        json: Any = None,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
        count: int | None = 1,
    ) -> Fault:
        return self.faults.add(
            Fault(
                "respond",
                method,
                path_regex,
                count,
                status=status,
                json=json,
                text=text,
                headers=dict(headers or {}),
            )
        )

    def fail(self, method: str, path_regex: str, status: int = 503, count: int | None = 1) -> Fault:
        return self.faults.add(Fault("fail", method, path_regex, count, status=status))

    def rate_limit(
        self, method: str, path_regex: str, retry_after: str | None = "2", count: int | None = 1
    ) -> Fault:
        return self.faults.add(
            Fault("rate_limit", method, path_regex, count, status=429, retry_after=retry_after)
        )

    def edge_block(
        self, method: str = "*", path_regex: str = ".*", count: int | None = None
    ) -> Fault:
        return self.faults.add(Fault("edge_block", method, path_regex, count, status=403))

    def malformed(self, method: str, path_regex: str, count: int | None = 1) -> Fault:
        return self.faults.add(Fault("malformed", method, path_regex, count))

    def hang(self, method: str, path_regex: str, count: int | None = 1) -> Fault:
        return self.faults.add(Fault("hang", method, path_regex, count))

    def drop_after_confirm(self, count: int | None = 1) -> Fault:
        return self.faults.add(Fault("drop_after_confirm", "POST", CONFIRMATION_PATH, count))

    def clear_faults(self) -> None:
        self.faults.clear()

    async def hang_until_stopped(self, request: web.Request) -> None:
        """Never answer; ``stop()`` cancels the waiting handler so no task outlives the server."""
        task = asyncio.current_task()
        assert task is not None
        self._hanging.add(task)
        try:
            await asyncio.Event().wait()
        finally:
            self._hanging.discard(task)

    def drop_connection(self, request: web.Request) -> None:
        """Close the socket so the client gets no response at all."""
        transport = request.transport
        if transport is not None:
            transport.abort()

    # Lifecycle ------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._runner is not None:
            raise RuntimeError("the fake server is already running")
        from .app import build_app

        runner = web.AppRunner(
            build_app(self), access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self._url = f"http://{bound_host}:{bound_port}"
        return self._url

    async def stop(self) -> None:
        for task in list(self._hanging):
            task.cancel()
        for task in list(self._hanging):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._url = None

    async def __aenter__(self) -> FakePlaytomic:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
