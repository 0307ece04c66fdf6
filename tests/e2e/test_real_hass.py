"""A real `hass` process with the integration, driven from outside against the fake server.

Each test owns a fresh fake server (demo scenario) and a fresh Home Assistant configuration;
every process is stopped by its PID in the `stack` fixture's teardown, also on failure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time as dtime, timedelta
import time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from .fake_api import LOGIN_PATH, REFRESH_PATH, FakeApi, is_confirmation, is_create, received_at
from .harness import E2EStack
from .hass_api import HassApi
from .hass_config import stored_entries
from .observers import Observer
from .playtomic_flow import (
    DEMO_PASSWORD,
    DEMO_USER_ID,
    DOMAIN,
    MADRID_TENANT_ID,
    MADRID_ZONE,
    NOTIFY_TARGET,
    WEEKDAYS,
    Release,
    add_entry_until_rule,
    entity_ids,
    finish_rule,
    rule_input,
    weekday,
)
from .polling import holds_for, wait_for
from .secret_scan import find_secrets

# From submitting the rule to the club's release: room for entry setup and the engine's
# preparation (token check, server clock, courts) before the instant.
RELEASE_LEAD_SECONDS = 12
BOOKING_TIMEOUT = 60.0
# How long "nothing more happens" is watched after a restart.
QUIET_SECONDS = 3.0


class PhaseClock:
    """Prints how long each phase of a test took (shown with -s)."""

    def __init__(self) -> None:
        """Start counting now."""
        self.start = self.last = time.monotonic()

    def done(self, what: str) -> None:
        """Print the phase's duration and the total so far."""
        now = time.monotonic()
        print(f"\n  [{now - self.start:6.1f} s] {what} ({now - self.last:.1f} s)", end="")
        self.last = now


def own_confirmed(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The demo user's confirmed matches on the fake."""
    return [
        m for m in state["matches"] if m["owner_id"] == DEMO_USER_ID and m["status"] == "CONFIRMED"
    ]


def match_day(match: dict[str, Any], zone: ZoneInfo) -> date:
    """Club-local date of a fake match (its start is naive UTC text)."""
    start = datetime.fromisoformat(match["start"].removesuffix("Z"))
    return start.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


async def state_of(api: HassApi, entity_id: str) -> str | None:
    """An entity's state string."""
    state = await api.state(entity_id)
    return state["state"] if state else None


UNKNOWN = {"unknown", "unavailable"}


async def wait_state(
    stack: E2EStack,
    api: HassApi,
    entity_id: str,
    wanted: str | Callable[[str], bool],
    within: float,
) -> dict[str, Any]:
    """Poll REST /api/states until the entity's state is `wanted` (or satisfies it)."""
    accept = (lambda value: value == wanted) if isinstance(wanted, str) else wanted

    async def probe() -> dict[str, Any] | None:
        state = await api.state(entity_id)
        return state if state and accept(state["state"]) else None

    what = f"{entity_id} == {wanted!r}" if isinstance(wanted, str) else f"{entity_id} state"
    return await wait_for(probe, within=within, what=what, context=stack.context)


def known(value: str) -> bool:
    """A state with a value (not unknown/unavailable)."""
    return value not in UNKNOWN


async def assert_notified(stack: E2EStack, observer: Observer, outcome_word: str) -> None:
    """The rule's notify target (notify.persistent_notification) was called and shows up."""

    async def notified() -> list[dict[str, Any]] | None:
        shown = [
            n
            for n in observer.notifications().values()
            if outcome_word in f"{n.get('title')} {n.get('message')}".lower()
        ]
        return shown or None

    shown = await wait_for(
        notified, within=10, what="a persistent notification", context=stack.context
    )
    calls = observer.notify_calls(NOTIFY_TARGET)
    assert len(calls) == 1, calls
    data = calls[0]["service_data"]
    assert data["title"], data
    assert data["message"], data
    assert data["data"]["url"] == data["data"]["clickAction"], data
    print(f"\n  notification: {shown[0].get('title')!r}: {shown[0].get('message')!r}", end="")


async def book_now_once(
    stack: E2EStack,
    api: HassApi,
    fake: FakeApi,
    observer: Observer,
    ids: dict[str, str],
    rule_id: str,
) -> dict[str, Any]:
    """Press the rule's `book_now` button: one booking, sensor `booked`, event, notification."""
    before = own_confirmed(await fake.state())
    await fake.clear_requests()
    await api.call_service("button", "press", {"entity_id": ids["book_now"]})

    result = await wait_state(stack, api, ids["last_booking_result"], "booked", within=30)
    match_id = result["attributes"]["match_id"]
    assert match_id, result
    succeeded = await wait_for(
        lambda: _async_value(observer.succeeded),
        within=10,
        what="playtomic_booking_succeeded",
        context=stack.context,
    )
    assert len(succeeded) == 1, succeeded
    assert succeeded[0]["data"]["rule_id"] == rule_id, succeeded
    assert succeeded[0]["data"]["match_id"] == match_id, succeeded
    await assert_notified(stack, observer, "booked")
    assert observer.failed == [], observer.failed

    confirmations = [r for r in await fake.requests() if is_confirmation(r)]
    assert [r["status"] for r in confirmations] == [200], confirmations
    new = [m for m in own_confirmed(await fake.state()) if m not in before]
    assert [m["match_id"] for m in new] == [match_id], new
    return result


async def _async_value[T](value: list[T]) -> list[T] | None:
    return value or None


async def rotate_tokens(stack: E2EStack, api: HassApi, fake: FakeApi, entry_id: str) -> None:
    """Expire the access tokens on the fake and make hass call the API: the pair rotates.

    `playtomic.find_slots` calls the API directly; a coordinator refresh would wait out the
    refresh debouncer's 10 s cooldown after the booking.
    """
    await fake.clear_requests()
    assert await fake.expire_tokens() >= 1
    found = await api.call_service(
        DOMAIN, "find_slots", {"config_entry_id": entry_id}, response=True
    )
    assert isinstance(found["slots"], list), found
    refreshes = [r for r in await fake.requests() if r["path"] == REFRESH_PATH]
    assert [r["status"] for r in refreshes] == [200], refreshes


async def test_release_booking_then_restart(stack: E2EStack, http: aiohttp.ClientSession) -> None:
    """The rule books at the club's release instant, once; a restart keeps tokens and books nothing."""
    api, fake = stack.clients(http)
    zone = ZoneInfo(MADRID_ZONE)
    phase = PhaseClock()
    phase.done(f"hass up and onboarded ({await stack.boot_hass(api)} s)")
    before = own_confirmed(await fake.state())

    async with Observer(api) as observer:
        flow_id = await add_entry_until_rule(api)
        # Whole seconds: the rule form stores HH:MM:SS, so the fake's instant must have no
        # fraction, or the rule would fire up to a second early by construction.
        now = await fake.now()
        release_at = now.replace(microsecond=0) + timedelta(seconds=RELEASE_LEAD_SECONDS + 1)
        local = release_at.astimezone(zone)
        # One day ahead and only the target's weekday: no other date of the rule is open, so
        # whatever gets booked was booked by the release.
        release = Release(days_ahead=1, at=local.time())
        target_day = local.date() + timedelta(days=release.days_ahead)
        changed = await fake.set_release(
            MADRID_TENANT_ID,
            {
                "model": "daily_drop",
                "days_ahead": release.days_ahead,
                "time": local.time().isoformat(),
            },
        )
        assert datetime.fromisoformat(changed["next_release"]) == release_at, changed
        await fake.clear_requests()
        added = await finish_rule(
            api,
            flow_id,
            rule_input(weekdays=[weekday(target_day)], release=release, name="Release"),
        )
        ids = await entity_ids(api)
        attempt = await wait_state(stack, api, ids["next_booking_attempt"], known, within=20)
        assert datetime.fromisoformat(attempt["state"]) == release_at, attempt
        phase.done(f"config flow done, release armed for {release_at.isoformat()}")

        result = await wait_state(
            stack,
            api,
            ids["last_booking_result"],
            "booked",
            within=RELEASE_LEAD_SECONDS + BOOKING_TIMEOUT,
        )
        succeeded = await wait_for(
            lambda: _async_value(observer.succeeded),
            within=10,
            what="playtomic_booking_succeeded",
            context=stack.context,
        )
        assert len(succeeded) == 1, succeeded
        assert succeeded[0]["data"]["rule_id"] == added.rule_id, succeeded
        await assert_notified(stack, observer, "booked")
        assert observer.failed == [], observer.failed

    requests = await fake.requests()
    creates = [r for r in requests if is_create(r)]
    assert creates, requests
    first = received_at(creates[0])
    delay_ms = (first - release_at).total_seconds() * 1000
    phase.done(
        f"booked at the release: first POST /v1/payment_intents {delay_ms:+.1f} ms after the "
        f"release instant (fake's clock); creates answered {[r['status'] for r in creates]}"
    )
    assert first >= release_at, f"first create {delay_ms:.1f} ms before the release"
    confirmations = [r for r in requests if is_confirmation(r) and r["status"] == 200]
    assert len(confirmations) == 1, confirmations
    after = own_confirmed(await fake.state())
    new = [m for m in after if m not in before]
    assert len(new) == 1, new
    assert match_day(new[0], zone) == target_day, new
    assert new[0]["match_id"] == result["attributes"]["match_id"], (new, result)

    # Restart on the same configuration, with tokens that rotated while hass was up.
    await rotate_tokens(stack, api, fake, added.entry_id)
    assert stack.stop_hass() == 0, stack.context()
    newest = (await fake.tokens())["pairs"][-1]
    [stored] = stored_entries(stack.config_dir, DOMAIN)
    assert stored["data"]["tokens"]["access_token"] == newest["access_token"]
    assert stored["data"]["tokens"]["refresh_token"] == newest["refresh_token"]
    assert newest["access_valid"], newest

    await fake.clear_requests()
    phase.done(f"hass restarted ({await stack.boot_hass(api)} s)")
    [entry] = await api.entries(DOMAIN)
    assert entry["state"] == "loaded", entry
    await wait_state(stack, api, ids["last_booking_result"], "booked", within=10)

    async def nothing_new() -> None:
        requests = await fake.requests()
        auth = [r for r in requests if r["path"] in (LOGIN_PATH, REFRESH_PATH)]
        assert auth == [], f"valid stored tokens, yet hass authenticated again: {auth}"
        assert [r for r in requests if is_create(r)] == [], "a booking attempt after restart"
        assert own_confirmed(await fake.state()) == after

    await holds_for(nothing_new, duration=QUIET_SECONDS)
    assert (await fake.tokens())["pairs"][-1] == newest
    phase.done("after the restart: loaded with the rotated tokens, no login, no second booking")


async def issues_of(observer: Observer) -> list[dict[str, Any]]:
    """The integration's Repairs issues."""
    result = await observer.command({"type": "repairs/list_issues"})
    return [i for i in result["issues"] if i["domain"] == DOMAIN]


async def reauth_flows(observer: Observer) -> list[dict[str, Any]]:
    """Reauth flows of the integration waiting for the user."""
    flows = await observer.command({"type": "config_entries/flow/progress"})
    return [f for f in flows if f["handler"] == DOMAIN and f["context"].get("source") == "reauth"]


async def test_book_now_then_fault_matrix(stack: E2EStack, http: aiohttp.ClientSession) -> None:
    """The `book_now` button books once; then 5xx, dead tokens, a refused login, the HTML 403.

    Through all faults Home Assistant stays up, the entities go unavailable and come back, the
    user is asked to act where only they can (reauth flow, Repairs issue), nothing is booked
    twice, and neither the password nor any token the fake issued reaches the logs.
    """
    api, fake = stack.clients(http)
    phase = PhaseClock()
    phase.done(f"hass up and onboarded ({await stack.boot_hass(api)} s)")
    before = own_confirmed(await fake.state())
    api_paths = "^/v[0-9]+/"

    async with Observer(api) as observer:
        flow_id = await add_entry_until_rule(api)
        # auto_book off: only the button books in this test.
        fields = rule_input(
            weekdays=list(WEEKDAYS),
            release=Release(days_ahead=14, at=dtime(8, 30)),
            name="Faults",
            auto_book=False,
        )
        added = await finish_rule(api, flow_id, fields)
        ids = await entity_ids(api)
        for key in ("next_open_slot", "last_booking_result", "next_booking_attempt", "book_now"):
            assert key in ids, ids
        upcoming = ids["upcoming_booking"]
        await wait_state(stack, api, upcoming, known, within=20)
        await wait_state(stack, api, ids["next_open_slot"], known, within=20)
        phase.done("config flow user -> club -> club_select -> rule")
        # The booking also gives "nothing booked twice" something to duplicate.
        await book_now_once(stack, api, fake, observer, ids, added.rule_id)
        phase.done("book_now: booked once, event, notification")

        async def refresh_until(
            wanted: Callable[[str], bool], what: str, also: Callable[[], Awaitable[bool]] = _yes
        ) -> None:
            # update_entity on a coordinator entity is a coordinator refresh; repeated because
            # the coordinator debounces requests that come too close together.
            async def probe() -> bool:
                await api.call_service("homeassistant", "update_entity", {"entity_id": upcoming})
                state = await api.state(upcoming)
                return state is not None and wanted(state["state"]) and await also()

            await wait_for(probe, within=60, what=what, context=stack.context, interval=1)

        async def hass_is_up() -> None:
            # The same process, still running: a crash-and-restart would also answer REST.
            assert stack.hass is not None
            assert stack.hass.running, stack.context()
            assert stack.hass_starts == 1
            assert (await api.config())["state"] == "RUNNING"

        # 1. The API answers 503 to everything: the data goes stale, then comes back.
        await fake.add_fault(kind="fail", method="*", path=api_paths, status=503, count=None)
        await refresh_until(lambda s: s == "unavailable", "unavailable under 5xx")
        assert await state_of(api, ids["bookings"]) == "unavailable"
        await hass_is_up()
        await fake.clear_faults()
        await refresh_until(known, "back after 5xx")
        assert await state_of(api, ids["bookings"]) != "unavailable"
        phase.done("5xx: unavailable, then back")

        # 2. Every token expired: the client logs in again with the stored password, silently.
        await fake.clear_requests()
        await fake.expire_tokens()
        await fake.expire_tokens(refresh=True)

        async def logged_in() -> bool:
            return any(r["path"] == LOGIN_PATH for r in await fake.requests())

        await refresh_until(known, "a new login with the stored password", also=logged_in)
        logins = [r for r in await fake.requests() if r["path"] == LOGIN_PATH]
        assert [r["status"] for r in logins] == [200], logins
        assert await reauth_flows(observer) == []
        phase.done("expired tokens: silent login with the stored password")

        # 3. Tokens dead and the login refused (password changed): the user must sign in again.
        await fake.expire_tokens()
        await fake.expire_tokens(refresh=True)
        await fake.add_fault(
            kind="respond",
            method="POST",
            path=f"^{LOGIN_PATH}$",
            status=401,
            json={"status": "UNAUTHORIZED", "localized_message": "Bad credentials"},
            count=None,
        )
        await refresh_until(lambda s: s == "unavailable", "unavailable after a refused login")
        [reauth] = await wait_for(
            lambda: reauth_flows(observer), within=20, what="a reauth flow", context=stack.context
        )
        await hass_is_up()
        await fake.clear_faults()
        done = await api.flow_step(reauth["flow_id"], {"password": DEMO_PASSWORD})
        assert done.get("type") == "abort", done
        assert done.get("reason") == "reauth_successful", done
        await wait_state(stack, api, upcoming, known, within=30)
        assert await reauth_flows(observer) == []
        phase.done("refused login: unavailable, reauth flow, back after reauth")

        # 4. The firewall's HTML 403: a Repairs issue explains it; a reload is the user's retry.
        await fake.add_fault(kind="edge_block", method="*", path=api_paths, count=None)
        await refresh_until(lambda s: s == "unavailable", "unavailable behind the firewall")
        issues = await wait_for(
            lambda: issues_of(observer), within=20, what="a Repairs issue", context=stack.context
        )
        assert [i["translation_key"] for i in issues] == ["edge_blocked"], issues
        await hass_is_up()
        await fake.clear_faults()
        await api.reload_entry(added.entry_id)
        await wait_state(stack, api, upcoming, known, within=30)

        async def no_issues() -> bool:
            return not await issues_of(observer)

        await wait_for(no_issues, within=20, what="the issue to go away", context=stack.context)
        [entry] = await api.entries(DOMAIN)
        assert entry["state"] == "loaded", entry
        phase.done("HTML 403: unavailable, Repairs issue, back after reload")

    # Nothing booked twice: the one booking of the button, confirmed once.
    requests = await fake.requests()
    new = [m for m in own_confirmed(await fake.state()) if m not in before]
    assert len(new) == 1, new
    intents = (await fake.state())["intents"]
    assert sum(1 for i in intents if i["match_id"]) == 1, intents
    assert not [r for r in requests if is_confirmation(r)], "a confirmation after the faults"

    # Nothing secret in the logs (hass is stopped first so every line is flushed).
    assert stack.stop_hass() == 0, stack.context()
    issued = (await fake.tokens())["issued"]
    assert len(issued) >= 6, issued
    secrets = {"password": DEMO_PASSWORD} | {f"token #{n}": t for n, t in enumerate(issued)}
    logs = stack.log_files()
    assert any(p.name == "home-assistant.log" for p in logs), logs
    leaks = find_secrets(logs, secrets)
    assert leaks == [], f"secrets in the logs: {leaks}"
    phase.done(f"no secret in {len(logs)} logs ({len(secrets)} secrets)")


async def _yes() -> bool:
    return True
