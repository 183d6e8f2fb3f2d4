"""A generated season for P4: many groups, each with a year of weekly sessions and results.

Every group has `MEMBERS` members and a session each week of the last calendar year
(52 weeks, Europe/London, the weekday chosen so the real bot started on the data has
nothing due for two days). Realistic shape, seeded so every run builds the same data:

* answers: In 80 %, Maybe 5 %, Out 7 %, none 8 %;
* of those In, 75 % report all six reps (60 % of members), 2 % of those skip one rep
  (no shape: an incomplete set), 3 % are marked no-shows; the rest come without reporting;
* six-rep workouts (800 m, 1000 m or 400 m reps), splits around each runner's own pace;
* every post of every past session is marked sent, as after a season of real use.

The audit of report changes (`result_changes`) is never read by the measured views and
is left empty. Each member's best marks are derived with `domain.bests.marks`, as the
application keeps them (`db.best_marks`). One extra small group (`SMALL_MEMBERS`
members, `SMALL_WEEKS` weeks) is there to compare statement counts with. Rows are
written in batches straight into the migrated schema: `executemany` on SQLite, `COPY`
on PostgreSQL. Nothing is cached between runs.
"""

from __future__ import annotations

import functools
import random
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Boolean, Date, Float, Table
from sqlalchemy.engine import Dialect, make_url

from db.boards import NUDGE_ROUND, REPORT_PROMPT, RESULTS_BOARD
from db.models import (
    BestMark,
    Group,
    Member,
    Membership,
    Post,
    RepTime,
    Result,
    Rsvp,
    Session,
)
from db.sessions import ANNOUNCEMENT, REMINDER
from db.types import UTCDateTime
from domain import bests, notation, schedule
from domain.report import Report
from domain.splits_check import check_report

MEMBERS = 40
WEEKS = 52
SMALL_MEMBERS = 4
SMALL_WEEKS = 4
TIMEZONE = "Europe/London"
START = time(18, 30)
WORKOUTS = ("6x800m @5K r90s", "6x1000m @10K r2min", "6x400m @mile r60s")
FIRST_CHAT = -1_004_000_000
FIRST_USER = 20_000_000
BATCH_GROUPS = 25  # groups written per batch: bounded memory, few round trips
POST_KINDS = (ANNOUNCEMENT, REMINDER, REPORT_PROMPT, NUDGE_ROUND, RESULTS_BOARD)
NAMES = ("Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal", "Ida", "Jo", "Kim", "Lee")
TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (Group, Member, Membership, Session, Rsvp, Result, RepTime, Post, BestMark)
)


@dataclass(frozen=True)
class Shape:
    """One workout as a session stores it, and what a complete report of it stores."""

    text: str
    structure: dict[str, Any]
    shape: str | None
    distances: tuple[float | None, ...]


def _shape(text: str) -> Shape:
    workout = notation.parse_workout(text)
    checked = check_report(Report((240_000,) * 6), workout)
    distances = tuple(split.distance_m for split in checked.splits)
    return Shape(text, notation.workout_to_dict(workout), checked.shape, distances)


@dataclass
class Season:
    """What was generated: the ids P4 samples from, and the row counts."""

    year: int
    weekday: int
    groups: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    small_group: int = 0
    small_member: int = 0
    rows: dict[str, int] = field(default_factory=dict)


Rows = dict[str, list[tuple[Any, ...]]]


class Generator:
    """Rows per table, a batch of groups at a time, with ids assigned here."""

    def __init__(self, groups: int, now: datetime, seed: int = 4) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.season = Season(year=now.year - 1, weekday=(now.weekday() + 4) % 7)
        self.count = groups
        self.shapes = [_shape(text) for text in WORKOUTS]
        self.session_id = 0
        self.result_id = 0
        self.post_id = 0

    def batches(self) -> Iterator[Rows]:
        """All groups, BATCH_GROUPS at a time; the small group comes last."""
        plan = [(MEMBERS, WEEKS)] * self.count + [(SMALL_MEMBERS, SMALL_WEEKS)]
        for first in range(0, len(plan), BATCH_GROUPS):
            rows: Rows = {table.name: [] for table in TABLES}
            for index in range(first, min(first + BATCH_GROUPS, len(plan))):
                members, weeks = plan[index]
                self._group(rows, index, members, weeks, small=index == self.count)
            yield rows

    def _weeks(self, weeks: int) -> list[date]:
        """The Mondays of the season's last `weeks` weeks whose slot lies in the year."""
        year, weekday = self.season.year, self.season.weekday
        monday = schedule.week_monday(date(year, 1, 1))
        days = [monday + timedelta(weeks=n) for n in range(54)]
        inside = [day for day in days if (day + timedelta(days=weekday)).year == year]
        return inside[:WEEKS][-weeks:]

    def _group(self, rows: Rows, index: int, members: int, weeks: int, small: bool) -> None:
        rng = self.rng
        chat_id = FIRST_CHAT - index
        created = datetime(self.season.year - 1, 12, 1, tzinfo=UTC)
        slot = (self.season.weekday, "18:30", TIMEZONE, "The track")
        settings = (48 * 60, 3 * 60, 90, False, True, "09:00", 1, 2.0, 10.0, True, created)
        rows["groups"].append((chat_id, f"Club {index}", *slot, *settings))
        people = [FIRST_USER + index * 100 + n for n in range(members)]
        paces = {user: rng.uniform(3.2, 5.0) for user in people}  # seconds per 10 m
        for user in people:
            name = f"{rng.choice(NAMES)}{user % 1000}"
            private = rng.random() < 0.05
            rows["members"].append((user, name, False, False, private, chat_id, created))
            rows["memberships"].append((chat_id, user, created))
        if small:
            self.season.small_group, self.season.small_member = chat_id, people[0]
        else:
            self.season.groups.append(chat_id)
            self.season.members.extend(people)
        # Each member's reports in the order run: (result id, start, what bests compare).
        reports: dict[int, list[tuple[int, datetime, bests.SessionRecord]]] = {}
        for week in self._weeks(weeks):
            self.session_id += 1
            sid = self.session_id
            shape = self.shapes[rng.randrange(len(self.shapes))]
            starts = schedule.slot_start(week, self.season.weekday, START, TIMEZONE)
            rows["sessions"].append(
                (sid, chat_id, week, starts, False, shape.text, shape.structure, created)
            )
            for kind, hours in zip(POST_KINDS, (-48, -3, 1.5, 12.5, 14.5), strict=True):
                self.post_id += 1
                at = starts + timedelta(hours=hours)
                rows["posts"].append((self.post_id, sid, kind, chat_id, at, at, self.post_id))
            for user in people:
                report = self._answer(rows, sid, starts, user, paces[user], shape)
                if report is not None:
                    reports.setdefault(user, []).append(report)
        for user, history in reports.items():
            for index, mark in bests.marks(record for _, _, record in history):
                rid, starts, _ = history[index]
                rows["best_marks"].append((rid, user, starts, mark.distance_m, mark.shape, mark.ms))

    def _answer(
        self, rows: Rows, sid: int, starts: datetime, user: int, pace: float, shape: Shape
    ) -> tuple[int, datetime, bests.SessionRecord] | None:
        """The member's answer and result; their report as bests see it, if they sent one."""
        rng = self.rng
        roll = rng.random()
        if roll >= 0.92:
            return None
        answer = "in" if roll < 0.80 else "maybe" if roll < 0.85 else "out"
        answered = starts - timedelta(minutes=rng.randrange(60, 48 * 60))
        in_since = answered if answer == "in" else None
        rows["rsvps"].append((sid, user, answer, 0, in_since, answered))
        if answer != "in":
            return None
        outcome = rng.random()
        if outcome >= 0.78:
            return None
        self.result_id += 1
        rid = self.result_id
        reported = starts + timedelta(minutes=rng.randrange(90, 14 * 60))
        if outcome >= 0.75:
            rows["results"].append((rid, sid, user, "no_show", None, user, reported, reported))
            return None
        skipped = rng.randrange(6) if rng.random() < 0.02 else None
        complete = shape.shape if skipped is None else None
        rows["results"].append((rid, sid, user, "reported", complete, user, reported, reported))
        reps = []
        for position, distance in enumerate(shape.distances):
            ms = None
            if position != skipped and distance is not None:
                ms = int(distance * pace * 100 * rng.uniform(0.96, 1.05))
            rows["rep_times"].append((rid, position, ms, distance, True))
            reps.append(bests.RepTime(distance, ms))
        return rid, starts, bests.SessionRecord(starts.date(), complete, tuple(reps))


# Columns written per table, in the order the generator's tuples hold them.
COLUMNS = {
    "groups": (
        "chat_id", "title", "weekday", "start_time", "timezone", "place",
        "announce_lead_min", "reminder_lead_min", "duration_min", "guests_allowed",
        "configured", "board_time", "board_days_after", "tolerance_percent", "pace_spread_s",
        "active", "created_at",
    ),
    "members": (
        "user_id", "first_name", "can_dm", "remind_private", "private", "home_group_id",
        "updated_at",
    ),
    "memberships": ("group_id", "user_id", "last_seen_at"),
    "sessions": (
        "id", "group_id", "week", "starts_at", "pinned", "workout_text", "workout", "created_at",
    ),
    "rsvps": ("session_id", "user_id", "answer", "guests", "in_since", "updated_at"),
    "results": (
        "id", "session_id", "user_id", "status", "shape", "reported_by", "created_at",
        "updated_at",
    ),
    "rep_times": ("result_id", "position", "ms", "distance_m", "for_bests"),
    "posts": ("id", "session_id", "kind", "chat_id", "claimed_at", "sent_at", "message_id"),
    "best_marks": ("result_id", "user_id", "starts_at", "distance_m", "shape", "ms"),
}  # fmt: skip


Converters = list[tuple[int, Callable[[Any], Any]]]


def _converters(dialect: Dialect) -> dict[str, Converters]:
    """Per table, the columns SQLAlchemy converts for this driver, with its conversion.

    Booleans and floats are left alone: both drivers store them as SQLAlchemy would.
    Conversions of times and dates are memoised (every group's sessions start at the
    same instants, and answers and reports come at whole minutes around them).
    """
    by_name = {table.name: table for table in TABLES}
    found: dict[str, Converters] = {}
    for name, columns in COLUMNS.items():
        found[name] = []
        for index, column in enumerate(columns):
            kind = by_name[name].c[column].type
            convert = kind.dialect_impl(dialect).bind_processor(dialect)
            if convert is None or isinstance(kind, Boolean | Float):
                continue
            # Times are whole minutes around a few dozen session starts: they repeat a lot.
            if isinstance(kind, UTCDateTime | Date):
                convert = functools.cache(convert)
            found[name].append((index, convert))
    return found


def _converted(rows: list[tuple[Any, ...]], converters: Converters) -> list[Sequence[Any]]:
    if not converters:
        return list(rows)
    done: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for index, convert in converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        done.append(values)
    return done


def _count(season: Season, rows: Rows) -> None:
    for name, table_rows in rows.items():
        season.rows[name] = season.rows.get(name, 0) + len(table_rows)


def write_sqlite(path: str, groups: int, now: datetime) -> Season:
    """Fill a migrated SQLite file; one transaction per batch (durability off meanwhile)."""
    generator = Generator(groups, now)
    converters = _converters(make_url("sqlite+pysqlite://").get_dialect()())
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        for rows in generator.batches():
            connection.execute("BEGIN")
            for name, columns in COLUMNS.items():
                marks = ", ".join("?" for _ in columns)
                connection.executemany(
                    f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",
                    _converted(rows[name], converters[name]),
                )
            connection.execute("COMMIT")
            _count(generator.season, rows)
    finally:
        connection.close()
    return generator.season


async def write_postgres(dsn: str, groups: int, now: datetime) -> Season:
    """Fill a migrated PostgreSQL database with COPY, then set sequences and statistics.

    Triggers and foreign-key checks are off while loading, as `pg_restore` does: the rows
    are consistent by construction (memberships, which a trigger on `rsvps` would add,
    are written here). VACUUM ANALYZE stands for what autovacuum does within a minute of
    such a load.
    """
    generator = Generator(groups, now)
    converters = _converters(make_url("postgresql+asyncpg://").get_dialect()())
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("SET session_replication_role = replica")
        for rows in generator.batches():
            async with connection.transaction():
                for name, columns in COLUMNS.items():
                    await connection.copy_records_to_table(
                        name,
                        records=_converted(rows[name], converters[name]),
                        columns=list(columns),
                    )
            _count(generator.season, rows)
        for table in ("sessions", "results", "posts"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return generator.season
