"""Constants of the Playtomic integration (names here are public interface: keep them)."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

from .api.contract import DEFAULT_SEARCH_RADIUS_M, DEFAULT_SPORT_ID
from .api.payments import DEFAULT_POLICY, PaymentCategory
from .api.slots import COURT_SIZES as _COURT_SIZES, COURT_TYPES as _COURT_TYPES
from .engine.rules import DEFAULT_WATCH_CUTOFF, MAX_OPTION_HOURS as _MAX_OPTION_HOURS, WEEKDAY_NAMES

DOMAIN: Final = "playtomic"
LOGGER = logging.getLogger(__package__)

# Overrides the API base URL (tests and the demo point it at the fake server).
ENV_API_URL: Final = "PLAYTOMIC_API_URL"

# Config entry data (one entry per Playtomic account).
CONF_USER_ID: Final = "user_id"
CONF_TOKENS: Final = "tokens"

# Options of the account.
CONF_PAYMENT_METHODS: Final = "payment_methods"
CONF_DRY_RUN: Final = "dry_run"
# Every category allowed, in the client's default order (api.payments.PaymentCategory).
DEFAULT_PAYMENT_METHODS: Final = tuple(category.value for category in DEFAULT_POLICY)

# Config flow club search.
CONF_QUERY: Final = "query"
CONF_SPORT: Final = "sport"
CONF_TENANT_ID: Final = "tenant_id"
DEFAULT_SPORT: Final = DEFAULT_SPORT_ID

# Booking rules: config subentries of this type.
SUBENTRY_BOOKING_RULE: Final = "booking_rule"
CONF_CLUB_NAME: Final = "club_name"
CONF_CLUB_TIMEZONE: Final = "club_timezone"
CONF_NAME: Final = "name"
CONF_WEEKDAYS: Final = "weekdays"
CONF_WINDOW_START: Final = "window_start"
CONF_WINDOW_END: Final = "window_end"
CONF_DURATION: Final = "duration"
CONF_PREFERRED_START: Final = "preferred_start"
CONF_COURTS: Final = "courts"
CONF_COURT_TYPE: Final = "court_type"
# Whether `courts` (an order of preference) also excludes every other court. Rules stored before
# this key existed read it as true: their courts list always meant "only these courts".
CONF_ONLY_COURTS: Final = "only_courts"
STORED_ONLY_COURTS: Final = True
# Court size: padel doubles courts take four players, singles courts two. Rules stored before
# this key existed read it as "any" (they were offered both sizes).
CONF_COURT_SIZE: Final = "court_size"
STORED_COURT_SIZE: Final = "any"
CONF_RELEASE_MODEL: Final = "release_model"
CONF_DAYS_AHEAD: Final = "days_ahead"
CONF_RELEASE_TIME: Final = "release_time"
CONF_ROLLING_MINUTES: Final = "rolling_minutes"
CONF_AUTO_BOOK: Final = "auto_book"
CONF_NOTIFY: Final = "notify"
# The cancellation watch and the free-cancellation reminder (hours, as the form shows them; the
# engine owns the default cutoff and the bound).
CONF_WATCH: Final = "watch"
CONF_WATCH_OPEN_DATES: Final = "watch_open_dates"
CONF_WATCH_CUTOFF_HOURS: Final = "watch_cutoff_hours"
CONF_REMINDER_HOURS: Final = "reminder_hours"
DEFAULT_WATCH_CUTOFF_HOURS: Final = int(DEFAULT_WATCH_CUTOFF / timedelta(hours=1))
MAX_OPTION_HOURS: Final = int(_MAX_OPTION_HOURS / timedelta(hours=1))

WEEKDAYS: Final = WEEKDAY_NAMES
DEFAULT_WEEKDAYS: Final = WEEKDAYS[:5]  # Monday to Friday
DEFAULT_WINDOW_START: Final = "18:00:00"
DEFAULT_WINDOW_END: Final = "21:30:00"
DEFAULT_DURATION: Final = 90
COURT_TYPES: Final = _COURT_TYPES
COURT_SIZES: Final = _COURT_SIZES
# A rule name is a title and a device name: it must say something and fit on a card.
MAX_NAME_LENGTH: Final = 64
RELEASE_DAILY_DROP: Final = "daily_drop"
RELEASE_ROLLING: Final = "rolling"
DEFAULT_DAYS_AHEAD: Final = 14
DEFAULT_RELEASE_TIME: Final = "08:30:00"

# Events on the bus (public interface for users' automations).
EVENT_BOOKING_SUCCEEDED: Final = "playtomic_booking_succeeded"
EVENT_BOOKING_FAILED: Final = "playtomic_booking_failed"

# Outcomes of a booking attempt (enum states of sensor last_booking_result).
OUTCOMES: Final = (
    "booked",
    "failed",
    "no_slot",
    "payment_not_possible",
    "outcome_unknown",
    "missed",
    "dry_run",
)

# Config flow (added by the config-flow module; keep at the end).
# Sports offered in the club search; the API takes any sport id, these are the common ones.
SPORTS: Final = ("PADEL", "TENNIS", "SQUASH", "BADMINTON", "PICKLEBALL")
# Payment categories the user may allow; cards are never offered (docs/playtomic-api.md §5.2).
PAYMENT_METHOD_CHOICES: Final = tuple(category.value for category in PaymentCategory)
# Radius of the "clubs near home" search when the query is empty.
CLUB_SEARCH_RADIUS_M: Final = DEFAULT_SEARCH_RADIUS_M
# Durations offered when a club lists no allowed increments on any court.
FALLBACK_DURATIONS: Final = (60, 90, 120)
DEFAULT_COURT_TYPE: Final = "any"
# No API field names the release model (docs/playtomic-api.md §7), so the rule form guesses one from
# booking_ahead_limit: a short or non-whole-day horizon reads as rolling, the rest as a daily drop.
ROLLING_GUESS_MAX_MINUTES: Final = 3 * 1440
DEFAULT_ROLLING_MINUTES: Final = 2880
# Limits of the number fields of the rule form.
MAX_DAYS_AHEAD: Final = 365
MAX_ROLLING_MINUTES: Final = 365 * 1440
