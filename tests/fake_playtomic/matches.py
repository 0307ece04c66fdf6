"""The user's bookings: list, one match, cancellation (docs/playtomic-api.md §6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .auth import current_user
from .models import CANCELED, FakeMatch
from .responses import (
    MATCH_NOT_CANCELABLE,
    NOT_FOUND,
    InvalidBodyError,
    api_error,
    bad_parameters,
    json_body,
    json_ok,
)
from .wire import naive_utc, non_negative_int, parse_utc

if TYPE_CHECKING:
    from .server import FakePlaytomic

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def match_json(fake: FakePlaytomic, match: FakeMatch) -> dict[str, Any]:
    club = fake.state.clubs[match.tenant_id]
    court = club.court(match.resource_id)
    players = 2 if court is not None and court.size == "single" else 4
    per_team = players // 2
    return {
        "match_id": match.match_id,
        "owner_id": match.owner_id,
        "status": match.status,
        "sport_id": court.sport if court else club.sport,
        "start_date": naive_utc(match.start),
        "end_date": naive_utc(match.end),
        "created_at": naive_utc(match.created_at),
        "resource_id": match.resource_id,
        "resource_name": court.name if court else "",
        "price": match.price,
        "tenant": {
            "tenant_id": club.tenant_id,
            "tenant_name": club.name,
            "address": {"timezone": club.timezone},
        },
        "teams": [
            {
                "team_id": "0",
                "min_players": per_team,
                "max_players": per_team,
                "players": [{"user_id": match.owner_id, "name": match.owner_name}],
            },
            {"team_id": "1", "min_players": per_team, "max_players": per_team, "players": []},
        ],
        "match_type": "PRIVATE",
        "visibility": "PRIVATE",
    }


class MatchHandlers:
    def __init__(self, fake: FakePlaytomic) -> None:
        self._fake = fake

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/v1/matches", self.list_matches),
            web.get("/v1/matches/{match_id}", self.get),
            web.post("/v1/matches/{match_id}/cancellation", self.cancel),
        ]

    async def list_matches(self, request: web.Request) -> web.Response:
        query = request.query
        # docs/playtomic-api.md §11.3, the app's behaviour: only `user_id` filters ("me" = the caller);
        # `owner_id` is not a filter, and a list without `user_id` holds other people's
        # matches too. `ignore_user_filter` models a server that ignores `user_id` as well.
        wanted = query.get("user_id")
        if wanted == "me":
            wanted = current_user(request)
        matches = list(self._fake.state.matches)
        if wanted is not None and not self._fake.variants.ignore_user_filter:
            matches = [m for m in matches if m.owner_id == wanted]
        for name in ("status", "match_status"):
            if statuses := query.get(name):
                allowed = {s.strip().upper() for s in statuses.split(",")}
                matches = [m for m in matches if m.status in allowed]
        bounds = {}
        for name in ("start_min", "start_max"):
            if (text := query.get(name)) is not None:
                if (bound := parse_utc(text)) is None:
                    return bad_parameters(f"{name} must be YYYY-MM-DDTHH:MM:SS")
                bounds[name] = bound
        if "start_min" in bounds:
            matches = [m for m in matches if m.start >= bounds["start_min"]]
        if "start_max" in bounds:
            matches = [m for m in matches if m.start <= bounds["start_max"]]
        # `start_date,desc` or the app's `start_date,created_at,ASC`: fields, then a direction.
        parts = [p.strip() for p in query.get("sort", "start_date,asc").split(",") if p.strip()]
        descending = bool(parts) and parts[-1].lower() == "desc"
        fields = [p for p in parts if p.lower() not in ("asc", "desc")] or ["start_date"]
        keys = ["created_at" if f == "created_at" else "start" for f in fields]
        matches.sort(key=lambda m: tuple(getattr(m, k) for k in keys), reverse=descending)
        size = non_negative_int(query.get("size"), DEFAULT_PAGE_SIZE)
        page = non_negative_int(query.get("page"), 0)
        if size is None or page is None:
            return bad_parameters("page and size must be non-negative integers")
        size = min(size, MAX_PAGE_SIZE)
        chosen = [match_json(self._fake, m) for m in matches[page * size : (page + 1) * size]]
        if not self._fake.variants.matches_paged:
            return json_ok(chosen)
        pages = (len(matches) + size - 1) // size if size else 0
        return json_ok(
            {
                "content": chosen,
                "number": page,
                "size": size,
                "total_elements": len(matches),
                "total_pages": pages,
                "last": page >= pages - 1,
            }
        )

    async def get(self, request: web.Request) -> web.Response:
        match = self._fake.state.find_match(request.match_info["match_id"])
        if match is None:
            return api_error(404, NOT_FOUND, "Match not found")
        return json_ok(match_json(self._fake, match))

    async def cancel(self, request: web.Request) -> web.Response:
        state = self._fake.state
        match = state.find_match(request.match_info["match_id"])
        if match is None:
            return api_error(404, NOT_FOUND, "Match not found")
        try:
            body = await json_body(request)
        except InvalidBodyError:
            return bad_parameters("Body is not JSON")
        if body is not None and not isinstance(body, dict):
            return bad_parameters("Body must be a JSON object")
        if match.owner_id != current_user(request):
            return api_error(403, "FORBIDDEN", "Only the owner can cancel this match")
        if match.status == CANCELED:
            return api_error(409, MATCH_NOT_CANCELABLE, "The match is already cancelled")
        if not state.cancel(match):
            return api_error(409, MATCH_NOT_CANCELABLE, "The match has already started")
        return json_ok(match_json(self._fake, match))
