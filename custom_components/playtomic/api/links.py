"""Deep links for notifications (docs/playtomic-api.md §9). Fixed hosts, never the API base URL."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from . import contract
from .models import Slot
from .timeconv import as_utc


def checkout_link(tenant_id: str, resource_id: str, start: datetime, duration: int) -> str:
    """Finish a booking by hand in the app."""
    stamp = as_utc(start).strftime(contract.CHECKOUT_START_FORMAT)
    return contract.CHECKOUT_LINK.format(
        tenant_id=quote(tenant_id, safe=""),
        resource_id=quote(resource_id, safe=""),
        start=quote(stamp, safe=""),
        duration=duration,
    )


def club_app_link(tenant_id: str) -> str:
    """The club in the app."""
    return contract.CLUB_APP_LINK.format(tenant_id=quote(tenant_id, safe=""))


def slot_app_link(
    tenant_id: str,
    resource_id: str,
    local_start: datetime,
    sport_id: str = contract.DEFAULT_SPORT_ID,
) -> str:
    """§11.5: the club in the app, opened at one slot (club-local date and time).

    This is the link of every "book it by hand" message.
    """
    return contract.SLOT_APP_LINK.format(
        tenant_id=quote(tenant_id, safe=""),
        sport=quote(sport_id, safe=""),
        day=local_start.date().isoformat(),
        time=local_start.strftime("%H:%M"),
        resource_id=quote(resource_id, safe=""),
    )


def book_by_hand_link(slot: Slot) -> str:
    """The link of every "book it by hand" message about one slot (§11.5)."""
    local = slot.local_start(slot.zone) if slot.zone is not None else slot.start
    return slot_app_link(slot.tenant_id, slot.resource_id, local, slot.sport_id)


def match_link(match_id: str) -> str:
    """A booked match."""
    return contract.MATCH_LINK.format(match_id=quote(match_id, safe=""))
