"""Daylight saving: every announcement and reminder goes out once, at the club's wall-clock time.

Three clubs (New York, London, Sydney) run weekly for nine months that hold both clock
changes of each zone (Sydney's are in April and October). The bot's own jobs fire in time
order on the harness clock (`support.run_jobs`: the real callbacks, the real re-planning
at each roll-over, the real sweep every 25 hours). Each club's leads are chosen so the
clocks change between the post and the session, or between the reminder and the start.

Per club and week: exactly one announcement and one reminder, each posted when the local
clock shows the session's local date and time minus the lead, counted on the wall clock
(announce 72 h before Sunday 06:00 is Thursday 06:00 whatever the clocks did), and the
announcement shows the session at its usual local time.
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
from handlers.errors import SORRY
from tests.handlers.conftest import Harness
from tests.handlers.support import Fired, run_jobs

START = datetime(2027, 2, 24, 12, 0, tzinfo=UTC)  # a Wednesday
END = datetime(2027, 11, 16, 12, 0, tzinfo=UTC)
SWEEP = timedelta(days=400)


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
        hours = lambda lead: f"{int(lead.total_seconds() // 3600)}h"  # noqa: E731
        return (
            f"/set tz {self.tz}",
            f"/set day {self.day}",
            f"/set time {self.at:%H:%M}",
            f"/set announce {hours(self.announce)}",
            f"/set reminder {hours(self.reminder)}",
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


def clock_changes(tz: str) -> list[datetime]:
    """The instants in [START, END) at which the zone's UTC offset changes (hour precision)."""
    zone, changes = ZoneInfo(tz), []
    instant = START
    while instant < END:
        later = instant + timedelta(hours=1)
        if instant.astimezone(zone).utcoffset() != later.astimezone(zone).utcoffset():
            changes.append(later)
        instant = later
    return changes


def wall_clock(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


@pytest.fixture
def h(harness: Harness, caplog: pytest.LogCaptureFixture) -> Harness:
    caplog.set_level(logging.WARNING)
    harness.clock.now = START
    for club in CLUBS:
        harness.api.add_user(club.admin, f"Coach{club.admin}")
        harness.api.add_group(club.chat_id, club.tz, admins=[club.admin])
    return harness


async def test_posts_fire_once_at_local_wall_clock_time_across_both_clock_changes(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    for club in CLUBS:
        changes = clock_changes(club.tz)
        assert len(changes) == 2, (club.tz, changes)  # spring forward and fall back, once each
        for command in club.settings:
            reply = await h.say(club.admin, command, chat=club.chat_id)
            assert reply.startswith("✅ Saved."), (command, reply)
    fired = await run_jobs(h, END, SWEEP)
    errors = [r.getMessage() for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, errors
    async with h.services.db.sessions() as session:
        rows = (await session.execute(select(Session).order_by(Session.starts_at))).scalars().all()
    for club in CLUBS:
        mine = [
            r for r in rows if r.group_id == club.chat_id and r.starts_at.replace(tzinfo=UTC) < END
        ]
        check_club(club, fired, {r.id: r.starts_at.replace(tzinfo=UTC) for r in mine})
    assert SORRY not in "\n".join(t for club in CLUBS for t in h.bot_texts(club.chat_id))


def check_club(club: Club, fired: list[Fired], starts: dict[int, datetime]) -> None:
    """Once per session, each at the local date and time minus the lead on the wall clock."""
    posts = {
        "announce": (club.announce, "🏃 Speed session ·"),
        "remind": (club.reminder, "⏰ Reminder"),
    }
    ran = [f for f in fired if f.name.endswith(f":{club.chat_id}")]
    weeks_around_changes = set()
    for kind, (lead, opening) in posts.items():
        posted = [
            (f, message)
            for f in ran
            if f.name.startswith(f"{kind}:")
            for message in f.posted
            if (message.plain_text or "").startswith(opening)
        ]
        per_session = Counter(f.session_id for f, _ in posted)
        assert set(starts) <= set(per_session), (club.tz, kind, per_session, starts)
        assert set(per_session.values()) == {1}, (club.tz, kind, per_session)
        for f, message in posted:
            if f.session_id not in starts:
                continue  # posted before the end, for a session after it
            start = wall_clock(starts[f.session_id], club.tz)
            assert start.weekday() == club.weekday and start.time() == club.at, (club.tz, start)
            # "HH:MM" of the session, as the club reads it, in the post itself.
            assert f"{club.at:%H:%M}" in (message.plain_text or "").splitlines()[0]
            expected = start - lead  # wall-clock arithmetic: naive local times
            assert wall_clock(f.at, club.tz) == expected, (club.tz, kind, f.at, expected)
            if any(f.at <= change <= starts[f.session_id] for change in clock_changes(club.tz)):
                weeks_around_changes.add((kind, f.session_id))
    # The clocks did change between a post and its session, in both directions.
    assert len({session for _, session in weeks_around_changes}) >= 2, (
        club.tz,
        weeks_around_changes,
    )
