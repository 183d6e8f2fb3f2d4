"""Attendance over a season: sessions attended, reports, no-shows and current streaks.

Definitions (the coach's /attendance and the attendance CSV use these):

* **Season:** a calendar year in the group's time zone (1 Jan to 31 Dec local), by
  default the current one. Only sessions that have started and were not cancelled count.
* **Held session:** one where somebody attended or was marked a no-show. A week in
  which nobody answered In and nobody reported says nothing about who came, so it
  neither counts nor breaks anyone's streak.
* **Attended:** reported times for the session, or answered In with a place (not on
  the waitlist) and was not marked a no-show by a coach. Most runners who say In come,
  and not everyone reports; a coach corrects the exceptions with a no-show mark.
* **No-show:** a coach marked the member a no-show (a result with status "no_show").
  An In without any result is *not* a no-show (see Attended).
* **Streak:** consecutive held sessions of the season attended, counted back from the
  latest held session (0 when the member missed the latest one).

Four queries per call, whatever the season's length: the sessions (by
`ix_sessions_group_starts`), the In answers and the results of those sessions (by the
session-leading primary key of `rsvps` and unique key of `results`), and the names of
the members with a status there (by primary key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.boards import MEMBER_COLUMNS, Runner, runner_of
from db.convert import group_settings
from db.engine import Database
from db.models import NO_SHOW, REPORTED, Group, Member, Result, Rsvp, Session
from db.views import GroupSettings
from domain import schedule
from domain.rsvp import Answer, Reply, allocate

ATTENDED = "attended"  # answered In with a place, no result
CAME = (REPORTED, ATTENDED)
FIRST_SEASON = 2000


@dataclass(frozen=True)
class MemberAttendance:
    runner: Runner
    attended: int
    reported: int
    no_shows: int
    streak: int


@dataclass(frozen=True)
class SeasonAttendance:
    group: GroupSettings
    year: int
    # Local dates of the held sessions, oldest first.
    sessions: tuple[date, ...]
    # Most sessions attended first, then longest streak, then by name.
    members: tuple[MemberAttendance, ...]


def season_year(now: datetime, tz: str) -> int:
    """The current season: the local calendar year."""
    return schedule.local_date(now, tz).year


def season_range(year: int, tz: str) -> tuple[datetime, datetime]:
    """The season's first instant and the next season's first instant, in UTC."""
    midnight = time(0, 0)
    return (
        schedule.local_to_utc(date(year, 1, 1), midnight, tz),
        schedule.local_to_utc(date(year + 1, 1, 1), midnight, tz),
    )


async def season_sessions(
    session: AsyncSession, group: Group, year: int, now: datetime
) -> list[tuple[int, datetime]]:
    """The season's sessions that have started and were not cancelled: (id, start), oldest
    first."""
    start, end = season_range(year, group.timezone)
    rows = await session.execute(
        select(Session.id, Session.starts_at)
        .where(
            Session.group_id == group.chat_id,
            Session.starts_at >= start,
            Session.starts_at < end,
            Session.starts_at <= now,
            Session.cancelled_at.is_(None),
        )
        .order_by(Session.starts_at)
    )
    return [(session_id, starts_at) for session_id, starts_at in rows]


async def _marks(
    connection: AsyncConnection, capacity: int | None, ids: list[int]
) -> dict[int, dict[int, str]]:
    """Per member, their status (reported, no_show or attended) in each session they have one.

    A session where anybody has a status is held, so each of these counts. A season holds
    thousands of rows: they are read through the connection, one at a time, because an
    ORM result holds them all at once, and that many live objects set off the garbage
    collector's full passes (tens of ms each on the benchmark machine).
    """
    marks: dict[int, dict[int, str]] = {}
    for session_id, user_id in await _placed(connection, capacity, ids):
        marks.setdefault(user_id, {})[session_id] = ATTENDED
    results = await connection.execute(
        select(Result.session_id, Result.user_id, Result.status).where(
            Result.session_id.in_(ids), Result.status.in_((REPORTED, NO_SHOW))
        )
    )
    for session_id, user_id, status in results:
        marks.setdefault(user_id, {})[session_id] = status
    return marks


async def _placed(
    connection: AsyncConnection, capacity: int | None, ids: list[int]
) -> Iterable[tuple[int, int]]:
    """(session, member) of each In answer with a place.

    Without a capacity every In has one: the answer times (thousands in a season) are
    not read and no allocation is built.
    """
    answered_in = (Rsvp.session_id.in_(ids), Rsvp.answer == Answer.IN)
    if capacity is None:
        placed = select(Rsvp.session_id, Rsvp.user_id).where(*answered_in)
        return await connection.execute(placed)
    answers = await connection.execute(
        select(Rsvp.session_id, Rsvp.user_id, Rsvp.guests, Rsvp.in_since, Rsvp.guests_since).where(
            *answered_in
        )
    )
    replies: dict[int, list[Reply]] = {}
    for session_id, user_id, guests, in_since, guests_since in answers:
        replies.setdefault(session_id, []).append(
            Reply(user_id, Answer.IN, guests, in_since, guests_since)
        )
    return [
        (session_id, seat.user_id)
        for session_id, session_replies in replies.items()
        for seat in allocate(session_replies, capacity).going
        if seat.guest == 0
    ]


async def _runners(connection: AsyncConnection, user_ids: Iterable[int]) -> dict[int, Runner]:
    """The members, each read once."""
    people = await connection.execute(select(*MEMBER_COLUMNS).where(Member.user_id.in_(user_ids)))
    return {person.user_id: runner_of(person) for person in people}


def _member(runner: Runner, marks: dict[int, str], held: list[int]) -> MemberAttendance:
    """One member's tally from their marks; `held` is the held sessions, oldest first."""
    statuses = list(marks.values())
    streak = 0
    for session_id in reversed(held):
        if marks.get(session_id) not in CAME:
            break
        streak += 1
    return MemberAttendance(
        runner=runner,
        attended=statuses.count(REPORTED) + statuses.count(ATTENDED),
        reported=statuses.count(REPORTED),
        no_shows=statuses.count(NO_SHOW),
        streak=streak,
    )


async def season_attendance(
    db: Database, chat_id: int, now: datetime, year: int | None = None
) -> SeasonAttendance | None:
    """The group's attendance over a season (None when the group is unknown)."""
    async with db.sessions() as session:
        group = (
            await session.execute(select(Group).where(Group.chat_id == chat_id))
        ).scalar_one_or_none()
        if group is None:
            return None
        year = year if year is not None else season_year(now, group.timezone)
        rows = await season_sessions(session, group, year, now)
        ids = [session_id for session_id, _ in rows]
        connection = await session.connection()
        marks = await _marks(connection, group.capacity, ids) if ids else {}
        runners = await _runners(connection, marks) if marks else {}
    held_ids = set[int]().union(*marks.values())
    held = [(session_id, starts_at) for session_id, starts_at in rows if session_id in held_ids]
    held_order = [session_id for session_id, _ in held]
    tally = [_member(runner, marks[user_id], held_order) for user_id, runner in runners.items()]
    tally.sort(
        key=lambda m: (
            -m.attended,
            -m.streak,
            m.runner.person.display_name.lower(),
            m.runner.person.user_id,
        )
    )
    return SeasonAttendance(
        group=group_settings(group),
        year=year,
        sessions=tuple(schedule.local_date(starts_at, group.timezone) for _, starts_at in held),
        members=tuple(tally),
    )
