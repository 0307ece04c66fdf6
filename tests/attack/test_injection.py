"""Crafted ids never reach another path: checked in the actions, checked and encoded in the client.

Every assertion is on the fake server's request log and its stored bookings: a rejected id sends
no request at all, and no other booking changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import contextlib
from datetime import UTC, date, datetime
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.api import (
    BookingTarget,
    Club,
    InvalidIdError,
    PlaytomicClient,
    contract,
)
from custom_components.playtomic.const import DOMAIN
from tests.attack.tally import tally
from tests.const import ALICE_ID, NORTE_ID
from tests.fake_playtomic import FakePlaytomic
from tests.fake_playtomic.club import FakeClub
from tests.helpers import disable_backoff, setup_integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OTHER = "9f0c2a4e-6a1b-4c1e-9d8e-2f1d3c4b5a60"  # stands for another match / intent / tenant id


def crafted(other: str) -> list[str]:
    """Ids an attacker or a careless template would pass."""
    return [
        f"nope/../{other}",
        f"../{other}",
        f"{other}/cancellation",
        f"{other}/../../v2/users/me",
        "%2e%2e",
        f"%2e%2e%2f{other}",
        f"nope%2F..%2F{other}",
        "..",
        ".",
        "a/b",
        "/",
        f"{other}?x=1",
        f"{other}#frag",
        f"{other},{other}",
        f"{other}&tenant_id={other}",
        f" {other}",
        f"{other}\n",
        "a b",
        "\u00e9t\u00e9",
        "\u202e" + other,
        "",
        "x" * 65,
        "x" * 10_000,
        "-leading-dash",
        "a\\b",
        "a;b",
        "a%00b",
        "a\x00b",
    ]


# -- through the actions -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    freezer.move_to(NOW)
    disable_backoff(monkeypatch)


def _api_requests(fake: FakePlaytomic) -> list[Any]:
    return [r for r in fake.requests if not r.path.startswith("/_fake")]


def _action_data(entry: MockConfigEntry, field: str, value: str) -> tuple[str, dict[str, Any]]:
    base = {"config_entry_id": entry.entry_id}
    if field == "match_id":
        return "cancel_booking", {**base, "match_id": value}
    if field == "find_slots.tenant_id":
        return "find_slots", {**base, "tenant_id": value}
    return "book", {
        **base,
        "tenant_id": value,
        "date": "2026-03-03",
        "window_start": "18:00:00",
        "window_end": "21:30:00",
        "duration": 90,
    }


@pytest.mark.parametrize("field", ["match_id", "find_slots.tenant_id", "book.tenant_id"])
async def test_crafted_ids_in_actions_send_nothing(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    field: str,
) -> None:
    await setup_integration(hass, mock_config_entry)
    club = fake_playtomic.clubs[NORTE_ID]
    other = fake_playtomic.book_directly(
        NORTE_ID,
        club.courts[0].resource_id,
        datetime(2026, 3, 4, 17, 0, tzinfo=UTC),
        90,
        ALICE_ID,
    )
    fake_playtomic.clear_requests()
    for value in crafted(other.match_id if field == "match_id" else NORTE_ID):
        service, data = _action_data(mock_config_entry, field, value)
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN, service, data, blocking=True, return_response=service != "cancel_booking"
            )
        assert err.value.translation_key == "invalid_id", value
        assert err.value.translation_placeholders == {"field": field.rsplit(".", 1)[-1]}
        tally("action ids", crashes=0)
    assert _api_requests(fake_playtomic) == []
    assert other.status == "CONFIRMED"


# -- in the client ---------------------------------------------------------------------------


def _calls(
    client: PlaytomicClient, zone_club: Club, value: str
) -> list[Callable[[], Awaitable[Any]]]:
    start = datetime(2026, 3, 16, 17, 0, tzinfo=UTC)
    return [
        lambda: client.get_club(value),
        lambda: client.get_courts(value),
        lambda: client.get_availability(
            Club(tenant_id=value, name="x", zone=zone_club.zone), date(2026, 3, 16)
        ),
        lambda: client.get_payment_intent(value),
        lambda: client.select_payment_method(value, "CASH"),
        lambda: client.confirm_payment_intent(
            value, BookingTarget(zone_club.tenant_id, "r1", start, 90)
        ),
        lambda: client.create_payment_intent(BookingTarget(value, "r1", start, 90)),
        lambda: client.create_payment_intent(BookingTarget(zone_club.tenant_id, value, start, 90)),
        lambda: client.get_match(value),
        lambda: client.cancel_match(value),
    ]


async def test_crafted_ids_never_leave_the_client(
    fake: FakePlaytomic, club: FakeClub, client: PlaytomicClient
) -> None:
    mine = fake.book_directly(
        club.tenant_id, "r1", datetime(2026, 3, 4, 17, 0, tzinfo=UTC), 90, owner_id="1001"
    )
    await client.login()
    known = await client.get_club(club.tenant_id)
    fake.clear_requests()
    for value in crafted(mine.match_id):
        for call in _calls(client, known, value):
            with pytest.raises(InvalidIdError) as err:
                await call()
            assert value not in str(err.value) or not value
            tally("client ids", crashes=0)
    assert [r for r in fake.requests if not r.path.startswith("/_fake")] == []
    assert mine.status == "CONFIRMED"


async def test_path_segments_are_encoded_as_a_second_line(
    fake: FakePlaytomic, club: FakeClub, client: PlaytomicClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the id check switched off, a crafted id still stays one segment of its own path."""
    mine = fake.book_directly(
        club.tenant_id, "r1", datetime(2026, 3, 4, 17, 0, tzinfo=UTC), 90, owner_id="1001"
    )
    await client.login()
    monkeypatch.setattr(contract, "ID_PATTERN", re.compile(r".+", re.S))
    fake.clear_requests()
    for value in (f"nope/../{mine.match_id}", f"..%2F{mine.match_id}", "%2e%2e", "a?b", "a#b"):
        # Any error is fine here: what matters is what reached the server.
        with contextlib.suppress(Exception):
            await client.cancel_match(value)
    for request in fake.requests:
        assert request.path.startswith("/v1/matches/"), request.path
        assert request.path.endswith("/cancellation"), request.path
        assert request.path != f"/v1/matches/{mine.match_id}/cancellation"
    assert mine.status == "CONFIRMED"
    assert len(fake.requests) == 5


def test_every_id_the_fake_hands_out_passes_the_check() -> None:
    import uuid

    from custom_components.playtomic.api import is_playtomic_id

    for _ in range(50):
        assert is_playtomic_id(str(uuid.uuid4()))
    assert is_playtomic_id("1234567")
    assert is_playtomic_id("court-1")
    assert not is_playtomic_id(str(uuid.uuid4()) + "/x")
    assert not is_playtomic_id(None)
    assert not is_playtomic_id(12)
