"""Forms, defaults and validation of the club search and booking-rule steps.

The account config flow and the booking-rule subentry flow show the same three forms; building
them here keeps both flows identical and lets each be tested without Home Assistant's flow engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import time
import math
from typing import TYPE_CHECKING, Any

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TimeSelector,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import (
    CONF_AUTO_BOOK,
    CONF_CLUB_NAME,
    CONF_CLUB_TIMEZONE,
    CONF_COURT_TYPE,
    CONF_COURTS,
    CONF_DAYS_AHEAD,
    CONF_DURATION,
    CONF_NAME,
    CONF_NOTIFY,
    CONF_PREFERRED_START,
    CONF_QUERY,
    CONF_RELEASE_MODEL,
    CONF_RELEASE_TIME,
    CONF_ROLLING_MINUTES,
    CONF_SPORT,
    CONF_TENANT_ID,
    CONF_WATCH,
    CONF_WATCH_CUTOFF_HOURS,
    CONF_WATCH_OPEN_DATES,
    CONF_WEEKDAYS,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    COURT_TYPES,
    DEFAULT_COURT_TYPE,
    DEFAULT_DAYS_AHEAD,
    DEFAULT_DURATION,
    DEFAULT_RELEASE_TIME,
    DEFAULT_ROLLING_MINUTES,
    DEFAULT_SPORT,
    DEFAULT_WATCH_CUTOFF_HOURS,
    DEFAULT_WEEKDAYS,
    DEFAULT_WINDOW_END,
    DEFAULT_WINDOW_START,
    FALLBACK_DURATIONS,
    MAX_DAYS_AHEAD,
    MAX_OPTION_HOURS,
    MAX_ROLLING_MINUTES,
    RELEASE_DAILY_DROP,
    RELEASE_ROLLING,
    ROLLING_GUESS_MAX_MINUTES,
    SPORTS,
    WEEKDAYS,
)

if TYPE_CHECKING:
    from .api import Club

MINUTES_PER_DAY = 1440
# The notify domain's entity action needs an entity target, so it cannot serve as a rule target.
NOTIFY_ENTITY_ACTION = "send_message"
NOTIFY_PREFIX = "notify."
EARTH_RADIUS_KM = 6371.0


# Club search -----------------------------------------------------------------------------------


def club_search_schema() -> vol.Schema:
    """Form of the `club` step: an optional name and the sport."""
    return vol.Schema(
        {
            vol.Optional(CONF_QUERY): TextSelector(),
            # Option values are translation keys, which must be lower case; the flow upper-cases
            # the choice into the API's sport id. Other sport ids can be typed in.
            vol.Required(CONF_SPORT, default=DEFAULT_SPORT.lower()): SelectSelector(
                SelectSelectorConfig(
                    options=[sport.lower() for sport in SPORTS],
                    translation_key=CONF_SPORT,
                    mode=SelectSelectorMode.DROPDOWN,
                    custom_value=True,
                )
            ),
        }
    )


def distance_km(origin: tuple[float, float], club: Club) -> float:
    """Great-circle distance from `origin` to the club; clubs without coordinates sort last."""
    if club.latitude is None or club.longitude is None:
        return math.inf
    lat1, lon1 = map(math.radians, origin)
    lat2, lon2 = math.radians(club.latitude), math.radians(club.longitude)
    hav = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(hav))


def nearest_first(clubs: Iterable[Club], origin: tuple[float, float]) -> list[Club]:
    """Clubs ordered by distance from `origin`; the sort is stable, so ties keep the API order."""
    return sorted(clubs, key=lambda club: distance_km(origin, club))


def club_label(club: Club) -> str:
    """How a club appears in the select: "Name (Town)"."""
    return f"{club.name} ({club.city})" if club.city else club.name


def club_select_schema(clubs: Sequence[Club]) -> vol.Schema:
    """Form of the `club_select` step: one choice among the clubs found, in the given order."""
    options = [SelectOptionDict(value=club.tenant_id, label=club_label(club)) for club in clubs]
    return vol.Schema(
        {
            vol.Required(CONF_TENANT_ID, default=clubs[0].tenant_id): SelectSelector(
                SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
            )
        }
    )


# Defaults derived from the club ---------------------------------------------------------------


def club_timezone(club: Club) -> str:
    """IANA name of the club's zone (the API's address.timezone, else the fallback the client used)."""
    return club.timezone_name or club.zone.key


def club_durations(club: Club) -> list[int]:
    """Every duration some court of the club accepts (minutes, ascending)."""
    durations = {minutes for court in club.courts for minutes in court.durations}
    return sorted(durations) or list(FALLBACK_DURATIONS)


def default_duration(durations: Sequence[int]) -> int:
    """90 minutes when the club allows it, else the nearest allowed value (the shorter on a tie)."""
    return min(durations, key=lambda minutes: (abs(minutes - DEFAULT_DURATION), minutes))


def release_defaults(club: Club) -> dict[str, Any]:
    """Release model, days ahead and rolling minutes guessed from `booking_ahead_limit`.

    The API never says how slots open (contract §7); the limit is read as minutes. A whole number
    of days beyond a few days is the usual daily drop ("14 days ahead at 08:30"); a short or
    uneven horizon is a rolling window ("48 h = 2880 minutes").
    """
    limit = club.booking_ahead_limit
    if not limit or limit <= 0:
        return {
            CONF_RELEASE_MODEL: RELEASE_DAILY_DROP,
            CONF_DAYS_AHEAD: DEFAULT_DAYS_AHEAD,
            CONF_ROLLING_MINUTES: DEFAULT_ROLLING_MINUTES,
        }
    rolling = limit % MINUTES_PER_DAY != 0 or limit <= ROLLING_GUESS_MAX_MINUTES
    return {
        CONF_RELEASE_MODEL: RELEASE_ROLLING if rolling else RELEASE_DAILY_DROP,
        CONF_DAYS_AHEAD: max(1, limit // MINUTES_PER_DAY),
        CONF_ROLLING_MINUTES: limit,
    }


def rule_defaults(club: Club) -> dict[str, Any]:
    """Form defaults for a new rule at `club`: the common case (weekday evenings, 90 min)."""
    return {
        CONF_NAME: club.name,
        CONF_WEEKDAYS: list(DEFAULT_WEEKDAYS),
        CONF_WINDOW_START: DEFAULT_WINDOW_START,
        CONF_WINDOW_END: DEFAULT_WINDOW_END,
        CONF_DURATION: default_duration(club_durations(club)),
        CONF_COURTS: [],
        CONF_COURT_TYPE: DEFAULT_COURT_TYPE,
        CONF_RELEASE_TIME: DEFAULT_RELEASE_TIME,
        CONF_AUTO_BOOK: True,
        CONF_NOTIFY: [],
        CONF_WATCH: True,
        CONF_WATCH_OPEN_DATES: False,
        CONF_WATCH_CUTOFF_HOURS: DEFAULT_WATCH_CUTOFF_HOURS,
        **release_defaults(club),
    }


# The rule form ----------------------------------------------------------------------------------


def _number(maximum: int, minimum: int = 1) -> NumberSelector:
    # The minimum of 1 is the "positive days/minutes" validation: vol rejects 0 and below.
    return NumberSelector(
        NumberSelectorConfig(min=minimum, max=maximum, step=1, mode=NumberSelectorMode.BOX)
    )


def rule_schema(
    club: Club, notify_services: Iterable[str], sport: str = DEFAULT_SPORT
) -> vol.Schema:
    """Form of the `rule` step for `club`, with defaults that fit the club's `sport` courts.

    Values stored as numbers are offered as strings because select options are strings;
    `rule_data` turns them back.
    """
    # The rule never books a court of another sport, so neither it nor its durations are offered.
    club = club.with_courts(tuple(court for court in club.courts if court.offers(sport)))
    defaults = rule_defaults(club)
    durations = club_durations(club)
    court_options = [
        SelectOptionDict(value=court.resource_id, label=court.name) for court in club.courts
    ]
    return vol.Schema(
        {
            vol.Required(CONF_NAME, default=defaults[CONF_NAME]): TextSelector(),
            vol.Required(CONF_WEEKDAYS, default=defaults[CONF_WEEKDAYS]): SelectSelector(
                SelectSelectorConfig(
                    options=list(WEEKDAYS),
                    translation_key=CONF_WEEKDAYS,
                    multiple=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_WINDOW_START, default=defaults[CONF_WINDOW_START]): TimeSelector(),
            vol.Required(CONF_WINDOW_END, default=defaults[CONF_WINDOW_END]): TimeSelector(),
            vol.Required(CONF_DURATION, default=str(defaults[CONF_DURATION])): SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=str(minutes), label=f"{minutes} min")
                        for minutes in durations
                    ],
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Optional(CONF_PREFERRED_START): TimeSelector(),
            vol.Optional(CONF_COURTS, default=defaults[CONF_COURTS]): SelectSelector(
                SelectSelectorConfig(
                    options=court_options, multiple=True, mode=SelectSelectorMode.DROPDOWN
                )
            ),
            vol.Required(CONF_COURT_TYPE, default=defaults[CONF_COURT_TYPE]): SelectSelector(
                SelectSelectorConfig(
                    options=list(COURT_TYPES),
                    translation_key=CONF_COURT_TYPE,
                    mode=SelectSelectorMode.LIST,
                )
            ),
            vol.Required(CONF_RELEASE_MODEL, default=defaults[CONF_RELEASE_MODEL]): SelectSelector(
                SelectSelectorConfig(
                    options=[RELEASE_DAILY_DROP, RELEASE_ROLLING],
                    translation_key=CONF_RELEASE_MODEL,
                    mode=SelectSelectorMode.LIST,
                )
            ),
            vol.Required(CONF_DAYS_AHEAD, default=defaults[CONF_DAYS_AHEAD]): _number(
                MAX_DAYS_AHEAD
            ),
            vol.Required(CONF_RELEASE_TIME, default=defaults[CONF_RELEASE_TIME]): TimeSelector(),
            vol.Required(CONF_ROLLING_MINUTES, default=defaults[CONF_ROLLING_MINUTES]): _number(
                MAX_ROLLING_MINUTES
            ),
            vol.Required(CONF_AUTO_BOOK, default=defaults[CONF_AUTO_BOOK]): BooleanSelector(),
            vol.Optional(CONF_NOTIFY, default=defaults[CONF_NOTIFY]): SelectSelector(
                SelectSelectorConfig(
                    options=sorted(notify_targets(notify_services)),
                    custom_value=True,
                    multiple=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_WATCH, default=defaults[CONF_WATCH]): BooleanSelector(),
            vol.Required(
                CONF_WATCH_OPEN_DATES, default=defaults[CONF_WATCH_OPEN_DATES]
            ): BooleanSelector(),
            vol.Required(
                CONF_WATCH_CUTOFF_HOURS, default=defaults[CONF_WATCH_CUTOFF_HOURS]
            ): _number(MAX_OPTION_HOURS, minimum=0),
        }
    )


def notify_targets(services: Iterable[str]) -> set[str]:
    """Notify services a rule can address by name (`mobile_app_alice_phone`, ...)."""
    return {service for service in services if service != NOTIFY_ENTITY_ACTION}


def _minutes(value: str) -> int:
    parsed = _parse_time(value)
    return parsed.hour * 60 + parsed.minute


def _parse_time(value: str) -> time:
    parsed = dt_util.parse_time(value)
    if parsed is None:  # the TimeSelector has validated the text already
        raise vol.Invalid(f"invalid time {value!r}")
    return parsed


def _time_text(value: str) -> str:
    return _parse_time(value).replace(microsecond=0).isoformat()


def validate_rule(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Errors of the rule form that the selectors cannot express (field name -> error key)."""
    errors: dict[str, str] = {}
    if not user_input.get(CONF_WEEKDAYS):
        errors[CONF_WEEKDAYS] = "no_weekdays"
    start = _minutes(user_input[CONF_WINDOW_START])
    end = _minutes(user_input[CONF_WINDOW_END])
    if end <= start or end - start < int(user_input[CONF_DURATION]):
        errors[CONF_WINDOW_END] = "invalid_window"
    return errors


def _notify_names(values: Iterable[str]) -> list[str]:
    """Service names without the `notify.` prefix users tend to type; order kept, no repeats."""
    names: list[str] = []
    for value in values:
        name = value.strip().removeprefix(NOTIFY_PREFIX).strip()
        if name and name not in names:
            names.append(name)
    return names


def rule_data(
    user_input: Mapping[str, Any], *, tenant_id: str, club_name: str, club_timezone: str
) -> dict[str, Any]:
    """The subentry data of a validated rule form (docs/architecture.md, "Integration data")."""
    preferred = user_input.get(CONF_PREFERRED_START)
    return {
        CONF_TENANT_ID: tenant_id,
        CONF_CLUB_NAME: club_name,
        CONF_CLUB_TIMEZONE: club_timezone,
        CONF_NAME: user_input[CONF_NAME].strip(),
        # Stored in calendar order whatever order the user ticked them in.
        CONF_WEEKDAYS: [day for day in WEEKDAYS if day in user_input[CONF_WEEKDAYS]],
        CONF_WINDOW_START: _time_text(user_input[CONF_WINDOW_START]),
        CONF_WINDOW_END: _time_text(user_input[CONF_WINDOW_END]),
        CONF_DURATION: int(user_input[CONF_DURATION]),
        CONF_PREFERRED_START: _time_text(preferred) if preferred else None,
        CONF_COURTS: list(dict.fromkeys(user_input.get(CONF_COURTS, []))),
        CONF_COURT_TYPE: user_input[CONF_COURT_TYPE],
        CONF_RELEASE_MODEL: user_input[CONF_RELEASE_MODEL],
        CONF_DAYS_AHEAD: int(user_input[CONF_DAYS_AHEAD]),
        CONF_RELEASE_TIME: _time_text(user_input[CONF_RELEASE_TIME]),
        CONF_ROLLING_MINUTES: int(user_input[CONF_ROLLING_MINUTES]),
        CONF_AUTO_BOOK: bool(user_input[CONF_AUTO_BOOK]),
        CONF_NOTIFY: _notify_names(user_input.get(CONF_NOTIFY, [])),
        CONF_WATCH: bool(user_input.get(CONF_WATCH, True)),
        CONF_WATCH_OPEN_DATES: bool(user_input.get(CONF_WATCH_OPEN_DATES, False)),
        CONF_WATCH_CUTOFF_HOURS: int(
            user_input.get(CONF_WATCH_CUTOFF_HOURS, DEFAULT_WATCH_CUTOFF_HOURS)
        ),
    }


def rule_form_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """A stored rule as form values (to prefill the reconfigure form); unset fields are left out."""
    values = {
        key: value
        for key, value in data.items()
        if value is not None and key not in (CONF_TENANT_ID, CONF_CLUB_NAME, CONF_CLUB_TIMEZONE)
    }
    if CONF_DURATION in values:
        values[CONF_DURATION] = str(values[CONF_DURATION])
    return values
