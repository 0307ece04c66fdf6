"""The Playtomic integration: book padel courts from Home Assistant."""

from __future__ import annotations

from datetime import date

from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED, ConfigEntryChange
from homeassistant.const import CONF_EMAIL, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.typing import ConfigType

from .api import PlaytomicError, TokenPair
from .book_now import async_book, payment_policy
from .cancellation_watch import CancellationWatch, async_remove_watch_state
from .client_factory import create_client
from .config_flow import entry_title
from .const import CONF_DRY_RUN, CONF_TOKENS, DOMAIN
from .coordinator import AvailabilityCoordinator, MatchesCoordinator
from .engine import AttemptResult, BookingEngine, Reason, reason_of
from .entity import account_device_info
from .failures import reason_translation
from .health import ApiHealth
from .history import ResultHistory
from .reminders import CancellationReminders, async_remove_reminders_state
from .repairs import (
    async_delete_auth_issue,
    async_delete_edge_blocked_issue,
    async_delete_entry_issues,
    async_raise_edge_blocked_issue,
    async_sync_unusable_rule_issues,
)
from .results import async_report_result, signal_result
from .rule_entries import rule_subentries, rules_of, unusable_rules
from .runtime import PlaytomicConfigEntry, PlaytomicRuntimeData
from .scheduler import ReleaseScheduler, async_remove_state
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, for every account."""
    async_setup_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: PlaytomicConfigEntry) -> bool:
    """1.1 -> 1.2: a title that is still the e-mail as typed becomes the e-mail lower-cased (and
    with it the account device's name); a title the user chose is left alone."""
    if entry.version > 1:
        return False  # written by a newer release: refuse rather than guess
    if entry.minor_version < 2:
        email = entry.data.get(CONF_EMAIL)
        title = entry.title
        if isinstance(email, str) and title == email:
            title = entry_title(email)
        hass.config_entries.async_update_entry(entry, title=title, minor_version=2)
    return True


def _rule_ids(entry: PlaytomicConfigEntry) -> frozenset[str]:
    return frozenset(rule_subentries(entry))


async def async_setup_entry(hass: HomeAssistant, entry: PlaytomicConfigEntry) -> bool:
    """Log in, load the first data, and set up the platforms."""

    @callback
    def save_tokens(tokens: TokenPair) -> None:
        # Refresh tokens rotate (docs/playtomic-api.md §2.2): the new pair must be stored before anything else.
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_TOKENS: tokens.to_dict()}
        )

    client = create_client(hass, entry.data, on_tokens=save_tokens)
    try:
        await client.ensure_token()
    except PlaytomicError as err:
        reason = reason_of(err)
        if reason is Reason.AUTH_FAILED:
            raise ConfigEntryAuthFailed(**reason_translation(reason)) from err
        if reason is Reason.EDGE_BLOCKED:
            async_raise_edge_blocked_issue(hass, entry)
        raise ConfigEntryNotReady(**reason_translation(reason)) from err
    async_delete_auth_issue(hass, entry)
    async_delete_edge_blocked_issue(hass, entry)
    # Rule edits reload the entry, so once per setup tells about every unusable rule.
    async_sync_unusable_rule_issues(hass, entry, unusable_rules(entry))

    health = ApiHealth()
    matches = MatchesCoordinator(hass, entry, client, health)
    availability = AvailabilityCoordinator(hass, entry, client, health, matches)
    history = ResultHistory(hass, entry.entry_id)
    await history.async_load()

    async def watch_book(rule_id: str, day: date) -> AttemptResult:
        return await async_book(hass, entry, rule_id=rule_id, day=day, trigger="watch")

    watch = CancellationWatch(
        hass,
        entry,
        client=client,
        matches=matches,
        availability=availability,
        book=watch_book,
        background=lambda coro, name: entry.async_create_background_task(hass, coro, name),
    )
    # Restored before the first round, so that round already looks at the watched days.
    await watch.async_load()
    availability.watched = watch.watched
    await matches.async_config_entry_first_refresh()
    await availability.async_config_entry_first_refresh()

    entry.runtime_data = PlaytomicRuntimeData(
        client=client,
        engine=BookingEngine(client),
        matches=matches,
        availability=availability,
        history=history,
        health=health,
        watch=watch,
    )
    # Registered before the platforms so rule devices can point at it by registry id.
    account_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **account_device_info(entry)
    )
    entry.runtime_data.account_device_id = account_device.id

    # Rules are subentries. Editing a rule reloads through its flow; adding or removing one does
    # not, so watch the set of rule ids. Token and auto-book writes change no id: no reload.
    known_rules = _rule_ids(entry)

    @callback
    def entry_changed(change: ConfigEntryChange, changed: PlaytomicConfigEntry) -> None:
        if (
            change is ConfigEntryChange.UPDATED
            and changed.entry_id == entry.entry_id
            and _rule_ids(changed) != known_rules
        ):
            hass.config_entries.async_schedule_reload(entry.entry_id)

    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)
    )

    # Before the scheduler starts: a release missed while Home Assistant was down is watched.
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_result(entry.entry_id), watch.async_result)
    )
    entry.async_on_unload(availability.async_add_listener(watch.async_round))

    reminders = CancellationReminders(hass, entry)
    await reminders.async_load()
    entry.async_on_unload(reminders.async_stop)
    # Own bookings and the clubs' policies (cached by the rounds) decide the reminders.
    entry.async_on_unload(matches.async_add_listener(reminders.async_plan))
    entry.async_on_unload(availability.async_add_listener(reminders.async_plan))
    reminders.async_plan()

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await _async_start_scheduler(hass, entry)
    return True


async def _async_start_scheduler(hass: HomeAssistant, entry: PlaytomicConfigEntry) -> None:
    """Arm the release timers once the entities listen (a missed release is reported to them)."""
    runtime = entry.runtime_data

    async def report(result: AttemptResult) -> None:
        await async_report_result(hass, entry, result)
        # A new own booking takes its date out of the plan and out of the open slots.
        await runtime.matches.async_request_refresh()

    scheduler = ReleaseScheduler(
        hass,
        entry_id=entry.entry_id,
        engine=runtime.engine,
        rules=lambda: rules_of(entry),
        own_matches=lambda: runtime.matches.data or [],
        club=runtime.availability.async_get_club,
        payment_policy=lambda: payment_policy(entry.options),
        dry_run=lambda: bool(entry.options.get(CONF_DRY_RUN, False)),
        report=report,
        background=lambda coro, name: entry.async_create_background_task(hass, coro, name),
    )
    runtime.scheduler = scheduler
    entry.async_on_unload(scheduler.async_stop)
    # Own matches decide which dates still need a booking: replan whenever they change.
    entry.async_on_unload(runtime.matches.async_add_listener(scheduler.async_replan))
    await scheduler.async_start()


async def async_unload_entry(hass: HomeAssistant, entry: PlaytomicConfigEntry) -> bool:
    """Unload the platforms; coordinators and timers stop with them."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: PlaytomicConfigEntry) -> None:
    """Forget the booking history and the issues of a removed account."""
    await ResultHistory(hass, entry.entry_id).async_remove()
    await async_remove_state(hass, entry.entry_id)
    await async_remove_watch_state(hass, entry.entry_id)
    await async_remove_reminders_state(hass, entry.entry_id)
    async_delete_entry_issues(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PlaytomicConfigEntry, device: DeviceEntry
) -> bool:
    """Allow deleting a rule device whose rule is gone; the account device stays."""
    live = {(DOMAIN, str(entry.unique_id))} | {
        (DOMAIN, f"{entry.unique_id}_{rule_id}") for rule_id in _rule_ids(entry)
    }
    return not any(identifier in live for identifier in device.identifiers)
