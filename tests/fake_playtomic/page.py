"""The fake's index as a page a newcomer can read, with buttons instead of curl.

`GET /_fake/` from a browser (one that asks for HTML) shows the clubs, each club's next release
in the club's time and in the browser's, the values to enter in a booking rule so that the next
release books something, the club's upcoming bookings, and form buttons: "release a day in N
minutes" and "free a court now" (another player cancels, the cancellation watch's case). Each
button is a plain form POST that answers with a redirect back to the page. Programs asking for
JSON keep getting the JSON index.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from html import escape
import math
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

from .models import CANCELED, DailyDrop, Rolling

if TYPE_CHECKING:
    from .club import FakeClub
    from .server import FakePlaytomic

PAGE_PREFIX = "/_fake/page"
# The evening window the page suggests (clipped to the club's opening hours), and the duration.
SUGGESTED_WINDOW = (time(18, 0), time(21, 30))
SUGGESTED_DURATION = 90
DEFAULT_RELEASE_MINUTES = 2
# A release a minute or more away lands on a whole minute, so the rule's release time is HH:MM.
WHOLE_MINUTE_FROM_S = 60
MAX_RELEASE_MINUTES = 24 * 60
UPCOMING_SHOWN = 12

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem;
       color: #1c1c1c; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6rem 0; } td, th { padding: 0.25rem 0.8rem;
        text-align: left; border-bottom: 1px solid #eee; vertical-align: top; }
.values td:last-child { font-family: ui-monospace, monospace; font-weight: 600; }
form { display: inline-block; margin: 0.4rem 1rem 0.4rem 0; }
button { font-size: 1rem; padding: 0.4rem 0.9rem; cursor: pointer; }
input[type=number] { width: 5rem; font-size: 1rem; }
.message { background: #e8f4ea; border: 1px solid #9c9; padding: 0.6rem 1rem; }
.muted { color: #666; } .mine { font-weight: 600; }
"""

# Fills every <time class="browser"> with the instant in the browser's own zone.
SCRIPT = """
for (const el of document.querySelectorAll("time.browser")) {
  el.textContent = new Date(el.dateTime).toLocaleString(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    second: "2-digit", timeZoneName: "short" });
}
"""


def wants_html(request: web.Request) -> bool:
    """A browser's request for the index (Accept: text/html), unless ?format=json."""
    return request.query.get("format") != "json" and "text/html" in request.headers.get(
        "Accept", ""
    )


def _club_time(club: FakeClub, when: datetime) -> str:
    local = when.astimezone(club.zone)
    clock = f"{local:%H:%M}" if local.second == 0 else f"{local:%H:%M:%S}"
    return f"{local:%a %d %b %Y} {clock} ({club.timezone})"


def _hhmm(value: time) -> str:
    return f"{value:%H:%M}" if value.second == 0 else f"{value:%H:%M:%S}"


def opens_at_release(club: FakeClub, release: datetime) -> date | None:
    """The club-local day a daily drop at `release` opens (None for a rolling club)."""
    if not isinstance(club.release, DailyDrop):
        return None
    return club.local_date(release) + timedelta(days=club.release.days_ahead)


def suggested_window(club: FakeClub) -> tuple[time, time]:
    """The evening window, clipped to the club's opening hours."""
    opens, closes = club.opening
    return max(SUGGESTED_WINDOW[0], opens), min(SUGGESTED_WINDOW[1], closes)


def rule_values(club: FakeClub, release: datetime) -> list[tuple[str, str]]:
    """(rule field, value to enter) so that the club's next release books something."""
    start, end = suggested_window(club)
    values = [("Club", club.name)]
    model = club.release
    if isinstance(model, DailyDrop):
        day = opens_at_release(club, release)
        assert day is not None
        values.append(("Weekdays", f"{day:%A} (the day this release opens: {day:%d %b %Y})"))
    else:
        values.append(("Weekdays", "any (each slot opens on its own)"))
    values += [
        ("Earliest start", f"{start:%H:%M}"),
        ("Latest end", f"{end:%H:%M}"),
        ("Duration", f"{SUGGESTED_DURATION} minutes"),
    ]
    if isinstance(model, DailyDrop):
        values += [
            ("Release model", "Daily drop"),
            ("Days ahead", str(model.days_ahead)),
            ("Release time", f"{_hhmm(model.time)} (club time)"),
        ]
    else:
        values += [("Release model", "Rolling"), ("Rolling window (minutes)", str(model.minutes))]
    values.append(("Book automatically", "on"))
    return values


def counted(count: int, one: str, other: str) -> str:
    """ "1 court", "4 courts"."""
    return f"{count} {one if count == 1 else other}"


def _release_text(club: FakeClub) -> str:
    model = club.release
    if isinstance(model, Rolling):
        minutes = counted(model.minutes, "minute", "minutes")
        return f"rolling: each slot opens {minutes} before it starts"
    days = counted(model.days_ahead, "day", "days")
    return f"daily drop: every day at {_hhmm(model.time)} club time, {days} ahead"


def _bookings(fake: FakePlaytomic, club: FakeClub, now: datetime) -> str:
    accounts = {a.user_id: a.email for a in fake.accounts.values()}
    upcoming = sorted(
        (m for m in fake.matches if m.tenant_id == club.tenant_id and m.end > now),
        key=lambda m: m.start,
    )[:UPCOMING_SHOWN]
    if not upcoming:
        return '<p class="muted">No upcoming bookings.</p>'
    rows = []
    for match in upcoming:
        court = club.court(match.resource_id)
        who = accounts.get(match.owner_id)
        status = "cancelled" if match.status == CANCELED else "booked"
        rows.append(
            f'<tr class="{"mine" if who else ""}"><td>{escape(_club_time(club, match.start))}</td>'
            f"<td>{match.duration} min</td><td>{escape(court.name if court else '?')}</td>"
            f"<td>{escape(who or 'another player')}</td><td>{status}</td></tr>"
        )
    return (
        "<table><tr><th>Starts</th><th>Length</th><th>Court</th><th>Who</th><th>Status</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _club_section(fake: FakePlaytomic, club: FakeClub, now: datetime) -> str:
    release = club.next_release_after(now)
    action = f"{PAGE_PREFIX}/clubs/{quote(club.tenant_id)}"
    values = "".join(
        f"<tr><td>{escape(field)}</td><td>{escape(value)}</td></tr>"
        for field, value in rule_values(club, release)
    )
    return f"""
<section class="club" data-tenant-id="{escape(club.tenant_id)}">
<h2>{escape(club.name)}</h2>
<p>{escape(club.timezone)} · {counted(len(club.courts), "court", "courts")} · release {escape(_release_text(club))}</p>
<table>
<tr><th>Next release, club time</th><td class="next-release">{escape(_club_time(club, release))}</td></tr>
<tr><th>Next release, your time</th><td><time class="browser" datetime="{release.isoformat()}">{escape(release.isoformat())}</time></td></tr>
</table>
<h3>Values for a booking rule that the next release books</h3>
<table class="values">{values}</table>
<form method="post" action="{action}/release">
  <button type="submit">Release a day in</button>
  <input type="number" name="minutes" value="{DEFAULT_RELEASE_MINUTES}" min="0.05" step="any"
         aria-label="minutes until the release"> minutes
</form>
<form method="post" action="{action}/free-court">
  <button type="submit">Free a court now</button>
  <span class="muted">another player cancels their soonest booking here</span>
</form>
<h3>Upcoming bookings</h3>
{_bookings(fake, club, now)}
</section>"""


def render(fake: FakePlaytomic, message: str | None = None) -> str:
    """The whole page."""
    now = fake.clock.now()
    accounts = "".join(
        f"<tr><td>{escape(a.email)}</td><td>{escape(a.password)}</td></tr>"
        for a in fake.accounts.values()
    )
    notice = f'<p class="message" role="status">{escape(message)}</p>' if message else ""
    clubs = "".join(_club_section(fake, club, now) for club in fake.clubs.values())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fake Playtomic</title>
<style>{STYLE}</style></head><body>
<h1>Fake Playtomic</h1>
<p class="muted">Server time {escape(now.astimezone(UTC).strftime("%H:%M:%S"))} UTC
({"real clock" if fake.clock.is_real else "frozen clock"}) · <a href="/_fake/">refresh</a> ·
<a href="/_fake/?format=json">index as JSON</a> · <a href="/_fake/state">state</a> ·
<a href="/_fake/requests">request log</a></p>
{notice}
<h2>Accounts</h2>
<table><tr><th>E-mail</th><th>Password</th></tr>{accounts}</table>
{clubs}
<script>{SCRIPT}</script>
</body></html>"""


def release_instant(fake: FakePlaytomic, minutes: float) -> datetime:
    """Now + `minutes` on the fake's clock, rounded up to a whole minute from one minute on (so
    the rule's release time needs no seconds), else to a whole second."""
    at = fake.clock.now() + timedelta(minutes=minutes)
    unit = timedelta(minutes=1) if minutes * 60 >= WHOLE_MINUTE_FROM_S else timedelta(seconds=1)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    return epoch + math.ceil((at - epoch) / unit) * unit


class PageHandlers:
    """The page's form buttons: each changes the fake and redirects back to the page."""

    def __init__(self, fake: FakePlaytomic) -> None:
        self._fake = fake

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post(f"{PAGE_PREFIX}/clubs/{{tenant_id}}/release", self.release),
            web.post(f"{PAGE_PREFIX}/clubs/{{tenant_id}}/free-court", self.free_court),
        ]

    def _club(self, request: web.Request) -> FakeClub:
        club = self._fake.clubs.get(request.match_info["tenant_id"])
        if club is None:
            raise web.HTTPNotFound(text="unknown club")
        return club

    @staticmethod
    def _back(message: str) -> web.HTTPSeeOther:
        return web.HTTPSeeOther(f"/_fake/?message={quote(message)}")

    async def release(self, request: web.Request) -> web.Response:
        """Move the club's daily release to N minutes from now (whole minutes from one on)."""
        club = self._club(request)
        form = await request.post()
        try:
            minutes = float(str(form.get("minutes", DEFAULT_RELEASE_MINUTES)))
        except ValueError:
            minutes = math.nan
        if not 0 < minutes <= MAX_RELEASE_MINUTES:
            raise self._back(f"Minutes must be a number above 0 and at most {MAX_RELEASE_MINUTES}.")
        instant = self._fake.release_at(club.tenant_id, release_instant(self._fake, minutes))
        day = opens_at_release(club, instant)
        opens = f": {day:%A %d %b %Y} opens" if day else ""
        raise self._back(
            f"{club.name} releases at {_club_time(club, instant)}{opens}. "
            "Enter the values below in a booking rule."
        )

    async def free_court(self, request: web.Request) -> web.Response:
        """Another player cancels their soonest upcoming booking at the club, now."""
        club = self._club(request)
        match = self._fake.someone_elses_match(club.tenant_id)
        if match is None:
            raise self._back(f"No booking of another player at {club.name} to cancel.")
        self._fake.cancel_match(match.match_id)
        court = club.court(match.resource_id)
        raise self._back(
            f"Freed {court.name if court else 'a court'} at {_club_time(club, match.start)}."
        )
