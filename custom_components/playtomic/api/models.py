"""Frozen data models and their tolerant-but-strict JSON parsers.

Parsers ignore unknown keys and accept the documented variants (docs/playtomic-api.md §2-§6); anything else
raises PlaytomicApiError(code=UNEXPECTED_RESPONSE).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
import json
import logging
from typing import Any, Self
from zoneinfo import ZoneInfo

from . import contract
from .errors import PlaytomicApiError
from .jsonread import (
    as_list,
    as_object,
    dig,
    malformed,
    opt_bool,
    opt_float,
    opt_int,
    opt_object,
    opt_str,
    req_int,
    req_str,
    unwrap_list,
)
from .timeconv import as_utc, in_range, minutes_between, parse_utc, to_local, zone_or_fallback

_LOGGER = logging.getLogger(__name__)

_UNIT_HOURS = {"MINUTES": 1 / 60, "HOURS": 1.0, "DAYS": 24.0}


def _timestamp(data: Mapping[str, Any], key: str, what: str) -> datetime:
    value = data.get(key)
    if not isinstance(value, str):
        raise malformed(f"{what}.{key}")
    try:
        return parse_utc(value)
    except ValueError:
        raise malformed(f"{what}.{key}") from None


def _minutes(value: int, what: str) -> int:
    """An API duration in minutes (§4, §10.11), refused beyond a day (no overflow later)."""
    minutes = contract.duration_to_minutes(value)
    if not 0 < minutes <= contract.MAX_DURATION_MINUTES:
        raise malformed(what)
    return minutes


def _opt_timestamp(data: Mapping[str, Any], key: str, what: str) -> datetime | None:
    if data.get(key) is None:
        return None
    return _timestamp(data, key, what)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount with its ISO currency ("" when the API gave a bare number)."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}".strip()

    @classmethod
    def parse(
        cls, value: object, *, default_currency: str = "", what: str = "price"
    ) -> Self | None:
        """§4: "35 EUR" (split at the last space), a bare number, or {"amount", "currency"}."""
        if value is None:
            return None
        if isinstance(value, bool):
            raise malformed(what)
        if isinstance(value, int | float):
            return cls(_decimal(str(value), what), default_currency)
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            amount, _, currency = text.rpartition(" ")
            if not amount:  # no space: a number without currency
                return cls(_decimal(text, what), default_currency)
            return cls(_decimal(amount, what), currency.strip())
        obj = as_object(value, what)
        raw = obj.get("amount")
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise malformed(f"{what}.amount")
        currency = opt_str(obj, "currency", what) or default_currency
        return cls(_decimal(str(raw), what), currency)


def _decimal(text: str, what: str) -> Decimal:
    try:
        result = Decimal(text.strip())
    except InvalidOperation:
        raise malformed(what) from None
    if not result.is_finite():
        raise malformed(what)
    return result


@dataclass(frozen=True, slots=True)
class TokenPair:
    """Access and refresh token (§2). The repr never shows the tokens."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires: datetime
    refresh_expires: datetime | None = None
    user_id: str | None = None

    @classmethod
    def from_json(
        cls, payload: object, *, now: datetime, previous: TokenPair | None = None
    ) -> Self:
        """A login or refresh answer (§2.1); a missing access expiry means 55 minutes.

        §11.4: a refresh answer may carry no `refresh_token`; the previous one then stays valid
        and is kept with its expiry. The user id is kept when the answer has none.
        """
        data = as_object(payload, "token response")
        access = req_str(data, "access_token", "token response")
        expires = _opt_timestamp(data, "access_token_expiration", "token response")
        if expires is None:
            expires = as_utc(now) + contract.DEFAULT_ACCESS_TTL
        refresh = opt_str(data, "refresh_token", "token response")
        if refresh:
            refresh_expires = _opt_timestamp(data, "refresh_token_expiration", "token response")
        elif previous is not None:
            refresh, refresh_expires = previous.refresh_token, previous.refresh_expires
        else:
            raise malformed("token response.refresh_token")
        return cls(
            access_token=access,
            refresh_token=refresh,
            access_expires=expires,
            refresh_expires=refresh_expires,
            user_id=opt_str(data, "user_id", "token response")
            or (previous.user_id if previous else None),
        )

    def with_user_id(self, user_id: str) -> TokenPair:
        """A copy that knows the account's id (learned from the profile, §11.4)."""
        return replace(self, user_id=user_id)

    def to_dict(self) -> dict[str, str | None]:
        """JSON-safe form for the config entry."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "access_expires": self.access_expires.isoformat(),
            "refresh_expires": self.refresh_expires.isoformat() if self.refresh_expires else None,
            "user_id": self.user_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Inverse of to_dict. Raises ValueError (without secrets) on a damaged record."""
        try:
            access = data["access_token"]
            refresh = data["refresh_token"]
            if not isinstance(access, str) or not isinstance(refresh, str):
                raise TypeError  # noqa: TRY301 - folded into the ValueError below
            expires = parse_utc(data["access_expires"])
            refresh_raw = data.get("refresh_expires")
            refresh_expires = parse_utc(refresh_raw) if refresh_raw else None
            user_id = data.get("user_id")
            if user_id is not None and not isinstance(user_id, str):
                raise TypeError  # noqa: TRY301
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError("Stored Playtomic tokens are damaged") from None
        return cls(access, refresh, expires, refresh_expires, user_id)

    def access_valid_for(self, now: datetime) -> timedelta:
        """Time left on the access token."""
        return self.access_expires - as_utc(now)

    def refresh_usable(self, now: datetime) -> bool:
        """False once the refresh token has expired (an unknown expiry counts as usable)."""
        return self.refresh_expires is None or self.refresh_expires > as_utc(now)


@dataclass(frozen=True, slots=True)
class Court:
    """A resource (§3)."""

    resource_id: str
    name: str
    sport_id: str | None = None
    is_active: bool = True
    bookable_online: bool = True
    indoor: bool | None = None
    size: str | None = None
    feature: str | None = None
    durations: tuple[int, ...] = ()
    allows_onsite_payment: bool | None = None

    @property
    def single(self) -> bool:
        """Single courts take two players (§5.1, inferred)."""
        return self.size == contract.SINGLE_COURT_SIZE

    @property
    def usable(self) -> bool:
        """§3: skip courts that are inactive or not bookable online."""
        return self.is_active and self.bookable_online

    def offers(self, sport_id: str) -> bool:
        """Whether the court is for `sport_id` (a court without one counts as the default sport)."""
        return contract.same_sport(self.sport_id, sport_id)

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """One resource object; `booking_settings` and `properties` may be null."""
        data = as_object(payload, "resource")
        props = opt_object(data, "properties", "resource")
        settings = opt_object(data, "booking_settings", "resource")
        kind = opt_str(props, "resource_type", "resource.properties")
        indoor = None if kind is None else kind.lower() == "indoor"
        raw_durations = settings.get("allowed_duration_increments")
        durations: list[int] = []
        if raw_durations is not None:
            for item in as_list(raw_durations, "resource.allowed_duration_increments"):
                if isinstance(item, bool) or not isinstance(item, int):
                    raise malformed("resource.allowed_duration_increments")
                durations.append(_minutes(item, "resource.allowed_duration_increments"))
        active = opt_bool(data, "is_active", "resource")
        online = opt_bool(settings, "is_bookable_online", "resource.booking_settings")
        size = opt_str(props, "resource_size", "resource.properties")
        return cls(
            resource_id=req_str(data, "resource_id", "resource"),
            name=opt_str(data, "name", "resource") or req_str(data, "resource_id", "resource"),
            sport_id=opt_str(data, "sport_id", "resource"),
            is_active=True if active is None else active,
            bookable_online=True if online is None else online,
            indoor=indoor,
            size=size.lower() if size else None,
            feature=opt_str(props, "resource_feature", "resource.properties"),
            durations=tuple(sorted(set(durations))),
            allows_onsite_payment=opt_bool(
                settings, "allows_onsite_payment", "resource.booking_settings"
            ),
        )


@dataclass(frozen=True, slots=True)
class Club:
    """A tenant (§3). `zone` comes from address.timezone, the only source of the club's zone."""

    tenant_id: str
    name: str
    zone: ZoneInfo
    slug: str | None = None
    timezone_name: str | None = None
    playtomic_status: str | None = None
    tenant_status: str | None = None
    city: str | None = None
    country_code: str | None = None
    street: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    default_currency: str = ""
    sport_ids: tuple[str, ...] = ()
    booking_ahead_limit: int | None = None  # minutes (§3, §10.10)
    default_cancellation_hours: float | None = None
    cancellation_hours_by_sport: tuple[tuple[str, float], ...] = ()
    courts: tuple[Court, ...] = ()

    @property
    def is_active(self) -> bool:
        """§3: usable only when playtomic_status is ACTIVE (tenant_status is separate)."""
        return self.playtomic_status == contract.ACTIVE_STATUS

    @property
    def address(self) -> str | None:
        """The postal address in one line ("Calle X 1, 28001 Madrid"), None when unknown."""
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part) or None

    def court(self, resource_id: str) -> Court | None:
        """The usable court with this id."""
        return next((c for c in self.courts if c.resource_id == resource_id), None)

    def cancellation_hours(self, sport_id: str = contract.DEFAULT_SPORT_ID) -> float | None:
        """Free-cancellation window for the sport, else the default policy (§6)."""
        for sport, hours in self.cancellation_hours_by_sport:
            if contract.same_sport(sport, sport_id):
                return hours
        return self.default_cancellation_hours

    def free_cancellation_deadline(
        self, start: datetime, sport_id: str = contract.DEFAULT_SPORT_ID
    ) -> datetime | None:
        """Until when a booking starting at `start` can be cancelled for free (§6; None when
        the club states no policy)."""
        hours = self.cancellation_hours(sport_id)
        return None if hours is None else as_utc(start) - timedelta(hours=hours)

    @classmethod
    def from_json(cls, payload: object, *, fallback_zone: tzinfo | None = None) -> Self:
        """One tenant object; courts come from its `resources` when present."""
        data = as_object(payload, "tenant")
        tenant_id = req_str(data, "tenant_id", "tenant")
        address = opt_object(data, "address", "tenant")
        tz_name = opt_str(address, "timezone", "tenant.address")
        zone = zone_or_fallback(tz_name, fallback_zone, what=f"club {tenant_id}")
        coordinate = opt_object(address, "coordinate", "tenant.address")
        settings = opt_object(data, "booking_settings", "tenant")
        resources = data.get("resources")
        courts = (
            tuple(
                c
                for c in (Court.from_json(r) for r in as_list(resources, "tenant.resources"))
                if c.usable
            )
            if resources is not None
            else ()
        )
        sports = _strings(data.get("sport_ids"), "tenant.sport_ids")
        default_policy = data.get("default_cancelation_policy")
        by_sport: list[tuple[str, float]] = []
        for policy in as_list(
            data.get("cancelation_policies") or [], "tenant.cancelation_policies"
        ):
            pol = as_object(policy, "tenant.cancelation_policies")
            hours = _policy_hours(pol.get("duration"))
            if hours is None:
                continue
            names = list(_strings(pol.get("sport_ids"), "policy.sport_ids"))
            single = opt_str(pol, "sport_id", "policy")
            if single and single not in names:
                names.append(single)
            by_sport.extend((name, hours) for name in names)
        return cls(
            tenant_id=tenant_id,
            name=opt_str(data, "tenant_name", "tenant") or tenant_id,
            zone=zone,
            slug=opt_str(data, "tenant_uid", "tenant") or opt_str(data, "slug", "tenant"),
            timezone_name=tz_name,
            playtomic_status=opt_str(data, "playtomic_status", "tenant"),
            tenant_status=opt_str(data, "tenant_status", "tenant"),
            city=opt_str(address, "city", "tenant.address"),
            country_code=opt_str(address, "country_code", "tenant.address"),
            street=opt_str(address, "street", "tenant.address"),
            postal_code=opt_str(address, "postal_code", "tenant.address"),
            latitude=opt_float(coordinate, "lat", "tenant.address.coordinate"),
            longitude=opt_float(coordinate, "lon", "tenant.address.coordinate"),
            default_currency=opt_str(data, "default_currency", "tenant") or "",
            sport_ids=sports,
            booking_ahead_limit=_ahead_limit(settings),
            default_cancellation_hours=_policy_hours(default_policy),
            cancellation_hours_by_sport=tuple(by_sport),
            courts=courts,
        )

    def with_courts(self, courts: tuple[Court, ...]) -> Club:
        """A copy carrying the given courts."""
        return replace(self, courts=courts)


def _strings(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = as_list(value, what)
    if not all(isinstance(item, str) for item in items):
        raise malformed(what)
    return tuple(items)


def _policy_hours(value: object) -> float | None:
    if value is None:
        return None
    data = as_object(value, "cancelation policy")
    amount = opt_float(data, "amount", "cancelation policy")
    unit = (opt_str(data, "unit", "cancelation policy") or "HOURS").upper()
    if amount is None or unit not in _UNIT_HOURS:
        return None
    hours = amount * _UNIT_HOURS[unit]
    if not 0 <= hours <= contract.MAX_CANCELLATION_HOURS:
        raise malformed("cancelation policy.amount")
    return hours


def _ahead_limit(settings: Mapping[str, Any]) -> int | None:
    minutes = opt_int(settings, "booking_ahead_limit", "tenant.booking_settings")
    if minutes is not None and not 0 <= minutes <= contract.MAX_AHEAD_MINUTES:
        raise malformed("tenant.booking_settings.booking_ahead_limit")
    return minutes


@dataclass(frozen=True, slots=True)
class BookingTarget:
    """What to book: the identity of a slot (§8 rule 3 compares the first four fields)."""

    tenant_id: str
    resource_id: str
    start: datetime  # UTC
    duration: int  # minutes
    single_court: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start))

    @property
    def key(self) -> tuple[str, str, datetime, int]:
        """Identity used to track live intents."""
        return (self.tenant_id, self.resource_id, self.start, self.duration)

    @property
    def end(self) -> datetime:
        """UTC end of the slot."""
        return self.start + timedelta(minutes=self.duration)


@dataclass(frozen=True, slots=True)
class Slot:
    """A free slot from availability (§4), joined with its court."""

    tenant_id: str
    resource_id: str
    court_name: str
    start: datetime  # UTC
    duration: int  # minutes
    price: Money | None = None
    indoor: bool | None = None
    single_court: bool = False
    # The club's zone and the sport asked for: what a link to the slot in the app needs (§11.5).
    zone: tzinfo | None = field(default=None, compare=False)
    sport_id: str = field(default=contract.DEFAULT_SPORT_ID, compare=False)

    @property
    def end(self) -> datetime:
        """UTC end of the slot."""
        return self.start + timedelta(minutes=self.duration)

    def local_start(self, tz: tzinfo) -> datetime:
        """The club-local wall time of the start."""
        return to_local(self.start, tz)

    def local_end(self, tz: tzinfo) -> datetime:
        """The club-local wall time of the end."""
        return to_local(self.end, tz)

    @property
    def target(self) -> BookingTarget:
        """The booking target for this slot."""
        return BookingTarget(
            self.tenant_id, self.resource_id, self.start, self.duration, self.single_court
        )


def slots_from_availability(
    payload: object,
    club: Club,
    *,
    window: tuple[datetime, datetime] | None = None,
    sport_id: str = contract.DEFAULT_SPORT_ID,
) -> list[Slot]:
    """§4: one element per resource per UTC date; group, dedupe and join with the club's courts.

    Slots of courts the club does not list as usable are dropped (only when the club has courts).
    `window` keeps only starts inside [start, end] (the club-local day that was asked for).
    """
    entries = _capped(as_list(payload, "availability"), "availability entries")
    seen: set[tuple[str, datetime, int]] = set()
    slots: list[Slot] = []
    for raw in entries:
        if len(slots) >= contract.MAX_SLOTS_PER_ANSWER:
            _LOGGER.warning("Availability answer cut at %s slots", contract.MAX_SLOTS_PER_ANSWER)
            break
        entry = as_object(raw, "availability entry")
        resource_id = req_str(entry, "resource_id", "availability entry")
        day_text = req_str(entry, "start_date", "availability entry")
        try:
            day = date.fromisoformat(day_text[:10])
        except ValueError:
            raise malformed("availability entry.start_date") from None
        court = club.court(resource_id)
        if court is None and club.courts:
            continue
        raw_slots = as_list(entry.get("slots") or [], "availability slots")
        for raw_slot in raw_slots[: contract.MAX_SLOTS_PER_ANSWER - len(slots)]:
            slot_data = as_object(raw_slot, "availability slot")
            start_text = req_str(slot_data, "start_time", "availability slot")
            try:
                start = in_range(datetime.combine(day, time.fromisoformat(start_text), tzinfo=UTC))
            except ValueError:
                raise malformed("availability slot.start_time") from None
            duration = _minutes(
                req_int(slot_data, "duration", "availability slot"), "availability slot.duration"
            )
            if window is not None and not window[0] <= start <= window[1]:
                continue
            key = (resource_id, start, duration)
            if key in seen:
                continue
            seen.add(key)
            slots.append(
                Slot(
                    tenant_id=club.tenant_id,
                    resource_id=resource_id,
                    court_name=court.name if court else resource_id,
                    start=start,
                    duration=duration,
                    price=Money.parse(
                        slot_data.get("price"), default_currency=club.default_currency
                    ),
                    indoor=court.indoor if court else None,
                    single_court=court.single if court else False,
                    zone=club.zone,
                    sport_id=sport_id,
                )
            )
    slots.sort(key=lambda s: (s.start, s.resource_id, s.duration))
    return slots


@dataclass(frozen=True, slots=True)
class Profile:
    """The signed-in account (`GET /v2/users/me`, §11.4)."""

    user_id: str
    name: str | None = None

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """The profile answer; only the id is required."""
        data = as_object(payload, "profile")
        user_id = _id_text(data.get("user_id"))
        if user_id is None:
            raise malformed("profile.user_id")
        return cls(user_id=user_id, name=opt_str(data, "full_name", "profile"))


@dataclass(frozen=True, slots=True)
class Match:
    """An own booking (§6)."""

    match_id: str
    start: datetime  # UTC
    end: datetime  # UTC
    status: str | None = None
    owner_id: str | None = None
    sport_id: str | None = None
    tenant_id: str | None = None
    tenant_name: str | None = None
    timezone_name: str | None = None
    resource_id: str | None = None
    resource_name: str | None = None
    price: Money | None = None
    created_at: datetime | None = None
    # §11.3: every account the match names (owner, players, registrations).
    member_ids: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def duration(self) -> int:
        """Minutes from start to end."""
        return minutes_between(self.start, self.end)

    @property
    def is_inactive(self) -> bool:
        """§11.3: cancelled, rejected or expired; other unknown statuses count as a booking."""
        return contract.is_inactive_status(self.status)

    def belongs_to(self, user_id: str) -> bool:
        """§11.3: the account owns the match or plays in it (a server may ignore our filter)."""
        return user_id in self.member_ids

    def is_sport(self, sport_id: str) -> bool:
        """Whether the match is of `sport_id` (one without a sport counts as the default sport)."""
        return contract.same_sport(self.sport_id, sport_id)

    def matches_target(self, target: BookingTarget) -> bool:
        """§8 rule 2: same tenant, resource, start and duration."""
        return (
            self.tenant_id == target.tenant_id
            and self.resource_id == target.resource_id
            and self.start == target.start
            and self.duration == target.duration
        )

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """One match object; end_date may be missing when a duration is given."""
        data = as_object(payload, "match")
        start = _timestamp(data, "start_date", "match")
        end = _opt_timestamp(data, "end_date", "match")
        if end is None:
            duration = opt_int(data, "duration", "match")
            if duration is None:
                raise malformed("match.end_date")
            end = start + timedelta(minutes=_minutes(duration, "match.duration"))
        tenant = opt_object(data, "tenant", "match")
        address = opt_object(tenant, "address", "match.tenant")
        owner_id = _id_text(data.get("owner_id"))
        return cls(
            match_id=req_str(data, "match_id", "match"),
            start=start,
            end=end,
            status=opt_str(data, "status", "match"),
            owner_id=owner_id,
            sport_id=opt_str(data, "sport_id", "match"),
            tenant_id=opt_str(tenant, "tenant_id", "match.tenant")
            or opt_str(data, "tenant_id", "match"),
            tenant_name=opt_str(tenant, "tenant_name", "match.tenant"),
            timezone_name=opt_str(address, "timezone", "match.tenant.address"),
            resource_id=opt_str(data, "resource_id", "match"),
            resource_name=opt_str(data, "resource_name", "match"),
            price=Money.parse(data.get("price"), what="match.price"),
            created_at=_opt_timestamp(data, "created_at", "match"),
            member_ids=frozenset({owner_id} if owner_id else set()).union(
                _player_ids(data.get("teams")), _user_ids_in(data.get("registration_info"))
            ),
        )


def _id_text(value: object) -> str | None:
    """A user id as text (ids are opaque strings; a number is read as its digits)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def _player_ids(teams: object) -> set[str]:
    """§11.3: `teams[].players[].user_id`; anything of another shape names nobody."""
    found: set[str] = set()
    for team in teams if isinstance(teams, list) else []:
        players = team.get("players") if isinstance(team, Mapping) else None
        for player in players if isinstance(players, list) else []:
            if isinstance(player, Mapping) and (user := _id_text(player.get("user_id"))):
                found.add(user)
    return found


def _user_ids_in(value: object, depth: int = 0) -> set[str]:
    """§11.3: every `user_id` inside `registration_info` (its shape is not public)."""
    found: set[str] = set()
    if depth > 4:
        return found
    if isinstance(value, Mapping):
        if user := _id_text(value.get("user_id")):
            found.add(user)
        for item in value.values():
            found |= _user_ids_in(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            found |= _user_ids_in(item, depth + 1)
    return found


def matches_from_json(payload: object) -> list[Match]:
    """§6 DECISION: a bare array or {"content": [...]}."""
    items = unwrap_list(payload, contract.MATCH_LIST_KEYS, "matches")
    return [Match.from_json(item) for item in _capped(items, "matches")]


def _capped(items: Sequence[Any], what: str, limit: int = contract.MAX_LIST_ITEMS) -> Sequence[Any]:
    """The first `limit` items: a huge answer must not block the event loop while parsed."""
    if len(items) > limit:
        _LOGGER.warning("Playtomic sent %s %s; reading the first %s", len(items), what, limit)
        return items[:limit]
    return items


def clubs_from_json(payload: object, *, fallback_zone: tzinfo | None = None) -> list[Club]:
    """§3: a bare array or {"tenants": [...]}."""
    items = unwrap_list(payload, contract.TENANT_LIST_KEYS, "tenants")
    return [Club.from_json(item, fallback_zone=fallback_zone) for item in _capped(items, "clubs")]


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """One offered payment method (§5.1)."""

    payment_method_id: str
    method_type: str | None = None
    name: str | None = None
    amount: Money | None = None
    data: str | None = field(default=None, compare=False)  # raw `data` as JSON text

    balance: Money | None = None  # §11.5: a wallet's `data.balance`, when it shows one

    @property
    def label(self) -> str:
        """A human name for notifications."""
        return self.name or self.method_type or self.payment_method_id

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """One element of available_payment_methods."""
        data = as_object(payload, "payment method")
        raw = data.get("data")
        balance: Money | None = None
        if isinstance(raw, Mapping):
            try:
                balance = Money.parse(
                    raw.get(contract.WALLET_BALANCE_KEY), what="payment method.data.balance"
                )
            except PlaytomicApiError:
                balance = None  # an unreadable balance is an unknown one: the server decides
        return cls(
            payment_method_id=req_str(data, "payment_method_id", "payment method"),
            method_type=opt_str(data, "method_type", "payment method"),
            name=opt_str(data, "name", "payment method"),
            amount=Money.parse(data.get("amount"), what="payment method.amount"),
            data=None if raw is None else json.dumps(raw, sort_keys=True, default=str),
            balance=balance,
        )


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    """A payment intent as returned by create, PATCH, confirmation or GET (§5, §8)."""

    payment_intent_id: str
    status: str | None = None
    available_payment_methods: tuple[PaymentMethod, ...] = ()
    selected_payment_method_id: str | None = None
    next_payment_action: str | None = None
    action_url: str | None = None
    match_id: str | None = None
    price: Money | None = None

    @property
    def succeeded(self) -> bool:
        """§5.4: SUCCEEDED means booked."""
        return self.status == contract.INTENT_SUCCEEDED

    @property
    def requires_action(self) -> bool:
        """§5.3/§5.4: a next action or REQUIRES_PAYMENT_METHOD_ACTION cannot finish unattended."""
        return (
            self.next_payment_action is not None or self.status == contract.INTENT_REQUIRES_ACTION
        )

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """Any intent answer; unknown keys are ignored."""
        data = as_object(payload, "payment intent")
        methods = data.get("available_payment_methods")
        action = data.get("next_payment_action")
        if action is not None and not isinstance(action, str):
            action = json.dumps(action, sort_keys=True, default=str)
        url = dig(data, contract.ACTION_URL_PATH)
        match_id = dig(data, contract.MATCH_ID_PATH)
        if match_id is not None and not isinstance(match_id, str | int):
            raise malformed("payment intent match_id")
        try:
            price = Money.parse(data.get("price"), what="payment intent.price")
        except PlaytomicApiError:
            price = None  # only a fallback for the wallet check: unreadable means unknown
        return cls(
            payment_intent_id=req_str(data, "payment_intent_id", "payment intent"),
            status=opt_str(data, "status", "payment intent"),
            available_payment_methods=tuple(
                PaymentMethod.from_json(m)
                for m in (as_list(methods, "available_payment_methods") if methods else [])
            ),
            selected_payment_method_id=opt_str(
                data, "selected_payment_method_id", "payment intent"
            ),
            next_payment_action=action,
            action_url=url if isinstance(url, str) else None,
            match_id=None if match_id is None else str(match_id),
            price=price,
        )


@dataclass(frozen=True, slots=True)
class BookingResult:
    """Outcome of PlaytomicClient.book()."""

    target: BookingTarget
    payment_intent_id: str
    match_id: str | None
    payment_method: PaymentMethod | None = None
    category: str | None = None  # a PaymentCategory value
    dry_run: bool = False
    # §11.5: wallets passed over because their balance was below the price (their labels).
    skipped_wallets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServerTimeSample:
    """One probe of the server clock: local wall times around a request and its Date header."""

    sent_local: datetime
    received_local: datetime
    server_date: datetime | None

    @property
    def round_trip(self) -> timedelta:
        """Local time between send and receive."""
        return self.received_local - self.sent_local

    @property
    def offset(self) -> timedelta | None:
        """Estimated server-minus-local offset (Date has 1 s resolution, so +-0.5 s is added)."""
        if self.server_date is None:
            return None
        midpoint = self.sent_local + self.round_trip / 2
        return self.server_date + timedelta(milliseconds=500) - midpoint
