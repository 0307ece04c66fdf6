"""The account's own matches (§6, §11.3): the list read and the filter that keeps only ours.

Used by the client's match reads and by the booking steps' reconciliation (§8 rule 2), so both
see the same list.
"""

from __future__ import annotations

import logging

from . import contract
from .models import Match, matches_from_json
from .session import ApiSession

_LOGGER = logging.getLogger(__name__)


async def list_matches(session: ApiSession) -> list[Match]:
    """The matches list exactly as the server answered it, nobody's filtered out (§11.3)."""
    payload = await session.get_json(contract.PATH_MATCHES, contract.matches_params())
    return matches_from_json(payload)


async def own_matches(session: ApiSession, *, upcoming_only: bool) -> list[Match]:
    """Own matches, oldest first; `upcoming_only` drops inactive and finished ones.

    §11.3: a server that ignores `user_id=me` returns other people's matches, so only those
    naming the account are kept: someone else's match must never look like our booking.
    """
    user_id = await session.require_user_id()
    listed = await list_matches(session)
    matches = [m for m in listed if m.belongs_to(user_id)]
    if len(matches) != len(listed):
        _LOGGER.debug("Ignored %s listed matches of other players", len(listed) - len(matches))
    if upcoming_only:
        now = session.now()
        matches = [m for m in matches if not m.is_inactive and m.end > now]
    return sorted(matches, key=lambda m: (m.start, m.match_id))
