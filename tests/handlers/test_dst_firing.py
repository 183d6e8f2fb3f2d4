"""Daylight saving: every announcement and reminder goes out once, at the club's wall-clock time.

Three clubs (New York, London, Sydney) run weekly through two seasons, each seven weeks
around one clock change of every zone: spring (New York and London spring forward, Sydney
falls back, in March and April) and autumn (the other way round, October and November).
The bot's own jobs fire in time order on the harness clock (`support.run_jobs`: the real
callbacks, the real re-planning at each roll-over, the real sweep every 25 hours). Each
club's leads are chosen so the clocks change between a post and its session.

Per club and session: exactly one announcement and one reminder, each posted when the
local clock shows the session's local date and time minus the lead, counted on the wall
clock (announce 72 h before Sunday 06:00 is Thursday 06:00 whatever the clocks did), and
the posts show the session at its usual local time.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.models import Session
from tests.handlers.conftest import Harness
from tests.handlers.support import Fired, run_jobs

SEASONS = {  # (start, end): from a Wednesday, seven weeks
    "spring": (datetime(2027, 2, 24, 12, 0, tzinfo=UTC), datetime(2027, 4, 14, 12, 0, tzinfo=UTC)),
    "autumn": (datetime(2027, 9, 22, 12, 0, tzinfo=UTC), datetime(2027, 11, 10, 12, 0, tzinfo=UTC)),
}
SWEEP = timedelta(hours=25)  # drifts through every hour of the day


@dataclass(frozen=True)
class Club:
    chat_id: int
    admin: int
    tz: str
    day: str
    weekday: int
    at: time
    announce: timedelta
    reminder: timedelta

    @property
    def settings(self) -> tuple[str, ...]:
        return (
            f"/set tz {self.tz}",
            f"/set day {self.day}",
            f"/set time {self.at:%H:%M}",
            f"/set announce {self.announce // timedelta(hours=1)}h",
            f"/set reminder {self.reminder // timedelta(hours=1)}h",
        )


CLUBS = (
    # Clocks change at 02:00 on a Sunday: the reminder at midnight is before, the run after.
    Club(
        -100601,
        601,
        "America/New_York",
        "sun",
        6,
        time(6, 0),
        timedelta(hours=72),
        timedelta(hours=6),
    ),
    # Announced on Saturday evening, run on Tuesday: the change (Sunday 01:00 UTC) between.
    Club(
        -100602,
        602,
        "Europe/London",
        "tue",
        1,
        time(18, 30),
        timedelta(hours=72),
        timedelta(hours=3),
    ),
    # Sydney changes at 02:00/03:00 on a Sunday in April and October.
    Club(
        -100603,
        603,
        "Australia/Sydney",
        "sun",
        6,
        time(7, 0),
        timedelta(hours=48),
        timedelta(hours=6),
    ),
)


def clock_changes(tz: str, start: datetime, end: datetime) -> list[tuple[datetime, timedelta]]:
    """When in [start, end) the zone's UTC offset changes (to the hour), and by how much."""
    zone, changes = ZoneInfo(tz), []
    instant = start
    while instant < end:
        later = instant + timedelta(hours=1)
        before, after = instant.astimezone(zone).utcoffset(), later.astimezone(zone).utcoffset()
        assert before is not None and after is not None
        if before != after:
            changes.append((later, after - before))
        instant = later
    return changes


def test_the_seasons_hold_both_clock_changes_of_every_zone() -> None:
    for club in CLUBS:
        shifts = sorted(
            shift
            for start, end in SEASONS.values()
            for _, shift in clock_changes(club.tz, start, end)
        )
        assert shifts == [timedelta(hours=-1), timedelta(hours=1)], club.tz


def wall_clock(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


@pytest.fixture
def h(harness: Harness, caplog: pytest.LogCaptureFixture) -> Harness:
    caplog.set_level(logging.WARNING)
    for club in CLUBS:
        harness.api.add_user(club.admin, f"Coach{club.admin}")
        harness.api.add_group(club.chat_id, club.tz, admins=[club.admin])
    return harness


@pytest.mark.parametrize("season", SEASONS)
async def test_posts_fire_once_at_local_wall_clock_time_across_the_clock_change(
    h: Harness, caplog: pytest.LogCaptureFixture, season: str
) -> None:
    start, end = SEASONS[season]
    h.clock.now = start
    for club in CLUBS:
        for command in club.settings:
            reply = await h.say(club.admin, command, chat=club.chat_id)
            assert reply.startswith("✅ Saved."), (command, reply)
    fired = await run_jobs(h, end, SWEEP)
    errors = [r.getMessage() for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, errors
    async with h.services.db.sessions() as session:
        rows = (await session.execute(select(Session))).scalars().all()
    for club in CLUBS:
        starts = {
            row.id: row.starts_at.replace(tzinfo=UTC)
            for row in rows
            if row.group_id == club.chat_id and row.starts_at.replace(tzinfo=UTC) < end
        }
        assert len(starts) >= 6, (club.tz, starts)
        changes = [at for at, _ in clock_changes(club.tz, start, end)]
        check_club(h, club, fired, starts, changes)


def check_club(
    h: Harness, club: Club, fired: list[Fired], starts: dict[int, datetime], changes: list[datetime]
) -> None:
    """Once per session, each at the local date and time minus the lead on the wall clock."""
    posts = {
        "announce": (club.announce, "🏃 Speed session ·"),
        "remind": (club.reminder, "⏰ Reminder"),
    }
    ran = [f for f in fired if f.name.endswith(f":{club.chat_id}")]
    across_a_change = set()
    for kind, (lead, opening) in posts.items():
        posted = [
            (f, message)
            for f in ran
            if f.name.startswith(f"{kind}:")
            for message in f.posted
            if (message.plain_text or "").startswith(opening)
        ]
        in_chat = [t for t in h.bot_texts(club.chat_id) if t.startswith(opening)]
        assert len(in_chat) == len(posted), (club.tz, kind, in_chat)  # no post from elsewhere
        per_session = Counter(f.session_id for f, _ in posted)
        assert set(starts) <= set(per_session), (club.tz, kind, per_session, starts)
        assert set(per_session.values()) == {1}, (club.tz, kind, per_session)
        for f, message in posted:
            if f.session_id not in starts:
                continue  # posted before the end, for a session after it
            start = wall_clock(starts[f.session_id], club.tz)
            assert start.weekday() == club.weekday and start.time() == club.at, (club.tz, start)
            assert f"{club.at:%H:%M}" in (message.plain_text or "").splitlines()[0]
            expected = start - lead  # wall-clock arithmetic: naive local times
            assert wall_clock(f.at, club.tz) == expected, (club.tz, kind, f.at, expected)
            if any(f.at <= change <= starts[f.session_id] for change in changes):
                across_a_change.add(f.session_id)
    assert across_a_change, f"{club.tz}: the clocks never changed between a post and its session"
