"""PlaytomicClient: every endpoint, on one ApiSession (the request core in session.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
import logging

import aiohttp

from . import contract, intents
from .auth import TokenCallback
from .ids import check_ids, id_path
from .jsonread import as_list
from .matches import list_matches, own_matches
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
    slots_from_availability,
)
from .payments import DEFAULT_POLICY, PaymentCategory
from .session import ApiSession, SleepFunc, utc_now
from .timeconv import format_utc, local_day_window, parse_http_date

_LOGGER = logging.getLogger(__name__)


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
        now: Callable[[], datetime] = utc_now,
        sleep: SleepFunc = asyncio.sleep,
        request_timeout: float = 10.0,
        fallback_zone: tzinfo | None = None,
    ) -> None:
        self._email = email
        self._fallback_zone = fallback_zone
        self._session = ApiSession(
            session,
            email,
            password,
            base_url=base_url,
            tokens=tokens,
            on_tokens=on_tokens,
            now=now,
            sleep=sleep,
            request_timeout=request_timeout,
        )
        self._booking = intents.BookingSteps(self._session)

    def __repr__(self) -> str:
        return f"PlaytomicClient(base_url={self._session.base_url!r}, email={self._email!r})"

    # -- state -------------------------------------------------------------------------------

    @property
    def tokens(self) -> TokenPair | None:
        """The current token pair (persist it via on_tokens, not by polling this)."""
        return self._session.tokens

    @property
    def user_id(self) -> str | None:
        """The Playtomic user id from the last login."""
        tokens = self._session.tokens
        return tokens.user_id if tokens else None

    @property
    def request_count(self) -> int:
        """Requests sent so far, including login and refresh."""
        return self._session.request_count

    @property
    def edge_blocked_until(self) -> datetime | None:
        """While set and in the future, every call fails fast with PlaytomicEdgeBlockedError."""
        return self._session.edge_blocked_until

    def reset_edge_block(self) -> None:
        """Lift the edge-block pause early (for a user-initiated retry)."""
        self._session.reset_edge_block()

    def release_intent(self, target: BookingTarget) -> None:
        """Forget the live intent for this target so a new one may be created (§8 rule 3)."""
        self._booking.release(target)

    # -- auth --------------------------------------------------------------------------------

    async def login(self) -> TokenPair:
        """Log in with email and password (§2.1). PlaytomicAuthError on wrong credentials."""
        return await self._session.login()

    async def ensure_token(self, min_validity: timedelta = contract.EARLY_REFRESH) -> TokenPair:
        """Refresh early, or log in, so the access token stays valid for `min_validity`."""
        return await self._session.ensure_token(min_validity)

    async def require_user_id(self) -> str:
        """The account's id: from the tokens, else from the profile (§11.4), never a login."""
        return await self._session.require_user_id()

    async def get_profile(self) -> Profile:
        """The signed-in account (`GET /v2/users/me`)."""
        return await self._session.get_profile()

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
            response = await self._session.get(contract.PATH_TENANTS, params)
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
        payload = await self._session.get_json(id_path(contract.PATH_TENANT, tenant_id=tenant_id))
        club = Club.from_json(payload, fallback_zone=self._fallback_zone)
        if isinstance(payload, Mapping) and payload.get("resources") is None:
            club = club.with_courts(tuple(await self.get_courts(tenant_id)))
        return club

    async def get_courts(self, tenant_id: str) -> list[Court]:
        """Courts of a club, without inactive ones and ones not bookable online."""
        payload = await self._session.get_json(
            id_path(contract.PATH_RESOURCES, tenant_id=tenant_id)
        )
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
                payload = await self._session.get_json(contract.PATH_AVAILABILITY, params)
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
        return await self._booking.create_intent(target, number_of_players, hedge=hedge)

    async def select_payment_method(self, intent_id: str, method_id: str) -> PaymentIntent:
        """Step 2 (PATCH). PaymentNotPossibleError on 503."""
        return await self._booking.select_method(intent_id, method_id)

    async def confirm_payment_intent(self, intent_id: str, target: BookingTarget) -> str:
        """Step 3; returns the match id. Never confirms an intent twice; reconciles per §8."""
        return await self._booking.confirm(intent_id, target)

    async def book(
        self,
        target: BookingTarget,
        payment_policy: Iterable[PaymentCategory | str] = DEFAULT_POLICY,
        dry_run: bool = False,
        *,
        hedge: bool = False,
    ) -> BookingResult:
        """Create, choose a method, PATCH, confirm. A dry run stops before PATCH."""
        return await self._booking.book(target, payment_policy, dry_run=dry_run, hedge=hedge)

    async def get_payment_intent(self, intent_id: str) -> PaymentIntent:
        """Read an intent again (§8 rule 2)."""
        return await self._booking.read_intent(intent_id)

    # -- own bookings (§6) -------------------------------------------------------------------

    async def get_matches(self, upcoming_only: bool = True) -> list[Match]:
        """Own matches, oldest first; `upcoming_only` drops inactive and finished ones.

        §11.3: only matches naming the account are kept (a server may ignore `user_id=me`).
        """
        return await own_matches(self._session, upcoming_only=upcoming_only)

    async def list_matches(self) -> list[Match]:
        """The matches list exactly as the server answered it, nobody's filtered out (§11.3)."""
        return await list_matches(self._session)

    async def get_match(self, match_id: str) -> Match:
        """One match."""
        return Match.from_json(
            await self._session.get_json(id_path(contract.PATH_MATCH, match_id=match_id))
        )

    async def cancel_match(self, match_id: str) -> None:
        """Cancel; any 2xx is success and the body is ignored (§6). Refresh matches afterwards."""
        response = await self._session.call(
            "POST",
            id_path(contract.PATH_CANCELLATION, match_id=match_id),
            json_body=contract.cancellation_body(),
        )
        self._session.ok_or_raise(response)

    # -- clock -------------------------------------------------------------------------------

    async def probe_server_time(self) -> ServerTimeSample:
        """A cheap authenticated GET; local send/receive times and the server's Date header."""
        await self._session.ensure_token()  # so a refresh does not fall between the timestamps
        sent = self._session.now()
        response = await self._session.call("GET", contract.PATH_ME)
        received = self._session.now()
        self._session.ok_or_raise(response)
        return ServerTimeSample(sent, received, parse_http_date(response.headers.get("Date")))
