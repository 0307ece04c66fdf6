"""Driving Home Assistant's web frontend with Playwright and Debian's Chromium.

The processes (fake server, `hass`) come from `harness.E2EStack`; this module adds what only
the browser test needs: a configuration with the frontend and a finished onboarding, the
Chromium launch, and the few UI gestures (log in, answer a config-flow dialog, screenshots).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
import importlib.util
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .hass_config import ROOT

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator, Page, Playwright

    from .harness import E2EStack

# Debian's package (scripts/setup installs it); PLAYTOMIC_CHROMIUM points elsewhere.
CHROMIUM = Path(os.environ.get("PLAYTOMIC_CHROMIUM", "/usr/bin/chromium"))
# environment.md §5: without the background-networking flags Chromium keeps calling Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
# A Madrid user: 24-hour times and day-month dates, in the club's and Home Assistant's zone.
LOCALE = "en-GB"
TIMEZONE = "Europe/Madrid"
# Generous for a loaded CI machine; every wait is on a condition, so a fast run is not slowed.
UI_TIMEOUT_MS = 20_000

SCREENSHOTS_DIR = ROOT / "docs" / "images"
# Set to 1 to refresh the README's screenshots (docs/images/) from this run.
UPDATE_SCREENSHOTS_ENV = "PLAYTOMIC_UPDATE_SCREENSHOTS"
# A screenshot for the README must stay small; a bigger one means something odd was captured.
MAX_SCREENSHOT_BYTES = 400_000

# Steps other than `user` marked done before the first start: finishing `core_config` over
# REST would start the met, radio_browser and google_translate flows (network, packages),
# while an unfinished onboarding makes the frontend show the onboarding wizard instead of
# the login page. Creating the owner then completes the onboarding.
ONBOARDING_STORE = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config", "analytics", "integration"]},
}


def skip_reason() -> str | None:
    """Why the browser test cannot run on this machine, or None when it can."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed in this venv (scripts/setup installs it)"
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        return (
            f"no Chromium at {CHROMIUM}: scripts/setup installs Debian's chromium package when "
            "it runs as root or with passwordless sudo"
        )
    if importlib.util.find_spec("hass_frontend") is None:
        return "home-assistant-frontend is not installed (requirements_dev.txt, scripts/setup)"
    return None


def serves_local_brand_images() -> bool:
    """Whether this Home Assistant serves `brand/` images of custom integrations itself.

    The `brands` integration does (2026.3+); 2026.2 asks the brands CDN, which a test cannot
    reach, and shows a placeholder.
    """
    return importlib.util.find_spec("homeassistant.components.brands") is not None


def calendar_cards_update_live() -> bool:
    """Whether the calendar card shows a new event without a page reload.

    2026.10's card subscribes to the entity's events (websocket `calendar/event/subscribe`);
    2026.2's fetches them when it opens and then every few minutes, so a person reloads.
    """
    spec = importlib.util.find_spec("homeassistant.components.calendar")
    assert spec is not None
    assert spec.origin is not None
    return "calendar/event/subscribe" in Path(spec.origin).read_text(encoding="utf-8")


# The calendar card's list view: FullCalendar 6 (2026.2, 2026.10) classes, or the frontend's own
# classes on FullCalendar 7 (2026.11).
CALENDAR_LIST_EVENTS = "hui-calendar-card :is(.fc-list-event, .ha-fc-list-event)"


def calendar_list_day(page: Page, day: date) -> Locator:
    """The calendar card's heading of one day (FullCalendar 6 marks it with its ISO date)."""
    dated = page.locator(f"hui-calendar-card .fc-list-day[data-date='{day.isoformat()}']")
    return dated.or_(
        page.locator("hui-calendar-card .ha-fc-list-day-header").filter(has_text=long_date(day))
    )


def write_browser_config(stack: E2EStack) -> None:
    """The harness's configuration plus `frontend:` and an onboarding that only lacks the owner."""
    stack.write_config()
    config = stack.config_dir / "configuration.yaml"
    # frontend's requirement is already in .venv (requirements_dev.txt), so hass --skip-pip is fine.
    config.write_text(config.read_text(encoding="utf-8") + "frontend:\n", encoding="utf-8")
    store = stack.config_dir / ".storage" / "onboarding"
    store.write_text(json.dumps(ONBOARDING_STORE), encoding="utf-8")


async def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless (never a browser downloaded by `playwright install`)."""
    return await playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=UI_TIMEOUT_MS
    )


async def new_page(browser: Browser) -> Page:
    """A fresh page with the test's viewport, language and time zone."""
    context = await browser.new_context(
        viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]},
        locale=LOCALE,
        timezone_id=TIMEZONE,
    )
    context.set_default_timeout(UI_TIMEOUT_MS)
    return await context.new_page()


async def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Use Home Assistant's login form and wait until the app has loaded."""
    from playwright.async_api import expect

    await page.goto(f"{base_url}/")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.locator("ha-sidebar")).to_be_visible(timeout=UI_TIMEOUT_MS)
    # The app replaces "/" with its default dashboard once it has its data.
    await page.wait_for_function("location.pathname !== '/'", timeout=UI_TIMEOUT_MS)


async def call_ws(page: Page, message: dict[str, Any]) -> Any:
    """A websocket command over the frontend's own authenticated connection."""
    return await page.evaluate(
        "(message) => document.querySelector('home-assistant').hass.callWS(message)", message
    )


async def save_dashboard(
    page: Page, url_path: str, title: str, config: dict[str, Any], icon: str = "mdi:tennis"
) -> None:
    """Create a storage dashboard in the sidebar and save its configuration (websocket)."""
    await call_ws(
        page,
        {
            "type": "lovelace/dashboards/create",
            "url_path": url_path,
            "title": title,
            "icon": icon,
            "mode": "storage",
            "show_in_sidebar": True,
            "require_admin": False,
        },
    )
    await call_ws(page, {"type": "lovelace/config/save", "url_path": url_path, "config": config})


def flow_dialog(page: Page) -> Locator:
    """The config-flow dialog (its CSS pierces the frontend's shadow roots)."""
    return page.locator("dialog-data-entry-flow")


async def expect_step(page: Page, title: str) -> None:
    """Wait until the flow dialog shows the step with this (translated) title."""
    from playwright.async_api import expect

    # .first: 2026.2's dialog carries the title twice (its own slot and the mdc heading).
    await expect(flow_dialog(page).get_by_text(title, exact=True).first).to_be_visible()


async def submit_step(page: Page, label: str = "Submit") -> None:
    """Press the dialog's primary button."""
    await flow_dialog(page).get_by_role("button", name=label).click()


async def pick_option(page: Page, field: Locator, option: str) -> None:
    """Open a select field of the dialog and choose an option by its label."""
    await field.click()
    # A menu item on 2026.10, a list-box option on 2026.2.
    item = page.get_by_role("menuitem", name=option, exact=True)
    await item.or_(page.get_by_role("option", name=option, exact=True)).first.click()


@dataclass
class Screenshots:
    """Screenshots of one run: always in the run's directory, and in docs/images on request."""

    run_dir: Path
    update_docs: bool = field(default_factory=lambda: os.environ.get(UPDATE_SCREENSHOTS_ENV) == "1")

    async def take(self, page: Page, name: str) -> Path:
        """Capture the viewport as `<name>.png`; returns the run's copy."""
        # Let fonts, icons and card animations finish so the picture shows the settled page.
        await page.evaluate("document.fonts.ready.then(() => new Promise(requestAnimationFrame))")
        data = await page.screenshot(animations="disabled", caret="hide")
        assert len(data) < MAX_SCREENSHOT_BYTES, f"{name}.png has {len(data)} bytes"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        path = self.run_dir / f"{name}.png"
        path.write_bytes(data)
        if self.update_docs:
            SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
            (SCREENSHOTS_DIR / f"{name}.png").write_bytes(data)
        return path

    async def failure(self, page: Page) -> Path | str:
        """What the page showed when the test failed (never copied to the docs)."""
        path = self.run_dir / "failure.png"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            await page.screenshot(path=path, full_page=True, timeout=5_000)
        except Exception as err:  # the page or browser may be the thing that broke
            return f"no screenshot ({err!r})"
        return path


def long_date(when: date) -> str:
    """How the frontend writes a date for LOCALE with `format: datetime`: "25 November 2026"."""
    return f"{when.day} {when:%B %Y}"
