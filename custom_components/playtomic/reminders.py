"""Free cancellation: each own booking's deadline, and the reminder a rule sends before it.

The deadline comes from the club's cancellation policy for the match's sport, else the club's
default policy (docs/playtomic-api.md §6; `Club.free_cancellation_deadline`); without a known policy there is
no deadline and no reminder. A rule with a reminder (hours, off by default) tells its notify
targets that many hours before the deadline of every own booking it covers, with the match
link, so a court nobody can use is given back in time. Sent reminders are kept in a `Store`, so
a restart never sends one twice; one whose moment passed while Home Assistant was down is sent
at start-up if the deadline is still ahead.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import Match
from .api.links import match_link
from .const import DEFAULT_SPORT, DOMAIN, LOGGER
from .engine import covered_dates
from .notifications import async_compose_reminder, async_send
from .rule_entries import notify_targets, rules_of

if TYPE_CHECKING:
    from .runtime import PlaytomicConfigEntry

STORE_VERSION = 1


def reminders_store_key(entry_id: str) -> str:
    """Storage key of an entry's sent reminders."""
    return f"{DOMAIN}.reminders.{entry_id}"


def free_cancellation_deadline(entry: PlaytomicConfigEntry, match: Match) -> datetime | None:
    """Until when an own booking can be cancelled for free (None: the club's policy is unknown)."""
    if match.tenant_id is None:
        return None
    club = entry.runtime_data.availability.cached_club(match.tenant_id)
    if club is None:
        return None
    return club.free_cancellation_deadline(match.start, match.sport_id or DEFAULT_SPORT)


class CancellationReminders:
    """One timer per own booking a rule wants a reminder for."""

    def __init__(self, hass: HomeAssistant, entry: PlaytomicConfigEntry) -> None:
        """Bind the entry; nothing is read until `async_load`."""
        self.hass = hass
        self.entry = entry
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, reminders_store_key(entry.entry_id)
        )
        # Match id -> the deadline its reminder was sent for.
        self._sent: dict[str, str] = {}
        self._timers: dict[str, tuple[datetime, CALLBACK_TYPE]] = {}

    async def async_load(self) -> None:
        """Restore which reminders were sent; anything unreadable is dropped."""
        stored = await self._store.async_load() or {}
        sent = stored.get("sent") if isinstance(stored, dict) else None
        if isinstance(sent, dict):
            self._sent = {str(key): str(value) for key, value in sent.items()}

    @callback
    def async_stop(self) -> None:
        """Cancel every timer (the entry unloads)."""
        for _when, unsub in self._timers.values():
            unsub()
        self._timers.clear()

    @callback
    def async_plan(self) -> None:
        """(Re)arm the reminders of the current own bookings; called whenever they change."""
        now = dt_util.utcnow()
        matches = self.entry.runtime_data.matches.data or []
        rules = rules_of(self.entry)
        wanted: dict[str, tuple[datetime, str]] = {}
        for match in matches:
            deadline = free_cancellation_deadline(self.entry, match)
            if deadline is None or deadline <= now or match.match_id in self._sent:
                continue
            rule = next(
                (
                    rule
                    for rule in rules.values()
                    if rule.reminder is not None and covered_dates(rule, [match])
                ),
                None,
            )
            if rule is not None and rule.reminder is not None:
                wanted[match.match_id] = (max(now, deadline - rule.reminder), rule.rule_id)
        for match_id in list(self._timers):
            when, unsub = self._timers[match_id]
            if match_id not in wanted or wanted[match_id][0] != when:
                unsub()
                del self._timers[match_id]
        for match_id, (when, rule_id) in wanted.items():
            if match_id not in self._timers:
                self._arm(match_id, rule_id, when)
        # Matches no longer listed (played or cancelled) need no memory.
        listed = {match.match_id for match in matches}
        if stale := [key for key in self._sent if key not in listed]:
            for key in stale:
                del self._sent[key]
            self._save()

    def _arm(self, match_id: str, rule_id: str, when: datetime) -> None:
        @callback
        def fire(_now: datetime | None = None) -> None:
            self._timers.pop(match_id, None)
            # Claimed at once: a replan while the message is on its way must not send it again.
            self._sent[match_id] = ""
            self.entry.async_create_background_task(
                self.hass, self._async_send(match_id, rule_id), f"{DOMAIN} reminder {match_id}"
            )

        if when <= dt_util.utcnow():
            # Due already (its moment passed while Home Assistant was down): send it now.
            fire()
            return
        self._timers[match_id] = (when, async_track_point_in_utc_time(self.hass, fire, when))

    async def _async_send(self, match_id: str, rule_id: str) -> None:
        runtime = self.entry.runtime_data
        match = next((m for m in runtime.matches.data or [] if m.match_id == match_id), None)
        rule = rules_of(self.entry).get(rule_id)
        deadline = free_cancellation_deadline(self.entry, match) if match else None
        if match is None or rule is None or deadline is None or deadline <= dt_util.utcnow():
            return
        link = match_link(match_id)
        title, message = await async_compose_reminder(
            self.hass, match, rule_name=rule.name, deadline=deadline, zone=rule.zone, link=link
        )
        LOGGER.debug("Free-cancellation reminder for rule %s", rule.name)
        self._sent[match_id] = deadline.isoformat()
        self._save()
        await async_send(
            self.hass,
            notify_targets(self.entry, rule_id),
            title,
            message,
            link=link,
            missing=runtime.missing_notify,
        )

    def _save(self) -> None:
        self.entry.async_create_background_task(
            self.hass, self._store.async_save({"sent": self._sent}), f"{DOMAIN} save reminders"
        )


async def async_remove_reminders_state(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed entry's sent reminders."""
    await Store[dict[str, Any]](hass, STORE_VERSION, reminders_store_key(entry_id)).async_remove()
