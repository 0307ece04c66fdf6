"""Helpers shared by the integration tests (kept out of tests/__init__.py so that
`python -m tests.fake_playtomic` does not import Home Assistant)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.playtomic.const import DOMAIN, EVENT_BOOKING_SUCCEEDED, SUBENTRY_BOOKING_RULE

from .const import ALICE_EMAIL, ALICE_ID, ALICE_PASSWORD, NORTE_ID, RULE_DATA, RULE_SUBENTRY_ID
from .fake_playtomic import DailyDrop as FakeDailyDrop, FakePlaytomic

MADRID = ZoneInfo("Europe/Madrid")


async def setup_integration(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry and set it up (the fake server must be running)."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float) -> None:
    """Move Home Assistant's (and the fake's) clock on and let every timer due by then run."""
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def record_notify(hass: HomeAssistant, name: str = "mobile_app_alice_phone") -> list[dict]:
    """Register a fake `notify.<name>` that records the data of every call."""
    calls: list[dict] = []

    async def handle(call) -> None:
        calls.append(dict(call.data))

    hass.services.async_register("notify", name, handle)
    return calls


def disable_backoff(monkeypatch) -> None:
    """Let the client retry without real sleeps (its backoff is 1 s, 2 s, 4 s)."""
    import functools

    from custom_components.playtomic import client_factory

    async def no_sleep(_delay: float) -> None:
        return None

    monkeypatch.setattr(
        client_factory,
        "PlaytomicClient",
        functools.partial(client_factory.PlaytomicClient, sleep=no_sleep),
    )


# Forms ------------------------------------------------------------------------------------------

# The rule form's sections, as a user sees them (written out here, not imported, so that a field
# moved to another section in the integration shows up as a failing test).
RULE_FORM_SECTIONS: dict[str, tuple[str, ...]] = {
    "when": (
        "weekdays",
        "window_start",
        "window_end",
        "duration",
        "preferred_start",
        "courts",
        "only_courts",
        "court_size",
        "court_type",
    ),
    "release": ("release_model", "days_ahead", "release_time", "rolling_minutes"),
    "booking": (
        "auto_book",
        "notify",
        "watch",
        "watch_open_dates",
        "watch_cutoff_hours",
        "reminder_hours",
    ),
}


def sectioned(flat: dict[str, Any]) -> dict[str, Any]:
    """Form input written flat, nested into the rule form's sections (other keys stay on top)."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        section_name = next((s for s, keys in RULE_FORM_SECTIONS.items() if key in keys), None)
        if section_name is None:
            nested[key] = value
        else:
            nested.setdefault(section_name, {})[key] = value
    return nested


def form_fields(result: Any) -> dict[str, tuple[Any, Any]]:
    """(marker, validator) of every field of a form, the fields of its sections included."""
    fields: dict[str, tuple[Any, Any]] = {}
    for marker, validator in result["data_schema"].schema.items():
        inner = getattr(validator, "schema", None)
        if inner is not None and hasattr(validator, "options"):  # a data_entry_flow.section
            fields.update(
                {str(m): (m, v) for m, v in inner.schema.items()}  # type: ignore[union-attr]
            )
        else:
            fields[str(marker)] = (marker, validator)
    return fields


def form_defaults(result: Any) -> dict[str, Any]:
    """Default values of a form's fields (fields without a default are left out)."""
    return {
        name: marker.default()
        for name, (marker, _) in form_fields(result).items()
        if callable(marker.default)
    }


def form_suggested(result: Any) -> dict[str, Any]:
    """Suggested (prefilled) values of a form's fields."""
    return {
        name: marker.description["suggested_value"]
        for name, (marker, _) in form_fields(result).items()
        if marker.description and "suggested_value" in marker.description
    }


def form_options(result: Any, field: str) -> list[Any]:
    """Options of a select field, as (value, label) pairs or plain values."""
    selector = form_fields(result)[field][1]
    return [
        (option["value"], option["label"]) if isinstance(option, dict) else option
        for option in selector.config["options"]
    ]


def entry_with_rules(
    rules: dict[str, dict[str, Any]] | None = None,
    *,
    options: dict[str, Any] | None = None,
    entry_id: str | None = None,
    **data: Any,
) -> MockConfigEntry:
    """Alice's account with the given rules by subentry id (titled with the rule's name).

    By default it pays at the club, makes no dry run and stores no tokens; `data` adds to (or
    replaces) the account's stored data.
    """
    extra = {"entry_id": entry_id} if entry_id is not None else {}
    return MockConfigEntry(
        domain=DOMAIN,
        title=ALICE_EMAIL,
        unique_id=ALICE_ID,
        data={"email": ALICE_EMAIL, "password": ALICE_PASSWORD, "user_id": ALICE_ID, **data},
        options=options
        if options is not None
        else {"payment_methods": ["at_club"], "dry_run": False},
        subentries_data=[
            {
                "data": rule,
                "subentry_id": subentry_id,
                "subentry_type": SUBENTRY_BOOKING_RULE,
                "title": rule["name"],
                "unique_id": None,
            }
            for subentry_id, rule in (rules or {}).items()
        ],
        **extra,
    )


# A real-time release ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseSoon:
    """Alice's rule pointed at a Club Padel Norte daily drop a few (real) seconds ahead."""

    entry: MockConfigEntry
    release_at: datetime  # UTC, whole seconds
    target: date  # the club-local date the drop opens


async def rule_with_release_soon(
    hass: HomeAssistant, fake: FakePlaytomic, seconds: int = 3
) -> ReleaseSoon:
    """Set up Alice's rule with auto-book off, then move the club's daily drop to whole seconds
    ahead (the rule stores whole seconds) and point the rule at it (its weekday only, so no other
    date of the rule is open at the club). Nothing is armed yet: `arm_auto_book` does that, so a
    slow set-up (a loaded machine) cannot let the release pass before it is armed."""
    rule_data = {
        **RULE_DATA,
        "window_start": "08:00:00",
        "window_end": "23:00:00",
        "days_ahead": 1,
        "auto_book": False,
        "notify": [],
    }
    entry = entry_with_rules({RULE_SUBENTRY_ID: rule_data})
    await setup_integration(hass, entry)
    release_local = (datetime.now(MADRID) + timedelta(seconds=seconds)).replace(microsecond=0)
    fake.set_release(NORTE_ID, FakeDailyDrop(days_ahead=1, time=release_local.time()))
    target = release_local.date() + timedelta(days=1)
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[RULE_SUBENTRY_ID],
        data={
            **rule_data,
            "weekdays": [("mon", "tue", "wed", "thu", "fri", "sat", "sun")[target.weekday()]],
            "release_time": release_local.time().isoformat(),
        },
    )
    return ReleaseSoon(entry=entry, release_at=release_local.astimezone(UTC), target=target)


async def arm_auto_book(hass: HomeAssistant) -> asyncio.Event:
    """Switch the rule's auto-book on (which arms it); the event is set by the first success."""
    booked = asyncio.Event()
    hass.bus.async_listen_once(EVENT_BOOKING_SUCCEEDED, callback(lambda _event: booked.set()))
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.weekday_evenings_auto_book"}, blocking=True
    )
    await hass.async_block_till_done()
    return booked


async def wait_booked(hass: HomeAssistant, booked: asyncio.Event) -> None:
    """Wait (at most 20 real seconds) for the armed release to book."""
    async with asyncio.timeout(20):
        await booked.wait()
    await hass.async_block_till_done()
