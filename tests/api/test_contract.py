"""The guesses of contract.py: bodies, parameters and heuristics (docs/playtomic-api.md §2, §4-§6, §10)."""

from __future__ import annotations

from custom_components.playtomic.api import contract


def test_s10_11_duration_seconds_heuristic() -> None:
    assert contract.duration_to_minutes(90) == 90
    assert contract.duration_to_minutes(120) == 120
    assert contract.duration_to_minutes(5400) == 90
    assert contract.duration_to_minutes(3600) == 60
    assert contract.duration_to_minutes(1800) == 30
    assert contract.duration_to_minutes(1801) == 1801  # not a whole number of minutes


def test_s2_bodies() -> None:
    assert contract.login_body("a@b", "pw") == {
        "email": "a@b",
        "password": "pw",
        "requested_user_roles": ["ROLE_CUSTOMER"],
    }
    assert contract.refresh_body("rt") == {
        "requested_user_roles": ["ROLE_CUSTOMER"],
        "refresh_token": "rt",
    }


def test_s5_s6_bodies() -> None:
    assert contract.select_method_body("CASH") == {
        "selected_payment_method_id": "CASH",
        "selected_payment_method_data": None,
    }
    assert contract.confirmation_body() == {}
    assert contract.cancellation_body() == {"cancellation_reason_code": "CANCELED_BY_OWNER"}
    assert contract.matches_params() == {
        "user_id": "me",
        "match_status": "PENDING,IN_PROGRESS,VALIDATING,CONFIRMED",
        "sort": "start_date,created_at,ASC",
        "size": "50",
    }


def test_s3_search_params() -> None:
    params = contract.tenant_search_params(
        name="Norte", coordinate=(40.45, -3.69), radius_m=1000, sport_id="TENNIS", page=2
    )
    assert params == {
        "sport_id": "TENNIS",
        "playtomic_status": "ACTIVE",
        "size": "50",
        "page": "2",
        "tenant_name": "Norte",
        "coordinate": "40.450000,-3.690000",
        "radius": "1000",
    }


def test_s3_sport_ids() -> None:
    """Sport ids are upper case; a missing one is padel, the default sport."""
    assert contract.normalize_sport_id(" tennis ") == "TENNIS"
    assert contract.normalize_sport_id("  ") == "PADEL"
    assert contract.normalize_sport_id(None) == "PADEL"
    assert contract.same_sport("padel", None)
    assert not contract.same_sport("TENNIS", None)


def test_s1_2_header_constants() -> None:
    assert contract.BASE_HEADERS["X-Requested-With"] == "com.playtomic.web"
    assert contract.BASE_HEADERS["User-Agent"].startswith("Mozilla/5.0")
    assert contract.DEFAULT_BASE_URL == "https://api.app.playtomic.io"
