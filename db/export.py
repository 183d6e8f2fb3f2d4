"""The coach's CSV export: every reported rep of a season, and the season's attendance.

The files open in a spreadsheet as they are: UTF-8 with a byte-order mark (so Excel
reads accented names right; LibreOffice and Google Sheets ignore it), a header row, no
index column, ISO dates, one value per cell. Times come twice: readable (`2:43.5`,
minutes and seconds to the tenth) and exact in milliseconds for sums and charts. Text a
spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe.
The season is `db.attendance`'s: a calendar year in the group's time zone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from db.attendance import SeasonAttendance, season_range
from db.engine import Database
from db.models import REPORTED, Group, Member, RepTime, Result, Session
from db.views import Person
from domain import schedule

RESULTS_HEADER = (
    "date",
    "member",
    "member_id",
    "rep",
    "distance_m",
    "time",
    "ms",
    "pace_per_km",
    "note",
)
ATTENDANCE_HEADER = (
    "member",
    "member_id",
    "sessions_attended",
    "reported",
    "no_shows",
    "streak",
    "private",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RepRow:
    """One reported rep: `ms` None when skipped, `distance_m` None for a timed or extra rep."""

    day: date
    member: str
    member_id: int
    rep: int  # 1-based, in running order
    distance_m: float | None
    ms: int | None
    note: str | None


async def season_reps(db: Database, chat_id: int, year: int, now: datetime) -> list[RepRow]:
    """Every rep reported for the group's sessions of a season, in one query.

    Plain columns, not ORM objects: a season is thousands of reps, and each session's
    local date and each member's name are worked out once, not once per rep.
    """
    async with db.sessions() as session:
        group = (
            await session.execute(select(Group).where(Group.chat_id == chat_id))
        ).scalar_one_or_none()
        if group is None:
            return []
        start, end = season_range(year, group.timezone)
        rows = await session.execute(
            select(
                Session.starts_at,
                Member.user_id,
                Member.first_name,
                Member.last_name,
                Member.username,
                Result.note,
                RepTime.position,
                RepTime.distance_m,
                RepTime.ms,
            )
            .join(Result, Result.session_id == Session.id)
            .join(Member, Member.user_id == Result.user_id)
            .join(RepTime, RepTime.result_id == Result.id)
            .where(
                Session.group_id == chat_id,
                Session.starts_at >= start,
                Session.starts_at < end,
                Session.starts_at <= now,
                Session.cancelled_at.is_(None),
                Result.status == REPORTED,
            )
            .order_by(Session.starts_at, Result.created_at, Result.id, RepTime.position)
        )
        tz = group.timezone
        days: dict[datetime, date] = {}
        names: dict[int, str] = {}
        reps = []
        for starts_at, user_id, first, last, username, note, position, distance_m, ms in rows:
            day = days.get(starts_at)
            if day is None:
                day = days[starts_at] = schedule.local_date(starts_at, tz)
            name = names.get(user_id)
            if name is None:
                name = names[user_id] = Person(user_id, first, last, username).display_name
            reps.append(RepRow(day, name, user_id, position + 1, distance_m, ms, note))
        return reps


def time_tenths(ms: int) -> str:
    """``2:43.5``: minutes (however many) and seconds to the tenth, rounded half up."""
    tenths = (ms + 50) // 100
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"


def pace_per_km(ms: int, distance_m: float) -> str:
    """``3:24`` (per km), to the second."""
    seconds = round(ms / distance_m)  # ms per metre == s per km
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"


def _metres(distance_m: float) -> str:
    return str(int(distance_m)) if distance_m.is_integer() else f"{distance_m:g}"


def _cell(text: str | None) -> str:
    """Free text as a spreadsheet shows it, never as a formula."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # Excel dialect: commas, quotes when needed, CRLF
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def results_csv(rows: Iterable[RepRow]) -> bytes:
    return _csv(
        RESULTS_HEADER,
        (
            (
                row.day.isoformat(),
                _cell(row.member),
                row.member_id,
                row.rep,
                "" if row.distance_m is None else _metres(row.distance_m),
                "" if row.ms is None else time_tenths(row.ms),
                "" if row.ms is None else row.ms,
                "" if row.ms is None or not row.distance_m else pace_per_km(row.ms, row.distance_m),
                _cell(row.note),
            )
            for row in rows
        ),
    )


def attendance_csv(season: SeasonAttendance) -> bytes:
    return _csv(
        ATTENDANCE_HEADER,
        (
            (
                _cell(member.runner.person.display_name),
                member.runner.person.user_id,
                member.attended,
                member.reported,
                member.no_shows,
                member.streak,
                "yes" if member.runner.private else "",
            )
            for member in season.members
        ),
    )
