"""Deep links for notifications (contract §9). Fixed hosts, never the API base URL."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from . import contract
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


def club_web_link(slug: str, day: date) -> str:
    """The club's web page for one day."""
    return contract.CLUB_WEB_LINK.format(slug=quote(slug, safe=""), day=day.isoformat())


def match_link(match_id: str) -> str:
    """A booked match."""
    return contract.MATCH_LINK.format(match_id=quote(match_id, safe=""))


def legacy_checkout_link(tenant_id: str, resource_id: str, start: datetime, duration: int) -> str:
    """Old checkout form; fallback only."""
    return contract.LEGACY_CHECKOUT_LINK.format(
        tenant_id=quote(tenant_id, safe=""),
        resource_id=quote(resource_id, safe=""),
        start=as_utc(start).strftime(contract.LEGACY_CHECKOUT_START_FORMAT),
        duration=duration,
    )
