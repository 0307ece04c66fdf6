"""Every guess about the private Playtomic API, in one place.

Playtomic publishes no player API. Each constant or builder below encodes one decision of
docs/playtomic-api.md (the contract); the comment names its section. When the real API answers
differently, this is the file to edit (docs/playtomic-api.md §10).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
import re
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

# §1.1: current host; every path carries its own version prefix, so the base has no path.
DEFAULT_BASE_URL: Final = "https://api.app.playtomic.io"

# §1.1: paths.
PATH_LOGIN: Final = "/v3/auth/login"
PATH_REFRESH: Final = "/v3/auth/token"
PATH_TENANTS: Final = "/v1/tenants"
PATH_TENANT: Final = "/v1/tenants/{tenant_id}"
PATH_RESOURCES: Final = "/v1/tenants/{tenant_id}/resources"
PATH_AVAILABILITY: Final = "/v1/availability"
PATH_PAYMENT_INTENTS: Final = "/v1/payment_intents"
PATH_PAYMENT_INTENT: Final = "/v1/payment_intents/{intent_id}"
PATH_CONFIRMATION: Final = "/v1/payment_intents/{intent_id}/confirmation"
PATH_MATCHES: Final = "/v1/matches"
PATH_MATCH: Final = "/v1/matches/{match_id}"
PATH_CANCELLATION: Final = "/v1/matches/{match_id}/cancellation"
# §3-§6: every id the API hands out (tenant, resource, payment intent, match) is a UUID; user
# ids are digits. An id that goes into a path or a request must look like one of those: letters,
# digits, '-' and '_', at most 64 characters (a UUID has 36). Anything else (a '/', '..', '%',
# '?', '#', ',' or whitespace) never reaches a request (api/ids.py).
ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# §1.1: optional profile endpoint; the cheapest authenticated GET, used to sample the server clock.
PATH_ME: Final = "/v2/users/me"
# §1.2: no Authorization header on the auth paths.
UNAUTHENTICATED_PREFIX: Final = "/v3/auth/"

# §1.2: browser-like identity. Kept together so both values change in one place.
USER_AGENT: Final = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
X_REQUESTED_WITH: Final = "com.playtomic.web"
BASE_HEADERS: Final[dict[str, str]] = {
    "User-Agent": USER_AGENT,
    "X-Requested-With": X_REQUESTED_WITH,
    "Accept": "application/json",
}
# §1.3: the header CloudFront puts on its own answers; logged to correlate an edge block.
EDGE_REQUEST_ID_HEADER: Final = "X-Amz-Cf-Id"

# §2.1 / §2.2: role the app requests on login and refresh.
USER_ROLES: Final = ("ROLE_CUSTOMER",)
# §2.1: expiry assumed when a login/refresh answer has no access_token_expiration.
DEFAULT_ACCESS_TTL: Final = timedelta(minutes=55)
# §2.2: refresh on our own once less than this remains of the access token.
EARLY_REFRESH: Final = timedelta(seconds=60)
# §2.3: refresh answers that mean "this refresh token is dead, log in again".
REFRESH_DEAD_STATUSES: Final = frozenset({400, 401})

# §1.3 / §8 rule 7: after an edge block, automatic requests stop for this long.
EDGE_BLOCK_PAUSE: Final = timedelta(minutes=15)

# §8 rules 4-5: a 409 on create is retried for no more than about this long after the release
# instant; the burst lasts this long, and a restart inside it resumes the release (after it: missed).
BURST_WINDOW: Final = timedelta(seconds=30)

# §8 rule 6: request-volume and back-off constants.
RETRY_AFTER_CAP_SECONDS: Final = 120.0
GET_MAX_RETRIES: Final = 3
GET_BACKOFF_BASE_SECONDS: Final = 1.0  # 1 s, 2 s, 4 s when the server gives no Retry-After
GET_RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
# One action call (find_slots, book, a button press) waits at most this long in total on those
# back-offs; past it, the 429/5xx is the answer (a huge Retry-After must not hold a call).
ACTION_RETRY_WAIT_CAP_SECONDS: Final = 20.0

# Bounds on what an answer may cost us (not Playtomic's rules; nothing real comes near them):
# bodies are read up to this size (a bigger one is refused, not buffered), and list answers are
# read up to this many items (the rest is ignored with a warning), so no answer blocks the loop.
MAX_RESPONSE_BYTES: Final = 4 * 1024 * 1024
MAX_LIST_ITEMS: Final = 2000
MAX_SLOTS_PER_ANSWER: Final = 10_000

# §8 rule 2: matches are re-checked this many seconds after the first look (about 2 s and 10 s).
RECONCILE_RECHECK_DELAYS: Final = (2.0, 8.0)

# §11.5: an unconfirmed intent keeps its court for about 10-15 minutes; assume the longer.
INTENT_ASSUMED_LIFETIME: Final = timedelta(minutes=15)

# §11.5: clubs batched into one availability request. No source gives a limit; keep it modest.
AVAILABILITY_BATCH_MAX: Final = 10
# §3: club search; §11.5: a `Link` header may name the last page (rel="last").
TENANT_SEARCH_PAGE_SIZE: Final = 50
_LAST_REL: Final = re.compile(r'\brel\s*=\s*"?[^";]*\blast\b', re.IGNORECASE)
TENANT_SEARCH_MAX_PAGES: Final = 20  # a sane ceiling: 1000 clubs per search
ACTIVE_STATUS: Final = "ACTIVE"
DEFAULT_SPORT_ID: Final = "PADEL"
DEFAULT_SEARCH_RADIUS_M: Final = 50000

# §11.3: own matches as the app asks for them: user_id=me, the live statuses, soonest first.
MATCHES_PAGE_SIZE: Final = 50
MATCHES_SORT: Final = "start_date,created_at,ASC"
MATCHES_ACTIVE_STATUSES: Final = ("PENDING", "IN_PROGRESS", "VALIDATING", "CONFIRMED")
# §11.3: a status containing one of these is not a booking (cancelled, refused or lapsed).
INACTIVE_STATUS_MARKERS: Final = ("CANCEL", "REJECTED", "EXPIRED")
# §11.4: the value the API accepts instead of the account's own id.
ME: Final = "me"
# §6 (DECISION): cancellation reason.
CANCELLATION_REASON: Final = "CANCELED_BY_OWNER"

# §11.1: the app's full list. The server filters its offers by it, so a type missing here is a
# method the club never offers us (a `WALLET`-type wallet would look like "payment not possible").
ALLOWED_PAYMENT_METHOD_TYPES: Final = (
    "OFFER",
    "CASH",
    "MERCHANT_WALLET",
    "WALLET",
    "DIRECT",
    "SWISH",
    "SWISH_STRIPE",
    "IDEAL",
    "BANCONTACT",
    "PAYTRAIL",
    "CREDIT_CARD",
    "QUICK_PAY",
    "PAYPAL",
    "GOOGLE_PAY",
)
CART_ITEM_TYPE: Final = "CUSTOMER_MATCH"
PLAYERS_DOUBLE: Final = 4
PLAYERS_SINGLE: Final = 2  # [inferred] on courts whose resource_size is "single"
SINGLE_COURT_SIZE: Final = "single"

# §5.2 / §11.1: payment-method classification tables.
AT_CLUB_TYPES: Final = frozenset({"CASH"})
WALLET_TYPES: Final = frozenset({"MERCHANT_WALLET", "WALLET"})
# §11.5: a wallet method may carry `data: {"balance": "117.5 AUD"}`.
WALLET_BALANCE_KEY: Final = "balance"
OFFER_TYPES: Final = frozenset({"OFFER"})
AT_CLUB_NAME_MARKERS: Final = ("at the club", "cash")
NEVER_SELECT_TYPES: Final = frozenset(
    {
        "CREDIT_CARD",
        "QUICK_PAY",
        "PAYPAL",
        "GOOGLE_PAY",
        "IDEAL",
        "BANCONTACT",
        "SWISH",
        "SWISH_STRIPE",
        "PAYTRAIL",
        "DIRECT",
    }
)
NEVER_SELECT_ID_PREFIXES: Final = ("CREDIT_CARD-",)
NEVER_SELECT_DATA_MARKER: Final = "stripe"  # §5.2: any method whose data mentions Stripe

# §5.4: intent states.
INTENT_SUCCEEDED: Final = "SUCCEEDED"
INTENT_REQUIRES_ACTION: Final = "REQUIRES_PAYMENT_METHOD_ACTION"
# §11.5: what a PATCH answers when the intent can be confirmed (the app's value, then the old one).
INTENT_READY_STATUSES: Final = frozenset({"REQUIRES_CONFIRMATION", "PENDING"})
# §11.2: "not available" is a code. These mean "not available" at 400/409/422 on create and on
# confirmation; a 409 means it whatever the code.
SLOT_UNAVAILABLE_CODES: Final = frozenset({"RESOURCE_NO_AVAILABLE", "RESERVATION_NOT_PROCESSABLE"})
SLOT_UNAVAILABLE_STATUSES: Final = frozenset({400, 422})

# §10.11: a duration of 1800 or more that divides by 60 is read as seconds.
DURATION_SECONDS_THRESHOLD: Final = 1800

# Sanity bounds on answers (not Playtomic's rules: limits beyond which a value is a malformed
# answer rather than something to compute with; nothing real comes near them). A slot or match
# lasts at most a day; timestamps fall in 2000-2199; a booking horizon and a free-cancellation
# window are at most three years.
MAX_DURATION_MINUTES: Final = 24 * 60
EARLIEST_TIMESTAMP: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIMESTAMP: Final = datetime(2200, 1, 1, tzinfo=UTC)
MAX_AHEAD_MINUTES: Final = 3 * 366 * 24 * 60
MAX_CANCELLATION_HOURS: Final = 3 * 366 * 24.0

# §9: deep links. Fixed hosts, never derived from the API base URL.
CHECKOUT_LINK: Final = (
    "https://app.playtomic.com/payments?type=CUSTOMER_MATCH&tenant_id={tenant_id}"
    "&resource_id={resource_id}&start={start}&duration={duration}"
)
CHECKOUT_START_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.000Z"
CLUB_APP_LINK: Final = "https://app.playtomic.io/tenant/{tenant_id}"
# §11.5: the club's page opened at one slot (club-local date and time) for booking by hand.
SLOT_APP_LINK: Final = (
    "https://app.playtomic.io/tenant/{tenant_id}?sport={sport}&date={day}"
    "&startTime={time}&resourceId={resource_id}"
)
MATCH_LINK: Final = "https://app.playtomic.io/matches/{match_id}"

# §2.1 / §4 / §6: wire format of timestamps sent to the API (naive UTC, no fraction).
WIRE_DATETIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S"


def duration_to_minutes(value: int) -> int:
    """Read an API duration as minutes (§4 says minutes; §10.11 guards against seconds)."""
    if value >= DURATION_SECONDS_THRESHOLD and value % 60 == 0:
        return value // 60
    return value


def login_body(email: str, password: str) -> dict[str, Any]:
    """§2.1: the app sends the roles with the credentials."""
    return {"email": email, "password": password, "requested_user_roles": list(USER_ROLES)}


def refresh_body(refresh_token: str) -> dict[str, Any]:
    """§2.2 DECISION: roles + refresh token (§11.4: the app sends the token alone; both work)."""
    return {"requested_user_roles": list(USER_ROLES), "refresh_token": refresh_token}


def normalize_sport_id(value: object) -> str:
    """§3: ids are upper case (`TENNIS`); typed-in or stored ones may not be. Empty = default."""
    return str(value or "").strip().upper() or DEFAULT_SPORT_ID


def same_sport(left: object, right: object) -> bool:
    """§3/§6: whether two sport ids name the same sport (a missing one is the default sport)."""
    return normalize_sport_id(left) == normalize_sport_id(right)


def availability_params(
    tenant_ids: Sequence[str], sport_id: str, start_min: str, start_max: str
) -> dict[str, str]:
    """§4 DECISION: UTC `start_min`/`start_max` (not the club-local `local_start_*`), user_id=me.

    §11.5: several clubs go into one request as a comma-separated `tenant_id`.
    """
    return {
        "tenant_id": ",".join(tenant_ids),
        "sport_id": sport_id,
        "user_id": ME,
        "start_min": start_min,
        "start_max": start_max,
    }


def tenant_search_params(
    *,
    name: str | None,
    coordinate: tuple[float, float] | None,
    radius_m: int,
    sport_id: str,
    page: int,
) -> dict[str, str]:
    """§3: search parameters; coordinate as "<lat>,<lon>" with 6 decimals."""
    params = {
        "sport_id": sport_id,
        "playtomic_status": ACTIVE_STATUS,
        "size": str(TENANT_SEARCH_PAGE_SIZE),
        "page": str(page),
    }
    if name:
        params["tenant_name"] = name
    if coordinate is not None:
        lat, lon = coordinate
        params["coordinate"] = f"{lat:.6f},{lon:.6f}"
        params["radius"] = str(radius_m)
    return params


def last_page(link_header: str | None) -> int | None:
    """§11.5: the `page` of the `rel="last"` URL in a `Link` header; None when there is none."""
    for part in (link_header or "").split(","):
        url, _, attributes = part.partition(";")
        if not _LAST_REL.search(attributes):
            continue
        pages = parse_qs(urlsplit(url.strip().strip("<>")).query).get("page")
        if pages and pages[0].isdigit():
            return int(pages[0])
    return None


def matches_params() -> dict[str, str]:
    """§11.3: the app's request. The server may ignore the filter, so the client checks too."""
    return {
        "user_id": ME,
        "match_status": ",".join(MATCHES_ACTIVE_STATUSES),
        "sort": MATCHES_SORT,
        "size": str(MATCHES_PAGE_SIZE),
    }


def is_inactive_status(status: str | None) -> bool:
    """§11.3: cancelled, rejected and expired matches are not bookings; unknown ones count."""
    upper = (status or "").upper()
    return any(marker in upper for marker in INACTIVE_STATUS_MARKERS)


def is_slot_unavailable(http_status: int, code: str | None) -> bool:
    """§11.2: a 409 whatever the code, or a 400/422 carrying a "not available" code."""
    if http_status == 409:
        return True
    return http_status in SLOT_UNAVAILABLE_STATUSES and code in SLOT_UNAVAILABLE_CODES


def payment_intent_body(
    *,
    user_id: str,
    tenant_id: str,
    resource_id: str,
    start: str,
    duration: int,
    number_of_players: int,
) -> dict[str, Any]:
    """§5.1: the body most projects copy; the full type list so the client filters by itself."""
    return {
        "allowed_payment_method_types": list(ALLOWED_PAYMENT_METHOD_TYPES),
        "user_id": user_id,
        "cart": {
            "requested_item": {
                "cart_item_type": CART_ITEM_TYPE,
                "cart_item_voucher_id": None,
                "cart_item_data": {
                    "supports_split_payment": True,
                    "number_of_players": number_of_players,
                    "tenant_id": tenant_id,
                    "resource_id": resource_id,
                    "start": start,
                    "duration": duration,
                    "match_registrations": [{"user_id": user_id, "pay_now": True}],
                },
            }
        },
    }


def select_method_body(method_id: str) -> dict[str, Any]:
    """§5.3 DECISION: id plus explicit null data (§10.4 asks whether the null is needed)."""
    return {"selected_payment_method_id": method_id, "selected_payment_method_data": None}


def confirmation_body() -> dict[str, Any]:
    """§11.5: the app sends an empty object."""
    return {}


def cancellation_body() -> dict[str, Any]:
    """§6 DECISION."""
    return {"cancellation_reason_code": CANCELLATION_REASON}


# §3 / §6: list answers may be wrapped in an object under these keys.
TENANT_LIST_KEYS: Final = ("tenants",)
MATCH_LIST_KEYS: Final = ("content",)
# §5.4: where the confirmation (and a re-read intent) puts the new match id.
MATCH_ID_PATH: Final = ("cart", "item", "cart_item_data", "match_id")
# §5.4: where the 3-D Secure URL sits.
ACTION_URL_PATH: Final = ("next_payment_action_data", "stripe_next_action", "value", "url")
