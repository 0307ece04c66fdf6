"""The demo as a newcomer meets it, in a browser: `scripts/develop` itself, run on free ports.

Home Assistant comes up already onboarded (the first screen is the login, with the user and
password the script printed; home in Madrid; no integration that needs the internet). The fake's
page releases a day in a few seconds (the button's minutes field; 2 minutes for a person), the
rule gets the page's values, and a dashboard shows the automatic booking at the release. An
automation is saved from the shipped blueprint without a phone. After a restart of the demo the
booking is still on the fake and the same login works.

Runs on the main and the newest Home Assistant release (2026.10.4 and 2026.11.0): on the oldest a
further demo start would push `scripts/test` past its 10-minute budget (it runs the other browser
test there).
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from datetime import UTC, datetime, time
import importlib.util
import os
from pathlib import Path
import re
import signal
import sys
import time as monotonic_time
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from .browser import (
    UI_TIMEOUT_MS,
    Screenshots,
    call_ws,
    launch_chromium,
    log_in,
    new_page,
    save_dashboard,
    skip_reason,
)
from .harness import PYCACHE, monotonic_since
from .hass_api import HassApi
from .hass_config import ROOT
from .playtomic_flow import (
    DEMO_EMAIL,
    DEMO_USER_ID,
    DOMAIN,
    WEEKDAYS,
    Release,
    add_entry_until_rule,
    entity_ids,
    finish_rule,
    rule_input,
)
from .polling import wait_for
from .processes import ManagedProcess, free_port, tail

if TYPE_CHECKING:
    from playwright.async_api import Page

SKIP_REASON = skip_reason()
# 2026.3 serves the frontend this test drives; 2026.2 (the oldest) runs test_browser.py only.
OLD_RELEASE = importlib.util.find_spec("homeassistant.components.brands") is None
pytestmark = [
    pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or ""),
    pytest.mark.skipif(OLD_RELEASE, reason="main release only (scripts/test's time budget)"),
]

# What a person leaves at 2; a test waits seconds: room for the rule to be added and armed.
RELEASE_MINUTES = "0.4"
DEMO_START_TIMEOUT = 180.0
BOOKING_TIMEOUT_MS = 90_000
RULE_NAME = "Demo"
# The blueprint's device picker: attempts at a pick, and how long each step of one may take.
PICK_ATTEMPTS = 4
PICK_STEP_MS = 8_000
CREDENTIALS = re.compile(
    r"\[develop\] Home Assistant: (?P<url>\S+)\s+user: (?P<user>\S+)\s+password: (?P<password>\S+)"
    r" \((?P<how>[^)]*)\)"
)
# Offline-unsafe integrations the onboarding's core_config step would have started.
ONLINE_INTEGRATIONS = {"met", "radio_browser", "google_translate", "shopping_list"}


class DemoRun:
    """`scripts/develop` started as a newcomer would, on free ports, in a private config dir."""

    def __init__(self, workdir: Path) -> None:
        """Nothing runs yet."""
        self.workdir = workdir
        self.config = workdir / "config"
        self.hass_port = free_port()
        self.fake_port = free_port()
        self.runs: list[ManagedProcess] = []

    @property
    def hass_url(self) -> str:
        """Home Assistant's address."""
        return f"http://127.0.0.1:{self.hass_port}"

    @property
    def fake_url(self) -> str:
        """The fake Playtomic's address."""
        return f"http://127.0.0.1:{self.fake_port}"

    def start(self) -> ManagedProcess:
        """Run scripts/develop with the venv under test (`--skip-pip`: nothing from PyPI)."""
        home = self.workdir / "home"
        home.mkdir(exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "COV_", "COVERAGE_", "PLAYTOMIC_"))
            and key != "PYTHONDONTWRITEBYTECODE"
        }
        env.update(
            {
                "HOME": str(home),
                "PYTHONPYCACHEPREFIX": str(PYCACHE),
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
                "PLAYTOMIC_DEMO_CONFIG": str(self.config),
                "PLAYTOMIC_DEMO_VENV": sys.prefix,
                "PLAYTOMIC_HASS_PORT": str(self.hass_port),
                "PLAYTOMIC_FAKE_PORT": str(self.fake_port),
            }
        )
        process = ManagedProcess(
            f"scripts/develop (run {len(self.runs) + 1})",
            [str(ROOT / "scripts" / "develop"), "--skip-pip"],
            log_path=self.workdir / f"develop-{len(self.runs) + 1}.out",
            env=env,
            cwd=ROOT,
        )
        self.runs.append(process)
        return process

    async def credentials(self, process: ManagedProcess) -> dict[str, str]:
        """The address, user and password the script printed once Home Assistant answered."""

        async def printed() -> dict[str, str] | None:
            if not process.running:
                raise AssertionError(f"scripts/develop exited\n{self.context()}")
            found = CREDENTIALS.search(process.tail(400))
            return found.groupdict() if found else None

        return await wait_for(
            printed, within=DEMO_START_TIMEOUT, what="the demo's login line", context=self.context
        )

    def stop(self) -> None:
        """Stop the script (its trap stops hass and the fake), then anything left by PID file."""
        for process in self.runs:
            process.stop()
        for pidfile in (self.config / "hass.pid", self.config / "fake-playtomic.pid"):
            if pidfile.exists():  # the script was killed before its trap ran
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pidfile.read_text(encoding="utf-8")), signal.SIGTERM)

    def context(self) -> str:
        """The end of each run's output and of hass's log (for failures)."""
        parts = [p.describe() for p in self.runs]
        parts.append(f"=== home-assistant.log:\n{tail(self.config / 'home-assistant.log')}")
        return "\n".join(parts)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoRun]:
    """A demo run, stopped by PID whatever happens."""
    run = DemoRun(tmp_path)
    try:
        yield run
    finally:
        run.stop()


def value(values: dict[str, str], field: str) -> str:
    """A value of the page's "values for a booking rule" table, without its remark."""
    return values[field].split(" (")[0]


async def page_values(page: Page, club: str) -> dict[str, str]:
    """The rule values the fake's page shows for one club."""
    rows = page.locator("section.club").filter(has_text=club).locator("table.values tr")
    cells = await rows.evaluate_all(
        "(rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent))"
    )
    return dict(cells)


def dashboard(ids: dict[str, str]) -> dict[str, Any]:
    """The rule's result and next release (the booked day is two weeks away: no calendar)."""
    rows = ["last_booking_result", "next_booking_attempt", "auto_book"]
    return {
        "views": [
            {
                "title": "Demo",
                "path": "demo",
                "cards": [
                    {"type": "entities", "title": RULE_NAME, "entities": [ids[k] for k in rows]},
                ],
            }
        ]
    }


async def rule_device_id(page: Page) -> str:
    """The registry id of the demo rule's device."""
    devices = await call_ws(page, {"type": "config/device_registry/list"})
    device_id: str = next(
        d["id"]
        for d in devices
        if d["name"] == RULE_NAME and any(i[0] == DOMAIN for i in d["identifiers"])
    )
    return device_id


async def pick_rule_device(page: Page, device_id: str, shots: Screenshots) -> None:
    """Choose the rule's device in the blueprint's device picker, and prove it by the picker's
    value (a missed pick is refused at Save as "Missing input rule").

    The picker offers the rule's device only (its parent, the account, is its second line). In
    every run, on 2026.10 and 2026.11 alike and on a quiet machine too, the first pick after the
    list opened did not land (the list closed with nothing chosen; a mouse click also found the
    item detached from the DOM), and the next one showed the device at once but set the
    picker's value more than 8 s later (why is not understood; it costs this test about 20 s).
    So the click event is dispatched on the item element found at that moment,
    each attempt first looks at the value, a shown choice is given the usual UI timeout to reach
    the value, and a pick that did not land is made again, a bounded number of times.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError, expect

    picker = page.locator("ha-selector-device")
    item = page.get_by_text(f"Playtomic {DEMO_EMAIL.split('@', maxsplit=1)[0]}", exact=True)
    chosen = picker.get_by_text(RULE_NAME, exact=True)  # the picked device, list closed
    for attempt in range(1, PICK_ATTEMPTS + 1):
        if await picker.evaluate("(picker) => picker.value") == device_id:
            return
        if not await item.is_visible():
            if await chosen.is_visible():
                break  # landed: the value follows
            await picker.click()
        try:
            await expect(item).to_be_visible(timeout=PICK_STEP_MS)
            await item.dispatch_event("click", timeout=PICK_STEP_MS)
            await expect(picker).to_have_js_property("value", device_id, timeout=PICK_STEP_MS)
        except (AssertionError, PlaywrightTimeoutError):
            shot = await shots.take(page, f"device-pick-{attempt}-missed")
            print(f"\n  device pick {attempt} did not land (yet): {shot}", end="")
        else:
            return
    await expect(picker).to_have_js_property("value", device_id)


async def save_automation_from_blueprint(
    page: Page, base_url: str, shots: Screenshots, device_id: str
) -> None:
    """Automations → Create automation → the blueprint → the rule's device → Save, no phone."""
    from playwright.async_api import expect

    await page.goto(f"{base_url}/config/automation/dashboard")
    await page.get_by_role("button", name="Create automation").click()
    await page.get_by_text("Playtomic - book the moment courts are released").click()
    await page.wait_for_url("**/config/automation/edit/new**", wait_until="commit")
    await pick_rule_device(page, device_id, shots)
    await shots.take(page, "blueprint-automation")
    await page.get_by_role("button", name="Save").first.click()
    # The save dialog's name field is the page's only text box.
    await page.get_by_role("textbox").fill("Book at release")
    await page.get_by_role("button", name="Save", exact=True).last.click()
    await page.wait_for_url(
        re.compile(r".*/config/automation/edit/(?!new)[^/?]+$"), wait_until="commit"
    )
    await expect(page.get_by_role("textbox")).to_have_count(0)


async def test_demo_onboarded_release_booking_blueprint_restart(
    demo: DemoRun, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """From `scripts/develop` to a booking seen on a dashboard, then a restart that keeps it."""
    from playwright.async_api import async_playwright, expect

    started = monotonic_time.monotonic()
    login = await demo.credentials(demo.start())
    print(f"\n  [{monotonic_since(started):6.1f} s] demo up, login printed", end="")
    assert login["url"] == demo.hass_url
    assert login["how"] == "created"
    api = HassApi(http, demo.hass_url)
    assert all(step["done"] for step in await api.onboarding_steps())
    shots = Screenshots(tmp_path / "screenshots")
    expect.set_options(timeout=UI_TIMEOUT_MS)

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        page = await new_page(browser)
        try:
            # The first screen is the login, and the printed user and password open it.
            await page.goto(f"{demo.hass_url}/")
            await expect(page.get_by_label("Username")).to_be_visible()
            await log_in(page, demo.hass_url, login["user"], login["password"])
            config = await call_ws(page, {"type": "get_config"})
            assert (config["time_zone"], config["latitude"]) == ("Europe/Madrid", 40.4168)
            entries = await call_ws(page, {"type": "config_entries/get"})
            assert not ONLINE_INTEGRATIONS & {e["domain"] for e in entries}, entries

            # The fake's page: release a day in a few seconds, read the values to type.
            fake_page = await page.context.new_page()
            await fake_page.goto(f"{demo.fake_url}/_fake/")
            madrid = fake_page.locator("section.club").filter(has_text="Club Padel Norte Madrid")
            await madrid.get_by_label("minutes until the release").fill(RELEASE_MINUTES)
            await madrid.get_by_role("button", name="Release a day in").click()
            await expect(fake_page.get_by_role("status")).to_contain_text("releases at")
            await shots.take(fake_page, "demo-fake-page")
            values = await page_values(fake_page, "Club Padel Norte Madrid")
            opened = re.search(r"opens: (.+)\)", values["Weekdays"])
            assert opened is not None, values
            opens = datetime.strptime(opened[1], "%d %b %Y").replace(tzinfo=UTC).date()

            # The rule, with the page's values, added as the demo user.
            await api.login(login["user"], login["password"])
            flow_id = await add_entry_until_rule(api)
            weekday = value(values, "Weekdays").lower()[:3]
            assert weekday in WEEKDAYS, values
            release = Release(
                days_ahead=int(values["Days ahead"]),
                at=time.fromisoformat(value(values, "Release time")),
            )
            await finish_rule(
                api, flow_id, rule_input(weekdays=[weekday], release=release, name=RULE_NAME)
            )
            ids = await entity_ids(api)

            # A dashboard with the rule's result and the calendar shows the booking at the release.
            await save_dashboard(page, "dashboard-demo", "Demo", dashboard(ids))
            await page.goto(f"{demo.hass_url}/dashboard-demo/demo")
            result = page.locator("hui-entities-card hui-generic-entity-row").filter(
                has_text="Last booking result"
            )
            await expect(result).to_contain_text("Booked", timeout=BOOKING_TIMEOUT_MS)
            print(
                f"\n  [{monotonic_since(started):6.1f} s] booked at the release, seen on the dashboard"
            )
            await shots.take(page, "demo-dashboard")
            async with http.get(f"{demo.fake_url}/_fake/state") as response:
                matches = (await response.json())["matches"]
            booked = [
                m
                for m in matches
                if m["owner_id"] == DEMO_USER_ID
                and m["status"] == "CONFIRMED"
                and m["start"].startswith(opens.isoformat())
            ]
            assert len(booked) == 1, matches

            device_id = await rule_device_id(page)
            await save_automation_from_blueprint(page, demo.hass_url, shots, device_id)
            print(
                f"\n  [{monotonic_since(started):6.1f} s] automation saved from the blueprint",
                end="",
            )
            automations = [
                s for s in await api.states() if s["entity_id"].startswith("automation.")
            ]
            assert [a["state"] for a in automations] == ["on"], automations
            # As stored in automations.yaml: the blueprint, with the picked device as its rule.
            saved = await api.request(
                "GET", f"/api/config/automation/config/{automations[0]['attributes']['id']}"
            )
            assert saved["use_blueprint"]["input"]["rule"] == device_id, saved
        except BaseException:
            print(f"\n  page at the failure: {await shots.failure(page)}", end="")
            raise
        finally:
            await browser.close()

    # A restart of the demo keeps the booking on the fake and the same login.
    demo.stop()
    again = await demo.credentials(demo.start())
    assert again["how"] == "from an earlier start"
    async with http.get(f"{demo.fake_url}/_fake/state") as response:
        after = (await response.json())["matches"]
    assert booked[0] in after
    restarted = HassApi(http, demo.hass_url)
    await restarted.login(login["user"], login["password"])

    async def loaded() -> bool:
        return [e["state"] for e in await restarted.entries(DOMAIN)] == ["loaded"]

    await wait_for(loaded, within=DEMO_START_TIMEOUT, what="the entry loaded", context=demo.context)
    print(f"\n  [{monotonic_since(started):6.1f} s] restarted: booking and login kept", end="")
