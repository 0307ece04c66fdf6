"""Ready-made worlds for the demo mode and manual testing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .club import FakeClub
from .models import CourtSpec, DailyDrop, Rolling

if TYPE_CHECKING:
    from .server import FakePlaytomic

DEMO_EMAIL = "demo@playtomic.invalid"
DEMO_PASSWORD = "padel-demo-2026"
DEMO_USER_ID = "demo-user-1"
DEMO_NAME = "Demo Player"
# A newcomer should watch a release happen: the Madrid club drops its next day this soon
# (rounded up to the next whole minute).
DEMO_RELEASE_AFTER = timedelta(minutes=3)
DEMO_DAYS_AHEAD = 14
DEMO_COMPETITOR_PROBABILITY = 0.3
DEMO_COMPETITOR_DELAY_S = (0.8, 30.0)
DEMO_SEED = 2026

MADRID_TENANT_ID = "6f1c2a8e-4b1d-4c55-9a0e-0d5b7c3e2a11"
MADRID_COURTS = (
    CourtSpec(
        "Pista 1 Central",
        indoor=True,
        feature="crystal",
        resource_id="c0a80101-0000-4000-8000-000000000001",
    ),
    CourtSpec(
        "Pista 2",
        indoor=True,
        feature="panoramic",
        resource_id="c0a80101-0000-4000-8000-000000000002",
    ),
    CourtSpec(
        "Pista 3", indoor=True, feature="wall", resource_id="c0a80101-0000-4000-8000-000000000003"
    ),
    CourtSpec(
        "Pista 4 Exterior",
        indoor=False,
        feature="panoramic",
        resource_id="c0a80101-0000-4000-8000-000000000004",
    ),
    CourtSpec(
        "Pista 5 Exterior",
        indoor=False,
        feature="synthetic_grass",
        resource_id="c0a80101-0000-4000-8000-000000000005",
    ),
    CourtSpec(
        "Pista 6 Individual",
        indoor=False,
        size="single",
        durations=(60, 90),
        feature="wall",
        resource_id="c0a80101-0000-4000-8000-000000000006",
    ),
)
LONDON_TENANT_ID = "9b3e5d71-2c4a-4f08-8e6b-1a7d9c0f4b22"
LONDON_COURTS = (
    CourtSpec(
        "Court 1 (Indoor)",
        indoor=True,
        feature="panoramic",
        resource_id="c0a80102-0000-4000-8000-000000000001",
    ),
    CourtSpec(
        "Court 2 (Indoor)",
        indoor=True,
        feature="panoramic",
        resource_id="c0a80102-0000-4000-8000-000000000002",
    ),
    CourtSpec(
        "Court 3 Canopy",
        indoor=True,
        feature="crystal",
        durations=(60, 90),
        resource_id="c0a80102-0000-4000-8000-000000000003",
    ),
    CourtSpec(
        "Court 4 Outdoor",
        indoor=False,
        feature="synthetic_grass",
        durations=(60, 90),
        resource_id="c0a80102-0000-4000-8000-000000000004",
    ),
)
# (club, court index, days from today, club-local start, minutes, owner)
DEMO_BOOKINGS = (
    (MADRID_TENANT_ID, 0, 1, time(19, 0), 90, "neighbour-1"),
    (MADRID_TENANT_ID, 1, 1, time(19, 30), 90, "neighbour-2"),
    (MADRID_TENANT_ID, 3, 2, time(10, 0), 60, "neighbour-3"),
    (MADRID_TENANT_ID, 0, 3, time(20, 0), 90, DEMO_USER_ID),
    (LONDON_TENANT_ID, 0, 1, time(18, 0), 90, "neighbour-4"),
    (LONDON_TENANT_ID, 2, 2, time(7, 30), 60, "neighbour-5"),
    (LONDON_TENANT_ID, 1, 4, time(19, 0), 60, DEMO_USER_ID),
)


def demo(fake: FakePlaytomic) -> list[FakeClub]:
    fake.add_account(DEMO_EMAIL, DEMO_PASSWORD, user_id=DEMO_USER_ID, name=DEMO_NAME)
    madrid = fake.add_club(
        "Club Padel Norte Madrid",
        tenant_id=MADRID_TENANT_ID,
        timezone="Europe/Madrid",
        city="Madrid",
        country="España",
        country_code="ES",
        street="Calle de Isla de Java 33",
        postal_code="28034",
        lat=40.4786,
        lon=-3.7024,
        courts=MADRID_COURTS,
        release=DailyDrop(days_ahead=DEMO_DAYS_AHEAD, time=time(8, 30)),
        opening=(time(8, 0), time(23, 0)),
        price_per_hour=Decimal(24),
        evening_price_per_hour=Decimal(32),
        currency="EUR",
        payment_methods=("CASH", "MERCHANT_WALLET", "CREDIT_CARD", "QUICK_PAY"),
        cancel_hours=24,
    )
    london = fake.add_club(
        "Riverside Padel London",
        tenant_id=LONDON_TENANT_ID,
        timezone="Europe/London",
        city="London",
        country="United Kingdom",
        country_code="GB",
        street="Lots Road 12",
        postal_code="SW10 0RJ",
        lat=51.4789,
        lon=-0.1826,
        courts=LONDON_COURTS,
        release=Rolling(minutes=7 * 1440),
        member_extra_days={DEMO_USER_ID: 3},
        opening=(time(7, 0), time(22, 0)),
        price_per_hour=Decimal(40),
        evening_price_per_hour=Decimal(48),
        currency="GBP",
        payment_methods=("OFFER", "MERCHANT_WALLET", "CREDIT_CARD"),
        cancel_hours=48,
    )
    now = fake.clock.now()
    # Whole minutes, like a real club's 08:30, while still a few minutes away.
    drop_at = (now + DEMO_RELEASE_AFTER + timedelta(minutes=1)).replace(second=0, microsecond=0)
    fake.set_release(
        madrid.tenant_id,
        DailyDrop(days_ahead=DEMO_DAYS_AHEAD, time=drop_at.astimezone(madrid.zone).time()),
    )
    for tenant_id, court_index, days, local_start, minutes, owner in DEMO_BOOKINGS:
        club = fake.clubs[tenant_id]
        zone = ZoneInfo(club.timezone)
        day = now.astimezone(zone).date() + timedelta(days=days)
        start = datetime.combine(day, local_start, tzinfo=zone).astimezone(UTC)
        fake.book_directly(tenant_id, club.courts[court_index].resource_id, start, minutes, owner)
    for club in (madrid, london):
        fake.add_random_competitors(
            club.tenant_id,
            DEMO_COMPETITOR_PROBABILITY,
            DEMO_COMPETITOR_DELAY_S,
            seed=DEMO_SEED,
        )
    return [madrid, london]


def empty(fake: FakePlaytomic) -> list[FakeClub]:
    return []


SCENARIOS: dict[str, Callable[[FakePlaytomic], list[FakeClub]]] = {"demo": demo, "empty": empty}


def load_scenario(fake: FakePlaytomic, name: str) -> list[FakeClub]:
    try:
        build = SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose from {sorted(SCENARIOS)}") from None
    return build(fake)
