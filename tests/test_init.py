"""Setup, unload, token persistence, setup errors, rule changes, devices and removal."""

from __future__ import annotations

from types import MappingProxyType

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic import async_remove_config_entry_device
from custom_components.playtomic.const import DOMAIN, SUBENTRY_BOOKING_RULE
from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.engine.reasons import Reason
from custom_components.playtomic.history import history_key
from custom_components.playtomic.results import async_report_result
from tests.const import ALICE_EMAIL, ALICE_ID, NORTE_ID, RIVERSIDE_ID, RULE_DATA, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

NOW = "2026-03-02T09:00:00+00:00"  # a Monday, 10:00 in Madrid


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    """Every test starts on the same Monday morning."""
    freezer.move_to(NOW)


async def test_setup_and_unload(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The entry loads, creates its entities and unloads cleanly."""
    await setup_integration(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.weekday_evenings_next_open_slot") is not None
    assert hass.states.get("calendar.playtomic_alice_bookings") is not None

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("sensor.weekday_evenings_next_open_slot").state == "unavailable"


async def test_tokens_are_stored_and_reused(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The login's token pair lands in the entry at once, and a restart logs in no more."""
    await setup_integration(hass, mock_config_entry)
    stored = mock_config_entry.data["tokens"]
    assert stored["access_token"] in fake_playtomic.issued_tokens
    assert stored["refresh_token"] in fake_playtomic.issued_tokens
    assert mock_config_entry.runtime_data.client.tokens.access_token == stored["access_token"]
    runtime = mock_config_entry.runtime_data

    # Storing tokens changed the entry without reloading it.
    await hass.async_block_till_done()
    assert mock_config_entry.runtime_data is runtime

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    fake_playtomic.clear_requests()
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert not [r for r in fake_playtomic.requests if r.path.startswith("/v3/auth/")]


async def test_rotated_tokens_are_persisted(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A refresh rotates the pair; the entry holds the new one right after."""
    await setup_integration(hass, mock_config_entry)
    first = mock_config_entry.data["tokens"]["refresh_token"]
    fake_playtomic.expire_tokens()
    await mock_config_entry.runtime_data.matches.async_refresh()
    await hass.async_block_till_done()
    assert mock_config_entry.data["tokens"]["refresh_token"] != first
    assert mock_config_entry.data["tokens"]["refresh_token"] in fake_playtomic.issued_tokens
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_wrong_password_starts_reauth(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A refused login fails setup and asks for the password."""
    fake_playtomic.accounts[ALICE_EMAIL].password = "changed-elsewhere"
    await setup_integration(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_edge_block_at_setup_retries_with_issue(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The firewall's HTML 403 is not an auth problem: retry later and explain."""
    fake_playtomic.edge_block()
    await setup_integration(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert (
        mock_config_entry.reason
        == "Playtomic's firewall refused requests from this network. Requests pause for a while; see the repair issue"
    )
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"edge_blocked_{mock_config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "edge_blocked"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_unreachable_server_retries(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """A connection failure means: not ready yet."""
    await fake_playtomic.stop()
    await setup_integration(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.reason == "Could not reach Playtomic"


async def test_first_refresh_failure_retries(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The matches poll failing at setup keeps the entry in retry, with a translated reason."""
    fake_playtomic.fail("GET", "/v1/matches", status=500, count=None)
    await setup_integration(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.reason == "Playtomic's servers had a problem; try again later"


def _device(
    registry: dr.DeviceRegistry, entry: MockConfigEntry, identifier: tuple[str, str]
) -> dr.DeviceEntry | None:
    """The entry's device with this identifier (works on every supported HA version)."""
    return next(
        (
            device
            for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
            if identifier in device.identifiers
        ),
        None,
    )


def _rule_subentry(subentry_id: str, name: str, tenant_id: str) -> ConfigSubentry:
    return ConfigSubentry(
        data=MappingProxyType({**RULE_DATA, "name": name, "tenant_id": tenant_id}),
        subentry_id=subentry_id,
        subentry_type=SUBENTRY_BOOKING_RULE,
        title=name,
        unique_id=None,
    )


async def test_rule_added_and_removed_reloads(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Adding a rule brings its device and entities; removing it takes them away."""
    await setup_integration(hass, mock_config_entry)
    hass.config_entries.async_add_subentry(
        mock_config_entry, _rule_subentry("01JRULE0000000000000000002", "London", RIVERSIDE_ID)
    )
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.london_next_open_slot") is not None
    device = _device(
        device_registry, mock_config_entry, (DOMAIN, f"{ALICE_ID}_01JRULE0000000000000000002")
    )
    assert device is not None
    account = _device(device_registry, mock_config_entry, (DOMAIN, ALICE_ID))
    assert device.via_device_id == account.id

    hass.config_entries.async_remove_subentry(mock_config_entry, "01JRULE0000000000000000002")
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert entity_registry.async_get("sensor.london_next_open_slot") is None
    assert hass.states.get("sensor.weekday_evenings_next_open_slot") is not None


async def test_devices_and_unique_ids(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """One service device per account, one per rule below it; ids never carry the e-mail."""
    await setup_integration(hass, mock_config_entry)
    account = _device(device_registry, mock_config_entry, (DOMAIN, ALICE_ID))
    rule = _device(device_registry, mock_config_entry, (DOMAIN, f"{ALICE_ID}_{RULE_SUBENTRY_ID}"))
    assert account.entry_type is dr.DeviceEntryType.SERVICE
    assert rule.via_device_id == account.id
    assert rule.name == RULE_DATA["name"]
    entities = er.async_entries_for_config_entry(entity_registry, mock_config_entry.entry_id)
    assert len(entities) == 12  # with the account's diagnostic "Check the API" button
    assert f"{ALICE_ID}_check_api" in {e.unique_id for e in entities if e.device_id == account.id}
    for entity in entities:
        assert ALICE_EMAIL not in entity.unique_id
        assert entity.unique_id.startswith(f"{ALICE_ID}_")
    rule_entities = [e for e in entities if e.device_id == rule.id]
    assert {e.config_subentry_id for e in rule_entities} == {RULE_SUBENTRY_ID}
    assert {e.unique_id for e in rule_entities} >= {
        f"{ALICE_ID}_{RULE_SUBENTRY_ID}_next_open_slot",
        f"{ALICE_ID}_{RULE_SUBENTRY_ID}_auto_book",
        f"{ALICE_ID}_{RULE_SUBENTRY_ID}_book_now",
        f"{ALICE_ID}_{RULE_SUBENTRY_ID}_booking",
    }


async def test_remove_stale_devices(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Only devices of rules that are gone may be deleted by the user."""
    await setup_integration(hass, mock_config_entry)
    account = _device(device_registry, mock_config_entry, (DOMAIN, ALICE_ID))
    rule = _device(device_registry, mock_config_entry, (DOMAIN, f"{ALICE_ID}_{RULE_SUBENTRY_ID}"))
    stale = device_registry.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id,
        identifiers={(DOMAIN, f"{ALICE_ID}_gone")},
    )
    assert not await async_remove_config_entry_device(hass, mock_config_entry, account)
    assert not await async_remove_config_entry_device(hass, mock_config_entry, rule)
    assert await async_remove_config_entry_device(hass, mock_config_entry, stale)


async def test_remove_entry_drops_history_and_issues(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict,
) -> None:
    """Removing the account forgets its booking history and repair issues."""
    await setup_integration(hass, mock_config_entry)
    await async_report_result(
        hass,
        mock_config_entry,
        AttemptResult(
            outcome=Outcome.PAYMENT_NOT_POSSIBLE,
            rule_id=RULE_SUBENTRY_ID,
            tenant_id=NORTE_ID,
            club_name="Club Padel Norte",
            reason=Reason.NO_ALLOWED_PAYMENT_METHOD,
        ),
    )
    await hass.async_block_till_done()
    assert history_key(mock_config_entry.entry_id) in hass_storage
    registry = ir.async_get(hass)
    assert any(domain == DOMAIN for domain, _ in registry.issues)

    assert await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert history_key(mock_config_entry.entry_id) not in hass_storage
    assert not any(domain == DOMAIN for domain, _ in registry.issues)


@pytest.mark.parametrize(
    ("title", "migrated"),
    [
        # The e-mail as typed at sign-in: lower-cased, and the account device with it.
        ("Alice@Example.COM", "alice@example.com"),
        # A title the user chose stays as it is.
        ("Family Padel", "Family Padel"),
    ],
)
async def test_title_migrates_to_the_lower_cased_email(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    device_registry: dr.DeviceRegistry,
    title: str,
    migrated: str,
) -> None:
    """Entries of 1.1 get the e-mail lower-cased as their title (1.2); the login is unchanged,
    and the account device an existing install already has is renamed with the title."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=ALICE_ID,
        version=1,
        minor_version=1,
        data={
            "email": "Alice@Example.COM",
            "password": "correct-horse-battery",
            "user_id": ALICE_ID,
        },
        options={"payment_methods": ["at_club"], "dry_run": False},
    )
    entry.add_to_hass(hass)
    # The account device as the 1.1 install left it: named from the title before the migration.
    old = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, ALICE_ID)},
        name=f"Playtomic {title.split('@', maxsplit=1)[0]}",
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.title, entry.minor_version) == (migrated, 2)
    assert entry.data["email"] == "Alice@Example.COM"
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    account = [(d.id, d.name) for d in devices if (DOMAIN, ALICE_ID) in d.identifiers]
    assert account == [(old.id, f"Playtomic {migrated.split('@', maxsplit=1)[0]}")]


async def test_entry_of_a_newer_major_version_is_not_loaded(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic
) -> None:
    """A downgrade from a release with a new major entry version is refused, not guessed at."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Alice@Example.COM",
        unique_id=ALICE_ID,
        version=2,
        data={"email": ALICE_EMAIL, "password": "correct-horse-battery", "user_id": ALICE_ID},
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert entry.title == "Alice@Example.COM"
