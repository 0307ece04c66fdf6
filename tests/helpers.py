"""Helpers shared by the integration tests (kept out of tests/__init__.py so that
`python -m tests.fake_playtomic` does not import Home Assistant)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.playtomic.const import DOMAIN, SUBENTRY_BOOKING_RULE

from .const import ALICE_EMAIL, ALICE_ID, ALICE_PASSWORD


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
