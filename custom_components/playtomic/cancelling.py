"""Cancelling an own match: the `cancel_booking` action and deleting a calendar event."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .api import PlaytomicError
from .const import DOMAIN
from .engine.reasons import Reason, reason_of
from .failures import client_error
from .runtime import PlaytomicConfigEntry


def _invalid(key: str, match_id: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"match_id": match_id},
    )


async def async_cancel_match(
    hass: HomeAssistant, entry: PlaytomicConfigEntry, match_id: str
) -> None:
    """Cancel the match; the own matches (calendar, sensors) are refreshed after."""
    runtime = entry.runtime_data
    try:
        await runtime.client.cancel_match(match_id)
    except PlaytomicError as err:
        reason = reason_of(err)
        if reason is Reason.NOT_FOUND:
            raise _invalid("match_not_found", match_id) from err
        if reason is Reason.SLOT_TAKEN:  # a 409: the match is past its cancellation point
            raise _invalid("match_not_cancelable", match_id) from err
        raise client_error(hass, entry, err) from err
    await runtime.matches.async_refresh()


def match_not_cancelable(match_id: str) -> ServiceValidationError:
    """A match that has started (or is not ours) cannot be cancelled from here."""
    return _invalid("match_not_cancelable", match_id)
