"""Bounds: answer size, items read from a list answer, and back-off waits per action call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import functools
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic import client_factory
from custom_components.playtomic.api import (
    PlaytomicApiError,
    PlaytomicClient,
    ResponseTooLargeError,
    contract,
)
from custom_components.playtomic.const import DOMAIN
from custom_components.playtomic.engine import Reason, reason_of
from tests.attack.tally import tally
from tests.fake_playtomic import FakePlaytomic


def _match(n: int, owner: str = "1001") -> dict[str, Any]:
    start = datetime(2026, 3, 10, 8, 0) + timedelta(minutes=n)
    return {
        "match_id": f"m{n}",
        "owner_id": owner,
        "status": "CONFIRMED",
        "sport_id": "PADEL",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(minutes=90)).isoformat(),
        "resource_id": "r1",
        "tenant": {"tenant_id": "tenant-norte"},
    }


async def test_an_answer_past_the_size_cap_is_refused(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    await client.login()
    # ~5 MiB of valid JSON: refused with a typed error, not parsed.
    fake.respond("GET", "^/v1/matches", json=[_match(0)] * 22_000, count=None)
    with pytest.raises(ResponseTooLargeError) as err:
        await client.get_matches()
    tally("bounds")
    assert reason_of(err.value) is Reason.UNEXPECTED_RESPONSE
    assert isinstance(err.value, PlaytomicApiError)


async def test_a_list_answer_is_read_up_to_the_item_cap(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    await client.login()
    many = contract.MAX_LIST_ITEMS + 500
    fake.respond("GET", "^/v1/matches", json=[_match(n) for n in range(many)], count=None)
    matches = await client.get_matches(upcoming_only=False)
    tally("bounds")
    assert len(matches) == contract.MAX_LIST_ITEMS


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_one_action_call_waits_on_429s_at_most_the_cap(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A huge Retry-After on every day of a week-long search holds the call for at most the cap."""
    freezer.move_to(NOW)
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)

    monkeypatch.setattr(
        client_factory,
        "PlaytomicClient",
        functools.partial(client_factory.PlaytomicClient, sleep=record),
    )
    from tests.helpers import setup_integration

    await setup_integration(hass, mock_config_entry)
    waits.clear()
    fake_playtomic.rate_limit("GET", "^/v1/availability", retry_after="100000", count=None)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "find_slots",
            {
                "config_entry_id": mock_config_entry.entry_id,
                "date": "2026-03-02",
                "end_date": "2026-03-08",
            },
            blocking=True,
            return_response=True,
        )
    tally("bounds")
    assert err.value.translation_key == "reason_rate_limited"
    assert sum(waits) <= contract.ACTION_RETRY_WAIT_CAP_SECONDS
