"""A stateful fake of the private Playtomic API (see README.md); shares no code with the client."""

from .clock import FakeClock
from .club import FakeClub
from .faults import Fault
from .models import (
    Competitor,
    CourtSpec,
    DailyDrop,
    FakeAccount,
    FakeCourt,
    FakeIntent,
    FakeMatch,
    FreedSlot,
    FreedSlotCompetitors,
    OfferedMethod,
    RandomCompetitors,
    RecordedRequest,
    Rolling,
    ScheduledCancellation,
    Variants,
)
from .server import FakePlaytomic

__all__ = [
    "Competitor",
    "CourtSpec",
    "DailyDrop",
    "FakeAccount",
    "FakeClock",
    "FakeClub",
    "FakeCourt",
    "FakeIntent",
    "FakeMatch",
    "FakePlaytomic",
    "Fault",
    "FreedSlot",
    "FreedSlotCompetitors",
    "OfferedMethod",
    "RandomCompetitors",
    "RecordedRequest",
    "Rolling",
    "ScheduledCancellation",
    "Variants",
]
