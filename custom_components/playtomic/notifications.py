"""Tell a rule's notify targets how a booking attempt ended.

Texts come from the integration's translations (category `exceptions`, keys `notify_*` and
`reason_*`), so a Spanish Home Assistant sends Spanish messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.translation import async_get_translations
import voluptuous as vol

from .api import Match
from .const import DEFAULT_SPORT, DOMAIN, LOGGER, WEEKDAYS
from .engine.outcome import AttemptResult, Outcome
from .engine.reasons import Reason

NOTIFY_DOMAIN = "notify"


def notify_service_name(value: str) -> str:
    """`notify.mobile_app_x` or ` mobile_app_x `: the service name a rule stores and the notify
    domain is called with ("" when nothing is left). Users tend to type the prefix."""
    return value.strip().removeprefix(f"{NOTIFY_DOMAIN}.").strip()


# A sentence added to a message: its `exceptions` key and placeholders.
type Note = tuple[str, Mapping[str, Any]]
_FALLBACK_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class _Blank(dict[str, str]):
    """Leaves unknown placeholders empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""


async def async_texts(hass: HomeAssistant) -> dict[str, str]:
    """The integration's texts in the user's language (`selector` and `exceptions`)."""
    texts: dict[str, str] = {}
    # Weekday, sport and payment names come from the forms' selectors, the rest from `exceptions`.
    for category in ("selector", "exceptions"):
        texts.update(await async_get_translations(hass, hass.config.language, category, {DOMAIN}))
    return texts


def _text(texts: Mapping[str, str], key: str, **values: Any) -> str:
    template = texts.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
    return template.format_map(_Blank({k: "" if v is None else str(v) for k, v in values.items()}))


def _when(texts: Mapping[str, str], result: AttemptResult) -> str | None:
    """Weekday, date and time of the slot, club-local."""
    local = result.local_start
    if local is None:
        return result.target_date.isoformat() if result.target_date else None
    return _local_when(texts, local)


def _local_when(texts: Mapping[str, str], local: datetime) -> str:
    """ "Tuesday 2026-03-03 18:00" in the user's language."""
    weekday = texts.get(
        f"component.{DOMAIN}.selector.weekdays.options.{WEEKDAYS[local.weekday()]}",
        _FALLBACK_WEEKDAYS[local.weekday()],
    )
    return f"{weekday} {local.date().isoformat()} {local.strftime('%H:%M')}"


def details(texts: Mapping[str, str], result: AttemptResult) -> str:
    """Club, court, day and time, duration and price, as far as they are known."""
    parts = [
        result.club_name,
        result.court_name,
        _when(texts, result),
        f"{result.duration} min" if result.duration else None,
        result.price,
        payment_text(texts, result.payment_method),
    ]
    return ", ".join(part for part in parts if part)


def payment_text(texts: Mapping[str, str], category: str | None) -> str | None:
    """The payment category in the words of the options form ("Pay at the club")."""
    if not category:
        return None
    return texts.get(f"component.{DOMAIN}.selector.payment_methods.options.{category}", category)


def link_text(texts: Mapping[str, str], link: str) -> str:
    """The link as short Markdown text: persistent notifications render it, and companion
    apps open the same link on a tap (`url`/`clickAction`), so nobody reads a raw address."""
    return f"[{_text(texts, 'notify_link')}]({link})"


def reason_text(texts: Mapping[str, str], reason: Reason | None) -> str:
    """The reason code in plain words (every code of the closed set has a text)."""
    return _text(texts, f"reason_{reason.value}") if reason else ""


def text_template(texts: Mapping[str, str], key: str) -> str:
    """One translated text with its placeholders left in (for texts built later, in sync code)."""
    return texts.get(f"component.{DOMAIN}.exceptions.{key}.message", key)


def sport_text(texts: Mapping[str, str], sport_id: str | None) -> str:
    """The sport in the words of the club step's list ("Pádel"); an id it does not list as is,
    capitalised."""
    sport = sport_id or DEFAULT_SPORT
    return texts.get(
        f"component.{DOMAIN}.selector.sport.options.{sport.lower()}", sport.capitalize()
    )


async def async_compose_reminder(
    hass: HomeAssistant,
    match: Match,
    *,
    rule_name: str,
    deadline: datetime,
    zone: ZoneInfo,
    link: str,
) -> tuple[str, str]:
    """Title and message of a free-cancellation reminder."""
    texts = await async_texts(hass)
    when = _local_when(texts, match.start.astimezone(zone))
    details = ", ".join(part for part in (match.tenant_name, match.resource_name, when) if part)
    values = {
        "rule": rule_name,
        "details": details,
        "deadline": local_text(deadline, zone),
        "link": link,
    }
    return (
        _text(texts, "notify_title_reminder", **values),
        _text(texts, "notify_message_reminder", **values),
    )


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as the club-local date and time the messages show."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


async def async_compose(
    hass: HomeAssistant,
    result: AttemptResult,
    *,
    rule_name: str,
    link: str,
    notes: Sequence[Note] = (),
) -> tuple[str, str]:
    """Title and message of the notification for one result, with the notes appended."""
    texts = await async_texts(hass)
    values = {
        "rule": rule_name,
        "club": result.club_name,
        "details": details(texts, result),
        "reason": reason_text(texts, result.reason),
        "link": link_text(texts, link),
    }
    title = _text(texts, f"notify_title_{result.outcome.value}", **values)
    if result.outcome is Outcome.BOOKED:
        message_key = "notify_message_booked"
    elif result.outcome is Outcome.DRY_RUN:
        message_key = "notify_message_dry_run"
    else:
        message_key = "notify_message_failed"
    message = " ".join(
        [_text(texts, message_key, **values).strip()]
        + [_text(texts, key, **placeholders) for key, placeholders in notes]
    )
    return title, message


async def async_notify_result(
    hass: HomeAssistant,
    targets: tuple[str, ...],
    result: AttemptResult,
    *,
    rule_name: str,
    link: str,
    missing: set[str],
    notes: Sequence[Note] = (),
) -> None:
    """Send the result to every target; a missing or failing service never raises."""
    if not targets:
        return
    title, message = await async_compose(hass, result, rule_name=rule_name, link=link, notes=notes)
    await async_send(hass, targets, title, message, link=link, missing=missing)


async def async_send(
    hass: HomeAssistant,
    targets: Sequence[str],
    title: str,
    message: str,
    *,
    link: str,
    missing: set[str],
) -> None:
    """Send one message to every target; a missing or failing service never raises."""
    for raw_target in targets:
        target = notify_service_name(raw_target)
        if not hass.services.has_service(NOTIFY_DOMAIN, target):
            if target not in missing:
                missing.add(target)
                LOGGER.warning("Notify service notify.%s does not exist; skipping it", target)
            continue
        missing.discard(target)
        try:
            await hass.services.async_call(
                NOTIFY_DOMAIN,
                target,
                {
                    "title": title,
                    "message": message,
                    # Companion apps open `url` (iOS) or `clickAction` (Android) on tap.
                    "data": {"url": link, "clickAction": link},
                },
                blocking=True,
            )
        except (HomeAssistantError, vol.Invalid) as err:
            LOGGER.warning("Notification via notify.%s failed: %s", target, err)
