"""Sensors: next open slot, last result, next attempt, upcoming booking, token and API health."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.playtomic.const import DOMAIN, OUTCOMES, SUBENTRY_BOOKING_RULE
from custom_components.playtomic.engine import open_dates
from custom_components.playtomic.rule_entries import rules_of
from tests.const import ALICE_ID, NORTE_ID, RIVERSIDE_ID, RULE_DATA, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import entry_with_rules, setup_integration

NEXT_SLOT = "sensor.weekday_evenings_next_open_slot"
NEXT_ATTEMPT = "sensor.weekday_evenings_next_booking_attempt"
LAST_RESULT = "sensor.weekday_evenings_last_booking_result"
UPCOMING = "sensor.playtomic_alice_upcoming_booking"
TOKEN = "sensor.playtomic_alice_token_expires"
LAST_ERROR = "sensor.playtomic_alice_last_api_error"
# A rule at the fake's rolling 48 h club in London.
RIVERSIDE_ROLLING = {
    **RULE_DATA,
    "tenant_id": RIVERSIDE_ID,
    "club_name": "Riverside Padel",
    "club_timezone": "Europe/London",
    "release_model": "rolling",
    "rolling_minutes": 2880,
    "duration": 60,
}


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    """Monday 2 March 2026, 10:00 in Madrid."""
    freezer.move_to("2026-03-02T09:00:00+00:00")


async def test_next_open_slot(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The best slot of the rule today, with its details and a few alternatives."""
    await setup_integration(hass, mock_config_entry)
    state = hass.states.get(NEXT_SLOT)
    assert state.state == "2026-03-02T17:00:00+00:00"
    assert state.attributes["local_start"] == "2026-03-02T18:00:00+01:00"
    assert state.attributes["duration"] == 90
    assert state.attributes["price"] == "36 EUR"
    assert state.attributes["court"].startswith("Pista ")
    assert state.attributes["booking_url"].startswith(
        f"https://app.playtomic.io/tenant/{NORTE_ID}?sport=PADEL&date=2026-03-02&startTime=18:00"
    )
    alternatives = state.attributes["alternatives"]
    assert len(alternatives) == 3
    assert {a["court"] for a in alternatives} | {state.attributes["court"]} == {
        "Pista 1",
        "Pista 2",
        "Pista 3",
        "Pista 4",
    }
    assert state.attributes["device_class"] == "timestamp"


async def test_next_open_slot_none(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, freezer: FrozenDateTimeFactory
) -> None:
    """A rule whose window the club never opens shows no slot."""
    entry = entry_with_rules(
        {RULE_SUBENTRY_ID: {**RULE_DATA, "window_start": "05:00:00", "window_end": "07:00:00"}}
    )
    await setup_integration(hass, entry)
    state = hass.states.get(NEXT_SLOT)
    assert state.state == STATE_UNKNOWN
    assert state.attributes["alternatives"] == []


async def test_last_booking_result_options(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Unknown until the first attempt; an enum of the seven outcomes."""
    await setup_integration(hass, mock_config_entry)
    state = hass.states.get(LAST_RESULT)
    assert state.state == STATE_UNKNOWN
    assert state.attributes["options"] == list(OUTCOMES)
    assert state.attributes["device_class"] == "enum"


async def test_next_booking_attempt_daily_drop(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The next 08:30 Madrid release that opens a weekday; it moves on once passed."""
    await setup_integration(hass, mock_config_entry)
    # Tuesday 3 March 08:30 opens Tuesday 17 March.
    assert hass.states.get(NEXT_ATTEMPT).state == "2026-03-03T07:30:00+00:00"

    passed = datetime(2026, 3, 3, 7, 30, 1, tzinfo=UTC)
    freezer.move_to(passed)
    async_fire_time_changed(hass, passed)
    await hass.async_block_till_done()
    assert hass.states.get(NEXT_ATTEMPT).state == "2026-03-04T07:30:00+00:00"

    # Friday after the release: Saturday and Sunday open weekend days, so Monday is next.
    friday = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    freezer.move_to(friday)
    async_fire_time_changed(hass, friday)
    await hass.async_block_till_done()
    assert hass.states.get(NEXT_ATTEMPT).state == "2026-03-09T07:30:00+00:00"


async def test_next_booking_attempt_rolling(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic
) -> None:
    """Rolling release: 48 h before the window of the next qualifying day."""
    entry = entry_with_rules({RULE_SUBENTRY_ID: RIVERSIDE_ROLLING})
    await setup_integration(hass, entry)
    # Wednesday 4 March 18:00 London opens Monday 2 March 18:00.
    assert hass.states.get(NEXT_ATTEMPT).state == "2026-03-02T18:00:00+00:00"
    state = hass.states.get(NEXT_SLOT)
    assert state.attributes["price"].endswith(" GBP")


async def test_rolling_sensors_agree_with_the_scheduler(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, freezer: FrozenDateTimeFactory
) -> None:
    """Rolling 48 h aimed at 20:00, window from 18:00: a date opens when the scheduler fires for
    its 20:00 slot, not when its 18:00 slot is 48 h away. The next-attempt sensor shows the instant
    the scheduler arms, and polling looks at exactly the dates "book now" would try."""
    # Monday 2 March 19:00 London: Wednesday's 18:00 slot is 47 h away, its 20:00 slot 49 h.
    freezer.move_to("2026-03-02T19:00:00+00:00")
    fake_playtomic.clear_requests()
    entry = entry_with_rules(
        {RULE_SUBENTRY_ID: {**RIVERSIDE_ROLLING, "preferred_start": "20:00:00"}}
    )
    await setup_integration(hass, entry)
    runtime = entry.runtime_data
    rule_id = next(iter(entry.subentries))
    rule = rules_of(entry)[rule_id]
    now = dt_util.utcnow()

    armed = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # Wednesday 20:00 London - 48 h
    assert runtime.scheduler.diagnostics()["state"][rule_id]["armed"] == armed.isoformat()
    assert runtime.scheduler.diagnostics()["next"][rule_id]["target_date"] == "2026-03-04"
    state = hass.states.get(NEXT_ATTEMPT)
    assert state.state == armed.isoformat()
    assert state.attributes["target_date"] == "2026-03-04"

    # Wednesday is not polled before its release, and "book now" would not try it either.
    polled = runtime.availability.data.rules[rule_id].days_checked
    assert polled == (date(2026, 3, 2), date(2026, 3, 3))
    assert list(polled) == open_dates(rule, now=now)
    asked = {
        r.query["start_min"][:10] for r in fake_playtomic.requests if r.path == "/v1/availability"
    }
    assert asked == {"2026-03-02", "2026-03-03"}
    # From the armed instant on, Wednesday is polled too.
    days_to_poll = runtime.availability.days_to_poll
    assert days_to_poll({rule_id: rule}, armed - timedelta(seconds=1))[rule_id][-1] == date(
        2026, 3, 3
    )
    assert days_to_poll({rule_id: rule}, armed)[rule_id][-1] == date(2026, 3, 4)


async def test_next_release_name_keeps_the_entity_id(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The sensor is shown as "Next release", while a new install still gets the entity id the
    README and automations use (made from its first name, not from the shown one)."""
    await setup_integration(hass, mock_config_entry)
    state = hass.states.get(NEXT_ATTEMPT)
    assert state.attributes["friendly_name"] == "Weekday evenings Next release"
    entry = er.async_get(hass).async_get(NEXT_ATTEMPT)
    assert entry.original_name == "Next release"
    assert entry.translation_key == "next_booking_attempt"
    # Not "sensor.weekday_evenings_next_release".
    assert hass.states.get("sensor.weekday_evenings_next_release") is None


async def test_next_release_keeps_the_spanish_entity_id(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """HA makes a Spanish install's entity ids from Spanish names: a new one still gets the id
    of the sensor's first Spanish name, shown now as "Próxima apertura"."""
    hass.config.language = "es"
    await setup_integration(hass, mock_config_entry)
    state = hass.states.get("sensor.weekday_evenings_proximo_intento_de_reserva")
    assert state.attributes["friendly_name"] == "Weekday evenings Próxima apertura"
    assert state.attributes["rule_id"] == RULE_SUBENTRY_ID
    # Its neighbours are made from their Spanish names as before.
    assert hass.states.get("sensor.weekday_evenings_proxima_pista_libre") is not None


@pytest.mark.parametrize(
    "registered_id",
    # An install from before the rename, and one whose user renamed the entity id.
    [NEXT_ATTEMPT, "sensor.padel_release_instant"],
)
async def test_next_release_keeps_a_registered_entity_id(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    registered_id: str,
) -> None:
    """An entity registered under the old name keeps its id and shows the new name."""
    mock_config_entry.add_to_hass(hass)
    registry = er.async_get(hass)
    unique_id = f"{ALICE_ID}_{RULE_SUBENTRY_ID}_next_booking_attempt"
    old = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        unique_id,
        config_entry=mock_config_entry,
        config_subentry_id=RULE_SUBENTRY_ID,
        original_name="Next booking attempt",
        has_entity_name=True,
    )
    if old.entity_id != registered_id:
        registry.async_update_entity(old.entity_id, new_entity_id=registered_id)
    await setup_integration(hass, mock_config_entry)
    assert registry.async_get_entity_id("sensor", DOMAIN, unique_id) == registered_id
    state = hass.states.get(registered_id)
    assert state.attributes["friendly_name"] == "Weekday evenings Next release"
    assert state.attributes["rule_id"] == RULE_SUBENTRY_ID
    assert registry.async_get(registered_id).original_name == "Next release"


async def test_next_booking_attempt_unusable_rule(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, caplog: pytest.LogCaptureFixture
) -> None:
    """A rule the engine cannot plan (unknown time zone) shows no next attempt, and no open slot
    either: the rule is unusable for polling as much as for the scheduler."""
    entry = entry_with_rules({RULE_SUBENTRY_ID: {**RULE_DATA, "club_timezone": "Nowhere/Bad"}})
    await setup_integration(hass, entry)
    for entity_id in (NEXT_ATTEMPT, NEXT_SLOT, LAST_RESULT):
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    assert hass.states.get("switch.weekday_evenings_auto_book").state == STATE_UNAVAILABLE
    assert "Booking rule Weekday evenings is not usable" in caplog.text
    # The user is told in Repairs, with the rule's name, and what to do.
    issue_id = f"unusable_rule_{entry.entry_id}_{RULE_SUBENTRY_ID}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "unusable_rule"
    assert issue.translation_placeholders == {"rule": "Weekday evenings", "account": entry.title}

    # Reconfigure saves valid data and reloads the entry: the rule is usable again.
    hass.config_entries.async_update_subentry(
        entry, entry.subentries[RULE_SUBENTRY_ID], data=dict(RULE_DATA)
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(NEXT_ATTEMPT).state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)


async def test_upcoming_booking(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The soonest own match, with club, court, price and link."""
    club = fake_playtomic.clubs[NORTE_ID]
    later = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    sooner = datetime(2026, 3, 4, 19, 0, tzinfo=UTC)
    fake_playtomic.book_directly(NORTE_ID, club.courts[1].resource_id, later, 60, ALICE_ID)
    match = fake_playtomic.book_directly(NORTE_ID, club.courts[0].resource_id, sooner, 90, ALICE_ID)
    await setup_integration(hass, mock_config_entry)
    state = hass.states.get(UPCOMING)
    assert state.state == sooner.isoformat()
    assert state.attributes == {
        "club": "Club Padel Norte",
        "court": "Pista 1",
        "local_start": "2026-03-04T20:00:00+01:00",
        "duration": 90,
        "price": "36 EUR",
        "match_id": match.match_id,
        "url": f"https://app.playtomic.io/matches/{match.match_id}",
        "device_class": "timestamp",
        "friendly_name": "Playtomic alice Upcoming booking",
        # The club lets players cancel for free until 24 hours before.
        "free_cancellation_until": "2026-03-03T20:00:00+01:00",
    }


async def test_token_expires(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Token health is a diagnostic timestamp; the token itself never shows."""
    await setup_integration(hass, mock_config_entry)
    state = hass.states.get(TOKEN)
    tokens = mock_config_entry.runtime_data.client.tokens
    assert state.state == tokens.access_expires.isoformat()
    assert state.attributes["refresh_expires"] == tokens.refresh_expires.isoformat()
    assert entity_registry.async_get(TOKEN).entity_category == "diagnostic"
    assert tokens.access_token not in str(state)


async def test_last_api_error_disabled_by_default(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Disabled by default; once enabled it shows the last failure's code and time."""
    await setup_integration(hass, mock_config_entry)
    entry = entity_registry.async_get(LAST_ERROR)
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(LAST_ERROR) is None

    entity_registry.async_update_entity(LAST_ERROR, disabled_by=None)
    # Enabling an entity reloads the entry 30 s later.
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(LAST_ERROR).state == STATE_UNKNOWN

    fake_playtomic.fail("GET", "/v1/availability", status=500, count=None)
    await mock_config_entry.runtime_data.availability.async_refresh()
    await hass.async_block_till_done()
    state = hass.states.get(LAST_ERROR)
    assert state.state == "server_error"
    assert state.attributes["at"] is not None


async def test_rule_gone_makes_entities_unavailable(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Between a rule's removal and the reload its entities read as unavailable."""
    await setup_integration(hass, mock_config_entry)
    entity = next(e for e in hass.data["sensor"].entities if e.entity_id == NEXT_SLOT)
    object.__setattr__(mock_config_entry, "subentries", MappingProxyType({}))
    assert entity.available is False
    assert entity.native_value is None
    assert entity.extra_state_attributes is None
    object.__setattr__(
        mock_config_entry,
        "subentries",
        MappingProxyType(
            {
                "01JRULE0000000000000000001": ConfigSubentry(
                    data=MappingProxyType(RULE_DATA),
                    subentry_id="01JRULE0000000000000000001",
                    subentry_type=SUBENTRY_BOOKING_RULE,
                    title="Weekday evenings",
                    unique_id=None,
                )
            }
        ),
    )
