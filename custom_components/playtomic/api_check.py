"""The `check_api` self-check: run it, keep its report for diagnostics, tell about mismatches.

The check itself is HA-free (`api/selfcheck.py`); this module picks the club and the day,
stores the last report on the entry's runtime data and keeps the Repairs issue in step with it.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .api.selfcheck import ApiCheckReport, check_api
from .repairs import async_sync_api_check_issue
from .rule_entries import rules_of
from .runtime import PlaytomicConfigEntry


async def async_check_api(
    hass: HomeAssistant, entry: PlaytomicConfigEntry, tenant_id: str | None = None
) -> ApiCheckReport:
    """Read each endpoint once (no booking request); the club defaults to the first rule's."""
    if tenant_id is None:
        tenant_id = next((rule.tenant_id for rule in rules_of(entry).values()), None)
    now = dt_util.utcnow()
    report = await check_api(
        entry.runtime_data.client,
        tenant_id=tenant_id,
        day=lambda club: now.astimezone(club.zone).date(),
        now=now,
    )
    entry.runtime_data.api_check = report
    async_sync_api_check_issue(hass, entry, report)
    return report
