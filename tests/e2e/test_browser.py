"""What a person sees: the integration added and used through Home Assistant's web frontend.

Headless Chromium (Debian's) logs in to a real `hass` running against the fake Playtomic server
(demo scenario), adds the integration through the "Add integration" dialog, opens a dashboard
with the rule's entities and the bookings calendar, presses "Book now", and reads the result
off the page. Screenshots land in the run's directory; with PLAYTOMIC_UPDATE_SCREENSHOTS=1 they
also replace the README's pictures in docs/images/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from .browser import (
    CALENDAR_LIST_EVENTS,
    UI_TIMEOUT_MS,
    Screenshots,
    calendar_cards_update_live,
    calendar_list_day,
    call_ws,
    expect_step,
    flow_dialog,
    launch_chromium,
    log_in,
    long_date,
    new_page,
    pick_option,
    save_dashboard,
    serves_local_brand_images,
    skip_reason,
    submit_step,
    write_browser_config,
)
from .fake_api import PAYMENT_INTENTS_PATH
from .hass_api import ADMIN_PASSWORD, ADMIN_USERNAME
from .hass_config import stored_entries
from .playtomic_flow import DEMO_EMAIL, DEMO_PASSWORD, DEMO_USER_ID, DOMAIN, MADRID_ZONE
from .polling import wait_for

if TYPE_CHECKING:
    from playwright.async_api import Page

    from .fake_api import FakeApi
    from .harness import E2EStack
    from .hass_api import HassApi

SKIP_REASON = skip_reason()
pytestmark = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")

RULE_NAME = "Weekday evenings"
CLUB_LABEL = "Club Padel Norte Madrid (Madrid)"
DASHBOARD_URL = "dashboard-padel"
DASHBOARD_TITLE = "Padel"
# Ticked in the rule form on top of the default Monday to Friday.
WEEKEND = ("Saturday", "Sunday")
ALL_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# The frontend's translation of the last_booking_result state "booked" (translations/en.json).
BOOKED = "Booked"
DRY_RUN = "Dry run"


def row(entity_id: str, **options: Any) -> dict[str, Any]:
    """An entities-card row named by the entity alone: the card's title names the rule."""
    return {"entity": entity_id, "name": {"type": "entity"}, **options}


def dashboard_config(ids: dict[str, str]) -> dict[str, Any]:
    """One view: the rule's entities (absolute times) next to the bookings calendar."""
    return {
        "title": DASHBOARD_TITLE,
        "views": [
            {
                "title": DASHBOARD_TITLE,
                "path": "padel",
                "cards": [
                    {
                        "type": "entities",
                        "title": RULE_NAME,
                        "entities": [
                            row(ids["next_open_slot"], format="datetime"),
                            row(ids["last_booking_result"]),
                            row(ids["next_booking_attempt"], format="datetime"),
                            row(ids["auto_book"]),
                            row(ids["book_now"]),
                            row(ids["upcoming_booking"], format="datetime"),
                        ],
                    },
                    # listWeek is "the next 7 days" in Home Assistant's calendar card.
                    {"type": "calendar", "entities": [ids["bookings"]], "initial_view": "listWeek"},
                ],
            }
        ],
    }


def own_confirmed(fake_state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The demo user's confirmed matches on the fake, by match id."""
    return {
        m["match_id"]: m
        for m in fake_state["matches"]
        if m["owner_id"] == DEMO_USER_ID and m["status"] == "CONFIRMED"
    }


def club_local(naive_utc: str) -> datetime:
    """A fake timestamp (naive UTC text) in the club's zone."""
    return datetime.fromisoformat(naive_utc).replace(tzinfo=UTC).astimezone(ZoneInfo(MADRID_ZONE))


async def stored_rules(stack: E2EStack) -> list[dict[str, Any]] | None:
    """The booking rules hass has saved so far (None until it has written the entry)."""
    entries = stored_entries(stack.config_dir, DOMAIN)
    rules = [
        subentry
        for entry in entries
        for subentry in entry.get("subentries", [])
        if subentry["subentry_type"] == "booking_rule"
    ]
    return rules or None


async def known_state(api: HassApi, entity_id: str) -> dict[str, Any] | None:
    """The entity's state once it has a value (not unknown or unavailable)."""
    state = await api.state(entity_id)
    return state if state and state["state"] not in ("unknown", "unavailable") else None


class Phases:
    """Prints each phase's duration (visible with -s, as scripts/test runs the e2e stage)."""

    def __init__(self) -> None:
        """Start counting now."""
        self.start = self.last = time.monotonic()

    def done(self, what: str) -> None:
        """Print the phase and the total so far."""
        now = time.monotonic()
        print(f"\n  [{now - self.start:6.1f} s] {what} ({now - self.last:.1f} s)", end="")
        self.last = now


async def add_integration_in_dialog(page: Page, base_url: str, shots: Screenshots) -> None:
    """Settings → Devices & services → Add integration → Playtomic, through every step."""
    from playwright.async_api import expect

    # By text, not by role: 2026.10's sidebar and settings menu are links, 2026.2's list items.
    await page.locator("ha-sidebar").get_by_text("Settings", exact=True).click()
    await page.get_by_text("Devices & services", exact=True).click()
    await page.wait_for_url(f"{base_url}/config/integrations/dashboard")
    await page.get_by_role("button", name="Add integration").click()
    # A placeholder on 2026.10, a floating label on 2026.2.
    brand_search = page.get_by_placeholder("Search for a brand name")
    await brand_search.or_(page.get_by_label("Search for a brand name")).first.fill("Playtomic")
    await page.get_by_text("Playtomic", exact=True).click()

    dialog = flow_dialog(page)
    await expect_step(page, "Sign in to Playtomic")
    await dialog.get_by_role("textbox", name="Email").fill(DEMO_EMAIL)
    await dialog.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    await submit_step(page)

    await expect_step(page, "Find the club")
    await dialog.get_by_role("textbox", name="Club name").fill("Padel")
    await submit_step(page)

    # Both demo clubs match "Padel"; the one nearest to the home location (Madrid) comes first.
    await expect_step(page, "Choose the club")
    # The count is a plain placeholder: an ICU plural here renders no description at all (flow
    # placeholders reach the frontend as strings, which its plural formatting refuses).
    await expect(dialog.get_by_text("Clubs found: 2, nearest")).to_be_visible()
    await pick_option(page, dialog.locator("ha-select"), CLUB_LABEL)
    await shots.take(page, "config-flow-club")
    await submit_step(page)

    # The rule form opens with defaults taken from the club: keep them, name the rule.
    await expect_step(page, "First booking rule")
    await expect(dialog.get_by_text("at Club Padel Norte Madrid")).to_be_visible()
    await dialog.get_by_role("textbox", name="Rule name").fill(RULE_NAME)
    # The form reads in three sections; weekdays are checkboxes, ticked several in a row.
    for section_title in ("When and what", "Release", "Booking behaviour"):
        await expect(dialog.get_by_text(section_title, exact=True)).to_be_visible()
    await expect(dialog.get_by_text("Only these courts", exact=True).first).to_be_visible()
    for day in WEEKEND:
        await dialog.get_by_text(day, exact=True).click()
    await shots.take(page, "config-flow-rule")
    await submit_step(page)

    # The entry exists: the dialog offers to name the account's and the rule's devices.
    await expect(dialog.get_by_role("button", name="Skip and finish")).to_be_visible()
    device_names = dialog.get_by_role("textbox", name="Device name")
    await expect(device_names).to_have_count(2)
    names = await device_names.evaluate_all("(inputs) => inputs.map((input) => input.value)")
    assert RULE_NAME in names, names
    await submit_step(page, "Skip and finish")
    await expect(page.get_by_role("dialog")).to_have_count(0)


async def show_rule_device(page: Page, base_url: str, shots: Screenshots) -> None:
    """The rule's device page lists its entities under their translated names."""
    from playwright.async_api import expect

    devices = await call_ws(page, {"type": "config/device_registry/list"})
    rule_device = next(
        d
        for d in devices
        if d["name"] == RULE_NAME and any(i[0] == DOMAIN for i in d["identifiers"])
    )
    await page.goto(f"{base_url}/config/devices/device/{rule_device['id']}")
    for name in ("Auto-book", "Book now", "Last booking result", "Next release"):
        await expect(page.get_by_text(name, exact=True)).to_be_visible()
    await expect(page.get_by_text("Next open slot", exact=True)).to_be_visible()
    if serves_local_brand_images():
        # The brand image comes from custom_components/playtomic/brand/, not from the internet.
        brand = page.locator("img[src*='/brands/integration/playtomic/']").first
        await expect(brand).to_have_js_property("complete", True)
        await expect(brand).not_to_have_js_property("naturalWidth", 0)
    await shots.take(page, "rule-device")


async def integration_entities(page: Page) -> dict[str, str]:
    """The integration's entity ids by translation key, as the frontend's registry has them."""
    registry = await call_ws(page, {"type": "config/entity_registry/list"})
    return {
        item["translation_key"]: item["entity_id"]
        for item in registry
        if item["platform"] == DOMAIN and item.get("translation_key")
    }


async def booked_match(
    api: HassApi, fake: FakeApi, entity_id: str, before: set[str]
) -> dict[str, Any]:
    """The one match the press created on the fake, with the court the sensor reports."""
    state = await api.state(entity_id)
    assert state is not None
    attributes = state["attributes"]
    mine = own_confirmed(await fake.state())
    new = sorted(set(mine) - before)
    assert new == [attributes["match_id"]], (new, attributes)
    return {**mine[new[0]], "court": attributes["court"]}


async def test_add_integration_and_book_in_the_browser(
    stack: E2EStack, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """Log in, add the integration in the dialog, book from a dashboard, see it everywhere."""
    from playwright.async_api import async_playwright, expect

    phases = Phases()
    api, fake = stack.clients(http)
    write_browser_config(stack)
    await stack.boot_hass(api)
    phases.done("hass up and onboarded")
    log = stack.hass_log.read_text(encoding="utf-8")
    # The frontend comes from .venv (requirements_dev.txt): hass runs with --skip-pip.
    assert "Setup of domain frontend took" in log, stack.context()
    shots = Screenshots(tmp_path / "screenshots")
    expect.set_options(timeout=UI_TIMEOUT_MS)

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        page = await new_page(browser)
        try:
            await log_in(page, stack.hass_url, ADMIN_USERNAME, ADMIN_PASSWORD)
            phases.done("logged in")
            await add_integration_in_dialog(page, stack.hass_url, shots)
            entries = await api.entries(DOMAIN)
            assert [e["state"] for e in entries] == ["loaded"], entries
            (rule,) = await wait_for(
                lambda: stored_rules(stack),
                within=15,
                what="the rule saved to .storage",
                context=stack.context,
            )
            assert rule["data"]["weekdays"] == ALL_WEEKDAYS, rule
            assert rule["data"]["court_size"] == "doubles", rule
            rule_id = rule["subentry_id"]
            phases.done("integration added in the dialog")
            await show_rule_device(page, stack.hass_url, shots)

            ids = await integration_entities(page)
            await save_dashboard(page, DASHBOARD_URL, DASHBOARD_TITLE, dashboard_config(ids))
            await page.locator("ha-sidebar").get_by_text(DASHBOARD_TITLE, exact=True).click()
            await page.wait_for_url(f"**/{DASHBOARD_URL}/padel")
            phases.done("dashboard saved and opened")

            rows = page.locator("hui-entities-card")
            result_row = rows.locator("hui-generic-entity-row").filter(
                has_text="Last booking result"
            )
            slot_row = rows.locator("hui-generic-entity-row").filter(has_text="Next open slot")
            await expect(result_row).to_contain_text("Unknown")

            # The next open slot, as the frontend writes it for an en-GB user in Madrid.
            slot_state = await wait_for(
                lambda: known_state(api, ids["next_open_slot"]),
                within=30,
                what="a next open slot",
                context=stack.context,
            )
            slot = datetime.fromisoformat(slot_state["state"]).astimezone(ZoneInfo(MADRID_ZONE))
            await expect(slot_row).to_contain_text(f"{long_date(slot)} at {slot:%H:%M}")

            events = page.locator(CALENDAR_LIST_EVENTS)
            # The demo account's own matches of the coming days are on the calendar already.
            await expect(events.filter(has_text="Club Padel Norte Madrid")).not_to_have_count(0)
            shown_before = await events.count()
            before = set(own_confirmed(await fake.state()))

            # A dry run ranks and prices the slot but creates no payment intent on the fake.
            await fake.clear_requests()
            dry = await api.call_service(
                DOMAIN,
                "book",
                {"config_entry_id": entries[0]["entry_id"], "rule": rule_id, "dry_run": True},
                response=True,
            )
            assert dry["outcome"] == "dry_run", dry
            assert dry["extra"]["payment_category"], dry
            await expect(result_row).to_contain_text(DRY_RUN)
            intents = [r for r in await fake.requests() if PAYMENT_INTENTS_PATH in r["path"]]
            assert intents == [], intents
            assert set(own_confirmed(await fake.state())) == before
            phases.done("dry run: ranked, no payment intent")

            await rows.locator("hui-button-entity-row").get_by_role("button", name="Press").click()
            await expect(result_row).to_contain_text(BOOKED)
            phases.done("booked with the dashboard's Book now")
            # The rule books one match a day, so the next open slot moves on to another day.
            await expect(slot_row).not_to_contain_text(long_date(slot))

            match = await booked_match(api, fake, ids["last_booking_result"], before)
            start = club_local(match["start"])
            end = start + timedelta(minutes=match["duration"])
            print(f"\n  booked {match['court']} {start:%a %d %b %H:%M}-{end:%H:%M} (club-local)")
            # Book now took the slot the dashboard had shown as the next open one.
            assert start == slot, (start, slot)
            if not calendar_cards_update_live():
                await page.reload()
            booked_event = events.filter(has_text=f"{start:%H:%M} - {end:%H:%M}").filter(
                has_text=f"{match['court']} · Club Padel Norte Madrid"
            )
            await expect(booked_event).to_have_count(1)
            await expect(events).to_have_count(shown_before + 1)
            day = calendar_list_day(page, start.date())
            await expect(day).to_have_count(1)
            await shots.take(page, "dashboard")
            phases.done("booking shown on the dashboard and in the calendar")
        except BaseException:
            print(f"\n  page at the failure: {await shots.failure(page)}", end="")
            raise
        finally:
            await browser.close()
    print(f"\n  screenshots: {shots.run_dir}", end="")
