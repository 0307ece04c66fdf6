"""PlaytomicClient: the request core (auth ladder, retries, back-off) and every endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, tzinfo
import logging
from typing import Any

import aiohttp

from . import contract, intents
from .auth import TokenCallback, TokenManager
from .errors import PlaytomicAuthError, PlaytomicRateLimitedError
from .ids import check_ids, id_path
from .jsonread import as_list
from .models import (
    BookingResult,
    BookingTarget,
    Club,
    Court,
    Match,
    PaymentIntent,
    Profile,
    ServerTimeSample,
    Slot,
    TokenPair,
    clubs_from_json,
    matches_from_json,
    slots_from_availability,
)
from .payments import DEFAULT_POLICY, PaymentCategory
from .timeconv import format_utc, local_day_window, parse_http_date
from .transport import RawResponse, Transport, error_for, retry_after_seconds

_LOGGER = logging.getLogger(__name__)

SleepFunc = Callable[[float], Awaitable[None]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _WaitBudget:
    """Seconds of back-off one caller (an action call) may still spend, shared by its tasks."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds


_WAIT_BUDGET: ContextVar[_WaitBudget | None] = ContextVar("playtomic_wait_budget", default=None)


@contextmanager
def limit_retry_waits(seconds: float = contract.ACTION_RETRY_WAIT_CAP_SECONDS) -> Iterator[None]:
    """Cap the total back-off waits (429/5xx on GETs) of every request made inside the block."""
    token = _WAIT_BUDGET.set(_WaitBudget(seconds))
    try:
        yield
    finally:
        _WAIT_BUDGET.reset(token)


def _take_wait(delay: float) -> bool:
    """Whether a back-off of `delay` fits the current caller's budget (and book it if so)."""
    budget = _WAIT_BUDGET.get()
    if budget is None:
        return True
    if delay > budget.left:
        return False
    budget.left -= delay
    return True


class PlaytomicClient:
    """Async client of the private Playtomic player API (our notes: docs/playtomic-api.md).

    The aiohttp session is injected and never closed here. `now` and `sleep` are injectable so
    tests control token expiry, back-off and reconciliation waits.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        email: str,
        password: str,
        *,
        base_url: str = contract.DEFAULT_BASE_URL,
        tokens: TokenPair | None = None,
        on_tokens: TokenCallback | None = None,
        now: Callable[[], datetime] = _utc_now,
        sleep: SleepFunc = asyncio.sleep,
        request_timeout: float = 10.0,
        fallback_zone: tzinfo | None = None,
    ) -> None:
        self._now = now
        self._sleep = sleep
        self._email = email
        self._fallback_zone = fallback_zone
        self._transport = Transport(session, base_url, now=now, request_timeout=request_timeout)
        self._auth = TokenManager(
            self._transport, email, password, tokens=tokens, on_tokens=on_tokens, now=now
        )
        self._intents = intents.IntentLedger()

    def __repr__(self) -> str:
        return f"PlaytomicClient(base_url={self._transport.base_url!r}, email={self._email!r})"

    # -- state -------------------------------------------------------------------------------

    @property
    def tokens(self) -> TokenPair | None:
        """The current token pair (persist it via on_tokens, not by polling this)."""
        return self._auth.tokens

    @property
    def user_id(self) -> str | None:
        """The Playtomic user id from the last login."""
        tokens = self._auth.tokens
        return tokens.user_id if tokens else None

    @property
    def request_count(self) -> int:
        """Requests sent so far, including login and refresh."""
        return self._transport.request_count

    @property
    def edge_blocked_until(self) -> datetime | None:
        """While set and in the future, every call fails fast with PlaytomicEdgeBlockedError."""
        return self._transport.edge_blocked_until

    def reset_edge_block(self) -> None:
        """Lift the edge-block pause early (for a user-initiated retry)."""
        self._transport.reset_edge_block()

    def release_intent(self, target: BookingTarget) -> None:
        """Forget the live intent for this target so a new one may be created (§8 rule 3)."""
        self._intents.release(target)

    # -- auth --------------------------------------------------------------------------------

    async def login(self) -> TokenPair:
        """Log in with email and password (§2.1). PlaytomicAuthError on wrong credentials."""
        return await self._auth.login()

    async def ensure_token(self, min_validity: timedelta = contract.EARLY_REFRESH) -> TokenPair:
        """Refresh early, or log in, so the access token stays valid for `min_validity`."""
        return await self._auth.ensure(min_validity)

    async def require_user_id(self) -> str:
        """The account's id: from the tokens, else from the profile (§11.4), never a login."""
        tokens = await self._auth.ensure()
        if tokens.user_id:
            return tokens.user_id
        profile = await self.get_profile()
        await self._auth.remember_user_id(profile.user_id)
        return profile.user_id

    async def get_profile(self) -> Profile:
        """The signed-in account (`GET /v2/users/me`)."""
        return Profile.from_json(await self._get_json(contract.PATH_ME))

    # -- request core ------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> RawResponse:
        """An authenticated request with the 401 ladder (§2.3) and GET back-off (§8 rule 6).

        Returns the final answer whatever its status; POST/PATCH are sent at most twice, and the
        second time only after a 401 (the server refused before acting).
        """
        replayed = False
        retries = 0
        while True:
            token = (await self._auth.ensure()).access_token
            response = await self._transport.send(
                method, path, params=params, json_body=json_body, token=token
            )
            if response.status == 401:
                if replayed:
                    raise PlaytomicAuthError("Playtomic refused the renewed session")
                await self._auth.after_unauthorized(token)
                replayed = True
                continue
            if (
                method == "GET"
                and response.status in contract.GET_RETRY_STATUSES
                and retries < contract.GET_MAX_RETRIES
            ):
                delay = self._backoff(response, retries)
                if not _take_wait(delay):
                    _LOGGER.info("GET %s: retry wait cap of this call reached", path)
                    return response
                retries += 1
                _LOGGER.info(
                    "Playtomic answered %s to GET %s; retry %s in %.1f s",
                    response.status,
                    path,
                    retries,
                    delay,
                )
                await self._sleep(delay)
                continue
            return response

    def _backoff(self, response: RawResponse, retries: int) -> float:
        exponential = contract.GET_BACKOFF_BASE_SECONDS * float(1 << retries)
        hinted = retry_after_seconds(response.headers, self._now()) or 0.0
        return min(max(exponential, hinted), contract.RETRY_AFTER_CAP_SECONDS)

    async def _get_json(self, path: str, params: Mapping[str, str] | None = None) -> object:
        return (await self._get(path, params)).json()

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> RawResponse:
        """A GET whose answer is 2xx (else the mapped error is raised)."""
        response = await self._call("GET", path, params=params)
        if not response.ok:
            raise self._error(response)
        return response

    def _json_or_raise(self, response: RawResponse) -> object:
        if not response.ok:
            raise self._error(response)
        return response.json()

    def _error(self, response: RawResponse) -> Exception:
        error = error_for(response, self._now())
        if isinstance(error, PlaytomicRateLimitedError):
            _LOGGER.warning("Playtomic is rate limiting %s %s", response.method, response.path)
        return error

    # -- clubs (§3) --------------------------------------------------------------------------

    async def search_clubs(
        self,
        name: str | None = None,
        coordinate: tuple[float, float] | None = None,
        radius_m: int = contract.DEFAULT_SEARCH_RADIUS_M,
        sport_id: str = contract.DEFAULT_SPORT_ID,
    ) -> list[Club]:
        """Active clubs by name substring and/or around a coordinate.

        Pages until the one a `Link: rel="last"` header names (§11.5), else until an empty page.
        """
        found: dict[str, Club] = {}
        for page in range(contract.TENANT_SEARCH_MAX_PAGES):
            params = contract.tenant_search_params(
                name=name, coordinate=coordinate, radius_m=radius_m, sport_id=sport_id, page=page
            )
            response = await self._get(contract.PATH_TENANTS, params)
            clubs = clubs_from_json(response.json(), fallback_zone=self._fallback_zone)
            for club in clubs:
                if club.is_active:
                    found.setdefault(club.tenant_id, club)
            last = contract.last_page(response.headers.get("Link"))
            if not clubs or (last is not None and page >= last):
                break
        else:
            _LOGGER.warning("Club search stopped after %s pages", contract.TENANT_SEARCH_MAX_PAGES)
        return list(found.values())

    async def get_club(self, tenant_id: str) -> Club:
        """One club with its usable courts."""
        payload = await self._get_json(id_path(contract.PATH_TENANT, tenant_id=tenant_id))
        club = Club.from_json(payload, fallback_zone=self._fallback_zone)
        if isinstance(payload, Mapping) and payload.get("resources") is None:
            club = club.with_courts(tuple(await self.get_courts(tenant_id)))
        return club

    async def get_courts(self, tenant_id: str) -> list[Court]:
        """Courts of a club, without inactive ones and ones not bookable online."""
        payload = await self._get_json(id_path(contract.PATH_RESOURCES, tenant_id=tenant_id))
        courts = [Court.from_json(item) for item in as_list(payload, "resources")]
        return [court for court in courts if court.usable]

    # -- availability (§4) -------------------------------------------------------------------

    async def get_availability(
        self, club: Club, day_local: date, sport_id: str = contract.DEFAULT_SPORT_ID
    ) -> list[Slot]:
        """Free slots of one club-local day: one request, UTC window of local 00:00:00-23:59:59."""
        return (await self.get_availability_many([club], day_local, sport_id))[club.tenant_id]

    async def get_availability_many(
        self, clubs: Sequence[Club], day_local: date, sport_id: str = contract.DEFAULT_SPORT_ID
    ) -> dict[str, list[Slot]]:
        """Free slots of one club-local day at several clubs, by tenant id.

        §11.5: clubs whose local day is the same UTC window share one request (a comma-separated
        `tenant_id`); answers carry `resource_id`, so each slot goes to the club listing that
        court. A club whose courts are unknown gets a request of its own, because nothing would
        tell its slots from another club's.
        """
        groups: dict[tuple[datetime, datetime, str], list[Club]] = {}
        for club in {club.tenant_id: club for club in clubs}.values():
            window = local_day_window(day_local, club.zone)
            alone = "" if club.courts else club.tenant_id
            groups.setdefault((*window, alone), []).append(club)
        found: dict[str, list[Slot]] = {}
        for (start, end, _), members in groups.items():
            for index in range(0, len(members), contract.AVAILABILITY_BATCH_MAX):
                batch = members[index : index + contract.AVAILABILITY_BATCH_MAX]
                params = contract.availability_params(
                    check_ids((club.tenant_id for club in batch), "tenant_id"),
                    sport_id,
                    format_utc(start),
                    format_utc(end),
                )
                payload = await self._get_json(contract.PATH_AVAILABILITY, params)
                for club in batch:
                    found[club.tenant_id] = slots_from_availability(
                        payload, club, window=(start, end), sport_id=sport_id
                    )
        return found

    # -- booking (§5, §8) --------------------------------------------------------------------

    async def create_payment_intent(
        self, target: BookingTarget, number_of_players: int | None = None, *, hedge: bool = False
    ) -> PaymentIntent:
        """Step 1. SlotNotAvailableError on 409; IntentAlreadyOpenError for a second live intent
        on the same target unless `hedge` is set deliberately."""
        return await intents.create_intent(self, target, number_of_players, hedge=hedge)

    async def select_payment_method(self, intent_id: str, method_id: str) -> PaymentIntent:
        """Step 2 (PATCH). PaymentNotPossibleError on 503."""
        return await intents.select_method(self, intent_id, method_id)

    async def confirm_payment_intent(self, intent_id: str, target: BookingTarget) -> str:
        """Step 3; returns the match id. Never confirms an intent twice; reconciles per §8."""
        return await intents.confirm(self, intent_id, target)

    async def book(
        self,
        target: BookingTarget,
        payment_policy: Iterable[PaymentCategory | str] = DEFAULT_POLICY,
        dry_run: bool = False,
        *,
        hedge: bool = False,
    ) -> BookingResult:
        """Create, choose a method, PATCH, confirm. A dry run stops before PATCH."""
        return await intents.book(self, target, payment_policy, dry_run=dry_run, hedge=hedge)

    async def get_payment_intent(self, intent_id: str) -> PaymentIntent:
        """Read an intent again (§8 rule 2)."""
        payload = await self._get_json(id_path(contract.PATH_PAYMENT_INTENT, intent_id=intent_id))
        return PaymentIntent.from_json(payload)

    # -- own bookings (§6) -------------------------------------------------------------------

    async def get_matches(self, upcoming_only: bool = True) -> list[Match]:
        """Own matches, oldest first; `upcoming_only` drops inactive and finished ones.

        §11.3: a server that ignores `user_id=me` returns other people's matches, so only those
        naming the account are kept: someone else's match must never look like our booking.
        """
        user_id = await self.require_user_id()
        listed = await self.list_matches()
        matches = [m for m in listed if m.belongs_to(user_id)]
        if len(matches) != len(listed):
            _LOGGER.debug("Ignored %s listed matches of other players", len(listed) - len(matches))
        if upcoming_only:
            now = self._now()
            matches = [m for m in matches if not m.is_inactive and m.end > now]
        return sorted(matches, key=lambda m: (m.start, m.match_id))

    async def list_matches(self) -> list[Match]:
        """The matches list exactly as the server answered it, nobody's filtered out (§11.3)."""
        payload = await self._get_json(contract.PATH_MATCHES, contract.matches_params())
        return matches_from_json(payload)

    async def get_match(self, match_id: str) -> Match:
        """One match."""
        return Match.from_json(
            await self._get_json(id_path(contract.PATH_MATCH, match_id=match_id))
        )

    async def cancel_match(self, match_id: str) -> None:
        """Cancel; any 2xx is success and the body is ignored (§6). Refresh matches afterwards."""
        response = await self._call(
            "POST",
            id_path(contract.PATH_CANCELLATION, match_id=match_id),
            json_body=contract.cancellation_body(),
        )
        if not response.ok:
            raise self._error(response)

    # -- clock -------------------------------------------------------------------------------

    async def probe_server_time(self) -> ServerTimeSample:
        """A cheap authenticated GET; local send/receive times and the server's Date header."""
        await self._auth.ensure()  # so a refresh does not fall between the two timestamps
        sent = self._now()
        response = await self._call("GET", contract.PATH_ME)
        received = self._now()
        if not response.ok:
            raise self._error(response)
        return ServerTimeSample(sent, received, parse_http_date(response.headers.get("Date")))
