"""How a free slot is shown to users: the next-open-slot sensor and the find_slots answer.

Both show the same fields with the same formats (club-local ISO times, the price as text, the
by-hand booking link), so a slot reads the same on a card and in an automation.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from .api import Slot
from .api.links import book_by_hand_link


def slot_view(slot: Slot, zone: tzinfo) -> dict[str, Any]:
    """What a user needs to recognise and book a slot, in the club's zone."""
    return {
        "court": slot.court_name,
        "local_start": slot.local_start(zone).isoformat(),
        "duration": slot.duration,
        "price": str(slot.price) if slot.price else None,
        "booking_url": book_by_hand_link(slot),
    }
