"""Test data shared by the integration tests (the fake server is seeded with the same values)."""

from __future__ import annotations

from typing import Any, Final

ALICE_EMAIL: Final = "alice@example.com"
ALICE_PASSWORD: Final = "correct-horse-battery"
ALICE_ID: Final = "1001"

NORTE_ID: Final = "6b1f0c34-0f5e-4d7e-9c1a-2a1d6e0b7a11"
RIVERSIDE_ID: Final = "9a7e2d11-3c4b-4f6a-8e2d-5b6c7d8e9f22"
# A club with padel and tennis courts (the `mixed_club` fixture).
MIXED_ID: Final = "3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e33"

RULE_SUBENTRY_ID: Final = "01JRULE0000000000000000001"
# Fixed entry ids of the conftest entries (the event entity and the bus events carry it).
ENTRY_ID: Final = "01JENTRY000000000000000001"
TENNIS_ENTRY_ID: Final = "01JENTRY000000000000000002"
RULE_DATA: Final[dict[str, Any]] = {
    "tenant_id": NORTE_ID,
    "club_name": "Club Padel Norte",
    "club_timezone": "Europe/Madrid",
    "name": "Weekday evenings",
    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
    "window_start": "18:00:00",
    "window_end": "21:30:00",
    "duration": 90,
    "preferred_start": None,
    "courts": [],
    "court_type": "any",
    "release_model": "daily_drop",
    "days_ahead": 14,
    "release_time": "08:30:00",
    "rolling_minutes": 20160,
    "auto_book": True,
    "notify": ["mobile_app_alice_phone"],
}

TENNIS_RULE_SUBENTRY_ID: Final = "01JRULE0000000000000000002"
TENNIS_RULE_DATA: Final[dict[str, Any]] = {
    **RULE_DATA,
    "tenant_id": MIXED_ID,
    "club_name": "Raqueta Mixta",
    "name": "Tennis evenings",
    "duration": 60,
    "notify": [],
    "sport": "TENNIS",
}

# Home Assistant's home in the flow tests: Madrid, about 4 km from Club Padel Norte (Riverside,
# in London, is outside the 50 km club search).
HOME: Final = (40.4168, -3.7038)
