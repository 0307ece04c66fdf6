"""Deep links (docs/playtomic-api.md §9): fixed hosts, never the API base URL."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from custom_components.playtomic.api import checkout_link, club_app_link, match_link

START = datetime(2026, 2, 20, 17, 30, tzinfo=UTC)


def test_s9_checkout_link_encodes_utc_start() -> None:
    local = START.astimezone(ZoneInfo("Europe/Berlin"))  # any aware input gives the UTC form
    assert checkout_link("t-1", "r-1", local, 90) == (
        "https://app.playtomic.com/payments?type=CUSTOMER_MATCH&tenant_id=t-1&resource_id=r-1"
        "&start=2026-02-20T17%3A30%3A00.000Z&duration=90"
    )


def test_s9_other_links() -> None:
    assert club_app_link("t-1") == "https://app.playtomic.io/tenant/t-1"
    assert match_link("m-1") == "https://app.playtomic.io/matches/m-1"


def test_s9_ids_are_escaped() -> None:
    assert club_app_link("a/b?c") == "https://app.playtomic.io/tenant/a%2Fb%3Fc"
