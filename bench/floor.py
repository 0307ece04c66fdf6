"""The protocol floor: what create + PATCH + confirm cost with nothing but bare aiohttp."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
import statistics
import time as _time
from zoneinfo import ZoneInfo

import aiohttp

from custom_components.playtomic.api import contract


async def protocol_floor(
    session: aiohttp.ClientSession,
    base_url: str,
    *,
    access_token: str,
    user_id: str,
    tenant_id: str,
    courts: Sequence[str],
    first_day: date,
    zone: ZoneInfo,
    trials: int = 15,
) -> float:
    """Create, PATCH, confirm sent back to back on already-released slots (three round trips
    plus the server's time), median of `trials` in ms. Slots: 09:00 and 10:30 on the four
    `courts`, on `first_day` and the days after (books them)."""
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    times = []
    for trial in range(trials):
        start = datetime.combine(first_day + timedelta(days=trial // 8), time(9, 0), tzinfo=zone)
        start += timedelta(minutes=90 * (trial % 8 // 4))
        body = contract.payment_intent_body(
            user_id=user_id,
            tenant_id=tenant_id,
            resource_id=courts[trial % 4],
            start=start.astimezone(UTC).strftime(contract.WIRE_DATETIME_FORMAT),
            duration=90,
            number_of_players=4,
        )
        began = _time.perf_counter()
        async with session.post(f"{base_url}/v1/payment_intents", json=body, headers=headers) as r:
            intent = (await r.json())["payment_intent_id"]
        async with session.patch(
            f"{base_url}/v1/payment_intents/{intent}",
            json=contract.select_method_body("CASH"),
            headers=headers,
        ) as r:
            await r.read()
        async with session.post(
            f"{base_url}/v1/payment_intents/{intent}/confirmation", headers=headers
        ) as r:
            assert r.status == 200, await r.text()
            await r.read()
        times.append((_time.perf_counter() - began) * 1000)
    return statistics.median(times)
