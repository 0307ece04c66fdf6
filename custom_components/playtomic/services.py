"""Actions: find_slots, book, cancel_booking, check_api.

Registered once in `async_setup`; each call names its account with `config_entry_id`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from datetime import date, datetime, time, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .api import Club, PlaytomicError, SlotFilter, best_slots, is_playtomic_id
from .api.contract import normalize_sport_id
from .api.daywindow import DayWindow
from .api_check import async_check_api
from .book_now import ExplicitTarget, async_book
from .cancelling import async_cancel_match
from .const import COURT_TYPES, DEFAULT_SPORT, DOMAIN, LOGGER
from .engine import BookingRule
from .engine.outcome import AttemptResult, Outcome
from .engine.reasons import Reason, reason_of
from .entity import rule_device_id
from .failures import client_error, reason_error, translating
from .notifications import notify_service_name
from .rule_entries import required_rule, rule_subentries, rules_of
from .runtime import PlaytomicConfigEntry
from .scheduler import SchedulerStoppedError
from .slot_view import slot_view
from .waiting import async_wait_until

SERVICE_FIND_SLOTS = "find_slots"
SERVICE_BOOK = "book"
SERVICE_CANCEL_BOOKING = "cancel_booking"
SERVICE_CHECK_API = "check_api"

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_DEVICE_ID = "device_id"
ATTR_TENANT_ID = "tenant_id"
ATTR_DATE = "date"
ATTR_END_DATE = "end_date"
ATTR_WINDOW_START = "window_start"
ATTR_WINDOW_END = "window_end"
ATTR_DURATION = "duration"
ATTR_COURT_TYPE = "court_type"
ATTR_SPORT = "sport"
ATTR_NOTIFY = "notify"
ATTR_RULE = "rule"
ATTR_AT = "at"
ATTR_DRY_RUN = "dry_run"
ATTR_MATCH_ID = "match_id"

# Dates an action may name: from yesterday (a club west of here may still be on it) to a year
# ahead; nothing bookable lies outside, and extreme dates would overflow the time conversions.
DATE_PAST = timedelta(days=1)
DATE_AHEAD = timedelta(days=366)
# docs/playtomic-api.md §8 rule 5: one request per club-day, so a search covers at most a week.
MAX_RANGE_DAYS = 7
# `book` with `at`: up to AT_INLINE_WAIT ahead the call waits and answers with the result;
# further ahead it arms a one-shot timer (the scheduler's, cancelled by an unload, forgotten by
# a restart) and answers at once with {"outcome": "scheduled", "at": ...}: the result then comes
# as the usual event, sensor state and notification. Further ahead than AT_MAX_AHEAD belongs in
# an automation (which survives a restart).
AT_INLINE_WAIT = timedelta(minutes=1)
AT_MAX_AHEAD = timedelta(days=1)

_DURATION = vol.All(vol.Coerce(int), vol.Range(min=30, max=300))
# The action's select offers lower-case values (translation keys); the API wants upper case.
_SPORT = vol.All(cv.string, normalize_sport_id)


def _notify_name(value: str) -> str:
    """`notify.mobile_app_x` or `mobile_app_x`: the service name, as a rule stores it."""
    name = notify_service_name(value)
    if not name:
        raise vol.Invalid("empty notify service")
    return name


FIND_SLOTS_SCHEMA = vol.Schema(
    {
        # The account, or a rule's device (which names its account too).
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_TENANT_ID): cv.string,
        vol.Optional(ATTR_DATE): cv.date,
        vol.Optional(ATTR_END_DATE): cv.date,
        vol.Optional(ATTR_WINDOW_START): cv.time,
        vol.Optional(ATTR_WINDOW_END): cv.time,
        vol.Optional(ATTR_DURATION): _DURATION,
        vol.Optional(ATTR_COURT_TYPE): vol.In(COURT_TYPES),
        vol.Optional(ATTR_SPORT): _SPORT,
    }
)

BOOK_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_RULE): cv.string,
        vol.Optional(ATTR_TENANT_ID): cv.string,
        vol.Optional(ATTR_DATE): cv.date,
        vol.Optional(ATTR_WINDOW_START): cv.time,
        vol.Optional(ATTR_WINDOW_END): cv.time,
        vol.Optional(ATTR_DURATION): _DURATION,
        vol.Optional(ATTR_COURT_TYPE): vol.In(COURT_TYPES),
        vol.Optional(ATTR_SPORT): _SPORT,
        vol.Optional(ATTR_NOTIFY): vol.All(cv.ensure_list, [vol.All(cv.string, _notify_name)]),
        vol.Optional(ATTR_AT): cv.datetime,
        vol.Optional(ATTR_DRY_RUN): cv.boolean,
    }
)

CANCEL_BOOKING_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_MATCH_ID): cv.string,
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _failed(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


# Action fields that go into request paths: checked before anything else (api/ids.py checks
# them again in the client, and encodes them).
_ID_FIELDS = (ATTR_TENANT_ID, ATTR_MATCH_ID)


def _check_input(call: ServiceCall) -> None:
    """Translated validation errors for ids not shaped like Playtomic ids and dates out of
    bounds, before anything else runs."""
    for key in _ID_FIELDS:
        if key in call.data and not is_playtomic_id(call.data[key]):
            raise _invalid("invalid_id", field=key)
    today = dt_util.now().date()
    first, last = today - DATE_PAST, today + DATE_AHEAD
    for key in (ATTR_DATE, ATTR_END_DATE):
        day: date | None = call.data.get(key)
        if day is not None and not first <= day <= last:
            raise _invalid("date_out_of_range", first=first.isoformat(), last=last.isoformat())
    at: datetime | None = call.data.get(ATTR_AT)
    if at is not None and not first <= at.date() <= last:
        raise _invalid("at_too_far")


@callback
def async_get_config_entry(hass: HomeAssistant, entry_id: str) -> PlaytomicConfigEntry:
    """A loaded Playtomic entry (`service.async_get_config_entry` is missing on HA 2026.2)."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _invalid("entry_not_found", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _invalid("entry_not_loaded", title=entry.title)
    return entry


def _account_and_rule(call: ServiceCall) -> tuple[PlaytomicConfigEntry, str | None]:
    """The account an action uses and the rule it names: `config_entry_id` (and `rule`), or
    the device of a rule (the device selector offers rule devices only)."""
    device_id: str | None = call.data.get(ATTR_DEVICE_ID)
    if device_id is None:
        if ATTR_CONFIG_ENTRY_ID not in call.data:
            raise _invalid("account_required")
        return async_get_config_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID]), call.data.get(
            ATTR_RULE
        )
    if ATTR_RULE in call.data:
        raise _invalid("rule_or_device")
    device = dr.async_get(call.hass).async_get(device_id)
    for entry_id in device.config_entries if device else ():
        entry = call.hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN or device is None:
            continue
        if call.data.get(ATTR_CONFIG_ENTRY_ID, entry_id) != entry_id:
            raise _invalid("device_other_account")
        for subentry_id in rule_subentries(entry):
            if rule_device_id(entry, subentry_id) in device.identifiers:
                return async_get_config_entry(call.hass, entry_id), subentry_id
    raise _invalid("device_not_rule", device_id=device_id)


async def _api[R](hass: HomeAssistant, entry: PlaytomicConfigEntry, call: Awaitable[R]) -> R:
    """Await a client call, turning its failure into a translated action error."""
    try:
        return await call
    except PlaytomicError as err:
        raise client_error(hass, entry, err) from err


def _default_tenant(entry: PlaytomicConfigEntry, tenant_id: str | None) -> str:
    if tenant_id:
        return tenant_id
    rules = rules_of(entry)
    if not rules:
        raise _invalid("club_required")
    return next(iter(rules.values())).tenant_id


async def _club(hass: HomeAssistant, entry: PlaytomicConfigEntry, tenant_id: str) -> Club:
    try:
        return await entry.runtime_data.availability.async_get_club(tenant_id)
    except PlaytomicError as err:
        if reason_of(err) is Reason.NOT_FOUND:
            raise _invalid("club_not_found", tenant_id=tenant_id) from err
        raise client_error(hass, entry, err) from err


def _day_range(call: ServiceCall, club: Club) -> list[date]:
    today = dt_util.utcnow().astimezone(club.zone).date()
    first: date = call.data.get(ATTR_DATE, today)
    last: date = call.data.get(ATTR_END_DATE, first)
    if last < first:
        raise _invalid("date_range_invalid")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise _invalid("date_range_too_long", max_days=str(MAX_RANGE_DAYS))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _check_window(start: time | None, end: time | None) -> None:
    if start is not None and end is not None and not DayWindow.valid(start, end):
        raise _invalid("window_invalid")


async def _async_find_slots(call: ServiceCall) -> ServiceResponse:
    _check_input(call)
    entry, rule_id = _account_and_rule(call)
    # A rule's device searches at the rule's club, for its sport, unless told otherwise.
    rule = required_rule(entry, rule_id) if rule_id else None
    client = entry.runtime_data.client
    window_start: time | None = call.data.get(ATTR_WINDOW_START)
    window_end: time | None = call.data.get(ATTR_WINDOW_END)
    _check_window(window_start, window_end)
    tenant_id = call.data.get(ATTR_TENANT_ID) or (rule.tenant_id if rule else None)
    club = await _club(call.hass, entry, _default_tenant(entry, tenant_id))
    days = _day_range(call, club)
    duration = call.data.get(ATTR_DURATION)
    flt = SlotFilter(
        window_start=window_start,
        window_end=window_end,
        durations=frozenset({duration}) if duration else None,
        court_type=call.data.get(ATTR_COURT_TYPE, "any"),
    )
    sport: str = call.data.get(ATTR_SPORT) or (rule.sport_id if rule else DEFAULT_SPORT)
    now = dt_util.utcnow()
    found: list[Any] = []
    for day in days:
        slots = await _api(call.hass, entry, client.get_availability(club, day, sport_id=sport))
        ranked = best_slots(slots, flt, club.zone, after=now)
        found.extend(
            {
                **slot_view(slot, club.zone),
                "club": club.name,
                "tenant_id": club.tenant_id,
                "resource_id": slot.resource_id,
                "indoor": slot.indoor,
                "start": slot.start.isoformat(),
                "local_end": slot.local_end(club.zone).isoformat(),
            }
            for slot in ranked
        )
    return {"slots": found}


def _explicit_target(call: ServiceCall, entry: PlaytomicConfigEntry) -> ExplicitTarget:
    missing = [
        key
        for key in (ATTR_DATE, ATTR_WINDOW_START, ATTR_WINDOW_END, ATTR_DURATION)
        if key not in call.data
    ]
    if missing:
        raise _invalid("target_incomplete", fields=", ".join(missing))
    _check_window(call.data[ATTR_WINDOW_START], call.data[ATTR_WINDOW_END])
    return ExplicitTarget(
        # Without a club: the club of the account's first rule, as find_slots.
        tenant_id=_default_tenant(entry, call.data.get(ATTR_TENANT_ID)),
        day=call.data[ATTR_DATE],
        window_start=call.data[ATTR_WINDOW_START],
        window_end=call.data[ATTR_WINDOW_END],
        duration=call.data[ATTR_DURATION],
        court_type=call.data.get(ATTR_COURT_TYPE, "any"),
        sport_id=call.data.get(ATTR_SPORT, DEFAULT_SPORT),
        notify=tuple(call.data.get(ATTR_NOTIFY, ())),
    )


async def _wait_while_loaded(
    hass: HomeAssistant, entry: PlaytomicConfigEntry, when: datetime
) -> None:
    """Unloading the entry ends the wait with an error instead of booking for a gone account."""
    if not await async_wait_until(hass, when, entry=entry):
        raise _failed("entry_not_loaded", title=entry.title)


async def _async_book(call: ServiceCall) -> ServiceResponse:
    _check_input(call)
    hass = call.hass
    entry, rule_id = _account_and_rule(call)
    target: ExplicitTarget | None = None
    rule: BookingRule | None = None
    if rule_id is not None:
        if any(key in call.data for key in (ATTR_TENANT_ID, ATTR_DATE)):
            raise _invalid("rule_or_target")
        if ATTR_NOTIFY in call.data:
            # The rule's own Notify setting decides; two places to say it would disagree.
            raise _invalid("notify_with_rule")
        rule = required_rule(entry, rule_id)
    else:
        target = _explicit_target(call, entry)

    dry_run: bool | None = call.data.get(ATTR_DRY_RUN)
    at: datetime | None = call.data.get(ATTR_AT)
    scheduler = entry.runtime_data.scheduler
    if at is not None:
        when = dt_util.as_utc(
            at if at.tzinfo else at.replace(tzinfo=dt_util.get_default_time_zone())
        )
        ahead = when - dt_util.utcnow()
        if ahead > AT_MAX_AHEAD:
            raise _invalid("at_too_far")
        if scheduler is None and ahead > timedelta(0):
            # Only while the entry is still setting up: nothing could own the timer yet.
            raise _failed("entry_not_loaded", title=entry.title)
        if (
            scheduler is not None
            and rule is not None
            and ahead > timedelta(0)
            and dry_run is not None
            and scheduler.fixed_dry_run(rule, when) not in (None, dry_run)
        ):
            # The action would join that release: it may not turn a real one into a dry run.
            raise _invalid("at_dry_run_fixed")
        if scheduler is not None and ahead > AT_INLINE_WAIT:
            if rule is not None:
                # A rule at a future instant is a release: the scheduler's precise routine.
                scheduler.async_run_later(rule, when, dry_run=dry_run)
            else:
                scheduler.async_call_later(
                    when,
                    lambda: _async_book_later(hass, entry, target, dry_run),
                    f"{DOMAIN} book at {when.isoformat()}",
                )
            return (
                {"outcome": "scheduled", "at": when.isoformat()} if call.return_response else None
            )
        if scheduler is not None and rule is not None and ahead > timedelta(0):
            try:
                result = await scheduler.async_run_at(rule, when, dry_run=dry_run)
            except SchedulerStoppedError as err:
                raise _failed("entry_not_loaded", title=entry.title) from err
            return _book_response(call, result)
        if ahead > timedelta(0):
            await _wait_while_loaded(hass, entry, when)

    result = await async_book(hass, entry, rule_id=rule_id, target=target, dry_run=dry_run)
    return _book_response(call, result)


async def _async_book_later(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    target: ExplicitTarget | None,
    dry_run: bool | None,
) -> None:
    """A `book` armed for a far `at`: nobody awaits the call any more, so what would have been
    the action's error is logged; the result itself is reported by `async_book`."""
    try:
        await async_book(hass, entry, target=target, dry_run=dry_run)
    except HomeAssistantError as err:
        LOGGER.warning("The booking armed for later could not run: %s", err)


def _book_response(call: ServiceCall, result: AttemptResult) -> ServiceResponse:
    """The result for the caller; an API failure is an error, not a response."""
    if result.outcome is Outcome.FAILED:
        raise reason_error(result.reason or Reason.UNKNOWN_ERROR)
    return result.as_dict() if call.return_response else None


async def _async_cancel_booking(call: ServiceCall) -> ServiceResponse:
    _check_input(call)
    entry = async_get_config_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    await async_cancel_match(call.hass, entry, call.data[ATTR_MATCH_ID])
    return None


def _translated(
    handler: Callable[[ServiceCall], Awaitable[ServiceResponse]],
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    """The handler, with any unforeseen error turned into the translated `internal_error`."""

    async def run(call: ServiceCall) -> ServiceResponse:
        return await translating(handler(call), f"Action {DOMAIN}.{call.service}")

    return run


CHECK_API_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_TENANT_ID): cv.string,
    }
)


async def _async_check_api(call: ServiceCall) -> ServiceResponse:
    """Read each endpoint once and say whether its answer had the expected shape.

    API failures are part of the report, not errors of the action: the report is the point.
    """
    _check_input(call)
    entry = async_get_config_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    report = await async_check_api(call.hass, entry, call.data.get(ATTR_TENANT_ID))
    return report.as_dict()


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_FIND_SLOTS,
        _translated(_async_find_slots),
        schema=FIND_SLOTS_SCHEMA,  # type: ignore[arg-type]  # probatio types on 2026.3+
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_BOOK,
        _translated(_async_book),
        schema=BOOK_SCHEMA,  # type: ignore[arg-type]
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CANCEL_BOOKING,
        _translated(_async_cancel_booking),
        schema=CANCEL_BOOKING_SCHEMA,  # type: ignore[arg-type]
        supports_response=SupportsResponse.NONE,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CHECK_API,
        _translated(_async_check_api),
        schema=CHECK_API_SCHEMA,  # type: ignore[arg-type]
        supports_response=SupportsResponse.ONLY,
    )
