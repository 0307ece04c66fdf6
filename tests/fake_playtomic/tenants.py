"""Clubs and courts: tenant search, one tenant, its resources (docs/playtomic-api.md §3)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .club import FakeClub
from .models import FakeCourt
from .responses import NOT_FOUND, api_error, bad_parameters, json_ok
from .wire import non_negative_int

if TYPE_CHECKING:
    from .server import FakePlaytomic

# The server caps the page size, so clients must page until an empty page (docs/playtomic-api.md §3).
MAX_PAGE_SIZE = 20
DEFAULT_RADIUS_M = 50_000.0
EARTH_RADIUS_M = 6_371_000.0
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def resource_json(court: FakeCourt) -> dict[str, Any]:
    return {
        "resource_id": court.resource_id,
        "name": court.name,
        "sport_id": court.sport,
        "is_active": court.active,
        "properties": {
            "resource_type": "indoor" if court.indoor else "outdoor",
            "resource_size": court.size,
            "resource_feature": court.feature,
        },
        "booking_settings": {
            "start_time_policy": "ANY",
            "allowed_duration_increments": list(court.durations),
            "is_bookable_online": court.bookable_online,
            "allows_onsite_payment": True,
            "shared_resources": [],
        },
    }


def tenant_json(club: FakeClub) -> dict[str, Any]:
    opens, closes = club.opening
    hours = {"opening_time": opens.strftime("%H:%M"), "closing_time": closes.strftime("%H:%M")}
    policy = {"amount": club.cancel_hours, "unit": "HOURS"}
    return {
        "tenant_id": club.tenant_id,
        "tenant_uid": club.slug,
        "slug": club.slug,
        "tenant_name": club.name,
        "tenant_status": "ACTIVE",
        "playtomic_status": club.playtomic_status,
        "default_currency": club.currency,
        "address": {
            "street": club.street,
            "postal_code": club.postal_code,
            "city": club.city,
            "country": club.country,
            "country_code": club.country_code,
            "coordinate": {"lat": club.lat, "lon": club.lon},
            "timezone": club.timezone,
        },
        "sport_ids": club.sports,
        "opening_hours": {day: dict(hours) for day in WEEKDAYS},
        "booking_settings": {
            "booking_ahead_limit": club.release.ahead_minutes,
            "max_consecutive_bookable_time": 360,
            "max_bookable_time_per_day": 600,
            "max_number_of_active_bookings": None,
            "max_number_of_bookings_per_day": None,
        },
        "default_cancelation_policy": policy,
        "cancelation_policies": [
            {"sport_id": sport, "sport_ids": [sport], "duration": dict(policy)}
            for sport in club.sports
        ],
        "resources": [resource_json(court) for court in club.courts],
    }


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


class TenantHandlers:
    def __init__(self, fake: FakePlaytomic) -> None:
        self._fake = fake

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/v1/tenants", self.search),
            web.get("/v1/tenants/{tenant_id}", self.tenant),
            web.get("/v1/tenants/{tenant_id}/resources", self.resources),
        ]

    async def search(self, request: web.Request) -> web.Response:
        query = request.query
        clubs = list(self._fake.state.clubs.values())
        if name := query.get("tenant_name"):
            clubs = [club for club in clubs if name.lower() in club.name.lower()]
        if sport := query.get("sport_id"):
            clubs = [club for club in clubs if sport.upper() in club.sports]
        if status := query.get("playtomic_status"):
            clubs = [club for club in clubs if club.playtomic_status == status.upper()]
        if (coordinate := query.get("coordinate")) is not None:
            try:
                lat_text, lon_text = coordinate.split(",")
                lat, lon = float(lat_text), float(lon_text)
                radius = float(query.get("radius", DEFAULT_RADIUS_M))
            except ValueError:
                return bad_parameters("coordinate must be '<lat>,<lon>' and radius in metres")
            by_distance = sorted(
                (distance_m(lat, lon, club.lat, club.lon), index, club)
                for index, club in enumerate(clubs)
            )
            clubs = [club for dist, _index, club in by_distance if dist <= radius]
        size = non_negative_int(query.get("size"), MAX_PAGE_SIZE)
        page = non_negative_int(query.get("page"), 0)
        if size is None or page is None:
            return bad_parameters("page and size must be non-negative integers")
        size = min(size, MAX_PAGE_SIZE)
        chosen = clubs[page * size : (page + 1) * size]
        body = [tenant_json(club) for club in chosen]
        response = json_ok({"tenants": body} if self._fake.variants.tenants_wrapped else body)
        if size:
            # docs/playtomic-api.md §11.5: the list names its last page, as the app's server does.
            last = max(0, (len(clubs) + size - 1) // size - 1)
            url = request.url.update_query({"page": str(last)})
            response.headers["Link"] = f'<{url}>; rel="last"'
        return response

    async def tenant(self, request: web.Request) -> web.Response:
        club = self._fake.state.clubs.get(request.match_info["tenant_id"])
        if club is None:
            return api_error(404, NOT_FOUND, "Tenant not found")
        return json_ok(tenant_json(club))

    async def resources(self, request: web.Request) -> web.Response:
        club = self._fake.state.clubs.get(request.match_info["tenant_id"])
        if club is None:
            return api_error(404, NOT_FOUND, "Tenant not found")
        return json_ok([resource_json(court) for court in club.courts])
