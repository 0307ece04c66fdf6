"""Forms, defaults and validation of the club search and booking-rule steps.

The account config flow and the booking-rule subentry flow show the same three forms; building
them here keeps both flows identical and lets each be tested without Home Assistant's flow engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import time
import math
from typing import TYPE_CHECKING, Any, cast

from homeassistant.data_entry_flow import section
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
    TimeSelectorConfig,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .api.contract import normalize_sport_id
from .api.daywindow import DayWindow
from .const import (
    CONF_AUTO_BOOK,
    CONF_CLUB_NAME,
    CONF_CLUB_TIMEZONE,
    CONF_COURT_SIZE,
    CONF_COURT_TYPE,
    CONF_COURTS,
    CONF_DAYS_AHEAD,
    CONF_DURATION,
    CONF_NAME,
    CONF_NOTIFY,
    CONF_ONLY_COURTS,
    CONF_PREFERRED_START,
    CONF_QUERY,
    CONF_RELEASE_MODEL,
    CONF_RELEASE_TIME,
    CONF_REMINDER_HOURS,
    CONF_ROLLING_MINUTES,
    CONF_SPORT,
    CONF_TENANT_ID,
    CONF_WATCH,
    CONF_WATCH_CUTOFF_HOURS,
    CONF_WATCH_OPEN_DATES,
    CONF_WEEKDAYS,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    COURT_SIZES,
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
    MAX_NAME_LENGTH,
    MAX_OPTION_HOURS,
    MAX_ROLLING_MINUTES,
    RELEASE_DAILY_DROP,
    RELEASE_ROLLING,
    ROLLING_GUESS_MAX_MINUTES,
    SPORTS,
    STORED_COURT_SIZE,
    STORED_ONLY_COURTS,
    WEEKDAYS,
)
from .notifications import notify_service_name

if TYPE_CHECKING:
    from .api import Club

MINUTES_PER_DAY = 1440
# The notify domain's entity action needs an entity target, so it cannot serve as a rule target.
NOTIFY_ENTITY_ACTION = "send_message"
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

    The API never says how slots open (docs/playtomic-api.md §7); the limit is read as minutes. A whole number
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


def rule_defaults(
    club: Club, sport: str = DEFAULT_SPORT, release: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Form defaults for a new rule at `club`: the common case (weekday evenings, 90 min).

    `release` (another rule's release fields at the same club) replaces the guess from the
    club's booking limit: the club opens its slots the same way for every rule.
    """
    return {
        CONF_NAME: club.name,
        CONF_WEEKDAYS: list(DEFAULT_WEEKDAYS),
        CONF_WINDOW_START: DEFAULT_WINDOW_START,
        CONF_WINDOW_END: DEFAULT_WINDOW_END,
        CONF_DURATION: default_duration(club_durations(club)),
        CONF_COURTS: [],
        CONF_ONLY_COURTS: False,
        CONF_COURT_SIZE: default_court_size(club, sport),
        CONF_COURT_TYPE: DEFAULT_COURT_TYPE,
        CONF_RELEASE_TIME: DEFAULT_RELEASE_TIME,
        CONF_AUTO_BOOK: True,
        CONF_NOTIFY: [],
        CONF_WATCH: True,
        CONF_WATCH_OPEN_DATES: False,
        CONF_WATCH_CUTOFF_HOURS: DEFAULT_WATCH_CUTOFF_HOURS,
        CONF_REMINDER_HOURS: 0,
        **release_defaults(club),
        **{key: value for key, value in (release or {}).items() if key in RELEASE_FIELDS},
    }


def default_court_size(club: Club, sport: str) -> str:
    """Doubles for padel (a group of four) when the club has such courts; else any size."""
    if normalize_sport_id(sport) == DEFAULT_SPORT and any(not c.single for c in club.courts):
        return "doubles"
    return "any"


def release_settings(rules: Iterable[Mapping[str, Any]], tenant_id: str) -> dict[str, Any] | None:
    """The release fields of the first stored rule at `tenant_id`, if there is one."""
    for data in rules:
        if data.get(CONF_TENANT_ID) == tenant_id:
            return {key: data[key] for key in RELEASE_FIELDS if data.get(key) is not None}
    return None


# The rule form ----------------------------------------------------------------------------------

# The form's sections and the fields each holds, in display order; the name stays on top. The
# release fields are grouped by model: the model first, then the daily drop's, then rolling's.
SECTION_WHEN = "when"
SECTION_RELEASE = "release"
SECTION_BOOKING = "booking"
RELEASE_FIELDS = (CONF_RELEASE_MODEL, CONF_DAYS_AHEAD, CONF_RELEASE_TIME, CONF_ROLLING_MINUTES)
RULE_SECTIONS: dict[str, tuple[str, ...]] = {
    SECTION_WHEN: (
        CONF_WEEKDAYS,
        CONF_WINDOW_START,
        CONF_WINDOW_END,
        CONF_DURATION,
        CONF_PREFERRED_START,
        CONF_COURTS,
        CONF_ONLY_COURTS,
        CONF_COURT_SIZE,
        CONF_COURT_TYPE,
    ),
    SECTION_RELEASE: RELEASE_FIELDS,
    SECTION_BOOKING: (
        CONF_AUTO_BOOK,
        CONF_NOTIFY,
        CONF_WATCH,
        CONF_WATCH_OPEN_DATES,
        CONF_WATCH_CUTOFF_HOURS,
        CONF_REMINDER_HOURS,
    ),
}
_SECTION_OF = {field: name for name, fields in RULE_SECTIONS.items() for field in fields}


class ClockTimeSelector(TimeSelector):
    """A time selector without seconds: rules work in whole minutes.

    The frontend honours `no_second`, but the backend's TimeSelector config schema of the
    supported Home Assistant versions does not accept it, so it is added when serialising.
    """

    def serialize(self) -> dict[str, dict[str, TimeSelectorConfig]]:
        """The selector as the frontend reads it."""
        return {"selector": {self.selector_type: cast(TimeSelectorConfig, {"no_second": True})}}


def _number(maximum: int, minimum: int = 1) -> NumberSelector:
    # The minimum of 1 is the "positive days/minutes" validation: vol rejects 0 and below.
    return NumberSelector(
        NumberSelectorConfig(min=minimum, max=maximum, step=1, mode=NumberSelectorMode.BOX)
    )


def _choice(options: Sequence[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=list(options), translation_key=key, mode=SelectSelectorMode.LIST
        )
    )


def rule_schema(
    club: Club,
    notify_services: Iterable[str],
    sport: str = DEFAULT_SPORT,
    release: Mapping[str, Any] | None = None,
) -> vol.Schema:
    """Form of the `rule` step for `club`, with defaults that fit the club's `sport` courts.

    Values stored as numbers are offered as strings because select options are strings;
    `rule_data` turns them back.
    """
    # The rule never books a court of another sport, so neither it nor its durations are offered.
    club = club.with_courts(tuple(court for court in club.courts if court.offers(sport)))
    defaults = rule_defaults(club, sport, release)
    durations = club_durations(club)
    court_options = [
        SelectOptionDict(value=court.resource_id, label=court.name) for court in club.courts
    ]
    when = {
        # A list of checkboxes: several days in one go, in calendar order.
        vol.Required(CONF_WEEKDAYS, default=defaults[CONF_WEEKDAYS]): SelectSelector(
            SelectSelectorConfig(
                options=list(WEEKDAYS),
                translation_key=CONF_WEEKDAYS,
                multiple=True,
                mode=SelectSelectorMode.LIST,
            )
        ),
        vol.Required(CONF_WINDOW_START, default=defaults[CONF_WINDOW_START]): ClockTimeSelector(),
        vol.Required(CONF_WINDOW_END, default=defaults[CONF_WINDOW_END]): ClockTimeSelector(),
        vol.Required(CONF_DURATION, default=str(defaults[CONF_DURATION])): SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=str(minutes), label=f"{minutes} min")
                    for minutes in durations
                ],
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
        vol.Optional(CONF_PREFERRED_START): ClockTimeSelector(),
        # A dropdown keeps the order in which courts were picked: the order of preference.
        vol.Optional(CONF_COURTS, default=defaults[CONF_COURTS]): SelectSelector(
            SelectSelectorConfig(
                options=court_options, multiple=True, mode=SelectSelectorMode.DROPDOWN
            )
        ),
        vol.Required(CONF_ONLY_COURTS, default=defaults[CONF_ONLY_COURTS]): BooleanSelector(),
        vol.Required(CONF_COURT_SIZE, default=defaults[CONF_COURT_SIZE]): _choice(
            COURT_SIZES, CONF_COURT_SIZE
        ),
        vol.Required(CONF_COURT_TYPE, default=defaults[CONF_COURT_TYPE]): _choice(
            COURT_TYPES, CONF_COURT_TYPE
        ),
    }
    release_fields = {
        vol.Required(CONF_RELEASE_MODEL, default=defaults[CONF_RELEASE_MODEL]): _choice(
            (RELEASE_DAILY_DROP, RELEASE_ROLLING), CONF_RELEASE_MODEL
        ),
        vol.Required(CONF_DAYS_AHEAD, default=defaults[CONF_DAYS_AHEAD]): _number(MAX_DAYS_AHEAD),
        vol.Required(CONF_RELEASE_TIME, default=defaults[CONF_RELEASE_TIME]): ClockTimeSelector(),
        vol.Required(CONF_ROLLING_MINUTES, default=defaults[CONF_ROLLING_MINUTES]): _number(
            MAX_ROLLING_MINUTES
        ),
    }
    booking = {
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
        vol.Required(CONF_WATCH_CUTOFF_HOURS, default=defaults[CONF_WATCH_CUTOFF_HOURS]): _number(
            MAX_OPTION_HOURS, minimum=0
        ),
        # 0 = no reminder.
        vol.Required(CONF_REMINDER_HOURS, default=defaults[CONF_REMINDER_HOURS]): _number(
            MAX_OPTION_HOURS, minimum=0
        ),
    }
    form: dict[vol.Marker, Any] = {
        vol.Required(CONF_NAME, default=defaults[CONF_NAME]): TextSelector(),
        **{
            # Optional without a default: the frontend fills a section from its fields'
            # defaults only when the section itself has none. `rule_values` fills a
            # section a submission leaves out. probatio-typed on 2026.3+ (see form_schema).
            vol.Optional(name): section(
                vol.Schema(fields),  # type: ignore[arg-type]
                {"collapsed": False},
            )
            for name, fields in (
                (SECTION_WHEN, when),
                (SECTION_RELEASE, release_fields),
                (SECTION_BOOKING, booking),
            )
        },
    }
    return vol.Schema(form)


def rule_values(schema: vol.Schema, user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted rule form, flat: a section left out (the REST API) takes its defaults."""
    complete = schema({**{name: {} for name in RULE_SECTIONS}, **user_input})
    flat: dict[str, Any] = {}
    for key, value in complete.items():
        if key in RULE_SECTIONS and isinstance(value, Mapping):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def sectioned(values: Mapping[str, Any]) -> dict[str, Any]:
    """Flat rule values (stored data, a flattened form) nested into the form's sections."""
    nested: dict[str, Any] = {name: {} for name in RULE_SECTIONS}
    for key, value in values.items():
        if key in _SECTION_OF:
            nested[_SECTION_OF[key]][key] = value
        else:
            nested[key] = value
    return nested


def form_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """Field errors keyed by the section showing them (the frontend shows a section's error
    above it, not under a field inside it); the first error of a section wins."""
    shown: dict[str, str] = {}
    for field, key in errors.items():
        shown.setdefault(_SECTION_OF.get(field, field), key)
    return shown


def notify_targets(services: Iterable[str]) -> set[str]:
    """Notify services a rule can address by name (`mobile_app_alice_phone`, ...)."""
    return {service for service in services if service != NOTIFY_ENTITY_ACTION}


def _parse_time(value: str) -> time:
    parsed = dt_util.parse_time(value)
    if parsed is None:  # the TimeSelector has validated the text already
        raise vol.Invalid(f"invalid time {value!r}")
    return parsed


def _time_text(value: str) -> str:
    return _parse_time(value).replace(microsecond=0).isoformat()


def validate_rule(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Errors of the (flattened) rule form that the selectors cannot express (field -> key)."""
    errors: dict[str, str] = {}
    name = str(user_input.get(CONF_NAME) or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        errors[CONF_NAME] = "invalid_name"
    if not user_input.get(CONF_WEEKDAYS):
        errors[CONF_WEEKDAYS] = "no_weekdays"
    start = _parse_time(user_input[CONF_WINDOW_START])
    end = _parse_time(user_input[CONF_WINDOW_END])
    duration = int(user_input[CONF_DURATION])
    if not DayWindow.valid(start, end) or not DayWindow(start, end).longer_than(duration):
        errors[CONF_WINDOW_END] = "invalid_window"
    # A preferred start whose slot does not fit the window could never be booked.
    elif (preferred := user_input.get(CONF_PREFERRED_START)) and not DayWindow(start, end).fits(
        _parse_time(preferred), duration
    ):
        errors[CONF_PREFERRED_START] = "preferred_outside_window"
    return errors


def _notify_names(values: Iterable[str]) -> list[str]:
    """Service names without the `notify.` prefix users tend to type; order kept, no repeats."""
    names: list[str] = []
    for value in values:
        name = notify_service_name(value)
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
        CONF_ONLY_COURTS: bool(user_input[CONF_ONLY_COURTS]),
        CONF_COURT_SIZE: user_input[CONF_COURT_SIZE],
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
        CONF_REMINDER_HOURS: int(user_input.get(CONF_REMINDER_HOURS, 0)),
    }


def rule_form_values(data: Mapping[str, Any], title: str | None = None) -> dict[str, Any]:
    """A stored rule as (sectioned) form values to prefill the reconfigure form.

    Unset fields are left out. `title` is the subentry's title, which Home Assistant's Rename
    changes without touching the data: the form shows the name the user sees.
    """
    values = {
        key: value
        for key, value in data.items()
        if value is not None and key not in (CONF_TENANT_ID, CONF_CLUB_NAME, CONF_CLUB_TIMEZONE)
    }
    if title:
        values[CONF_NAME] = title
    if CONF_DURATION in values:
        values[CONF_DURATION] = str(values[CONF_DURATION])
    # Rules stored before these fields existed: their courts were the only ones allowed.
    values.setdefault(CONF_ONLY_COURTS, STORED_ONLY_COURTS)
    values.setdefault(CONF_COURT_SIZE, STORED_COURT_SIZE)
    return sectioned(values)
