"""A member's own history: recent sessions, personal bests, pace over time, private mode.

Everything here is personal, not per group: a member who runs with two clubs sees both.
Only reported results count (a coach's no-show mark has no times). Every read is a
constant number of indexed queries (results by ``ix_results_user``, reps by their
primary key, races by ``ix_races_user_date``), whatever the length of the history:
results come with their reps in one query, and bests are ranked in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Join, func, join, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.members import remember
from db.models import REPORTED, Group, Member, RepTime, Result, Session
from db.races import RaceBenchmark, race_benchmarks
from db.views import Person
from domain import schedule, stats
from domain.splits_check import Checked, CheckedSplit
from domain.workout import Distance, Rep

RECENT_PRIVATE = 8
RECENT_GROUP = 3
MAX_RECENT = 50
# Two years of weekly sessions: enough for a trend, small enough to draw quickly.
MAX_CHART_SESSIONS = 104
# Lines on one chart: more would be hard to tell apart.
MAX_SERIES = 4
# Rep distances are stored as floats parsed the same way everywhere; the tolerance only
# guards against a distance typed differently (``0.8km`` and ``800m``).
DISTANCE_TOLERANCE_M = 0.5


@dataclass(frozen=True)
class RepView:
    """One stored rep: ``ms`` None when skipped; ``for_bests`` False off the flat."""

    position: int
    ms: int | None
    distance_m: float | None
    for_bests: bool


@dataclass(frozen=True)
class SessionResult:
    """One reported session of the member, with its reps in running order."""

    session_id: int
    group_id: int
    group_title: str
    day: date  # the club-local date of the session
    workout_text: str | None
    shape: str | None  # set for a complete set only
    note: str | None
    total_ms: int | None
    reps: tuple[RepView, ...]

    def summary(self) -> stats.Summary:
        """Paces and per-distance averages, worked out as for a fresh report."""
        splits = tuple(
            CheckedSplit(
                rep.position,
                rep.ms,
                Rep(Distance(rep.distance_m)) if rep.distance_m is not None else None,
                rep.distance_m,
            )
            for rep in self.reps
        )
        return stats.summarise(Checked(splits))


@dataclass(frozen=True)
class RepRecord:
    """The fastest rep over one distance, the day it was first run, and how many counted."""

    distance_m: float
    ms: int
    day: date
    reps: int


@dataclass(frozen=True)
class SetRecord:
    """The best average rep of complete sets of one shape (``6x800m``)."""

    shape: str
    average_ms: int
    day: date
    sets: int


@dataclass(frozen=True)
class PersonalBests:
    reps: tuple[RepRecord, ...]
    sets: tuple[SetRecord, ...]
    races: tuple[RaceBenchmark, ...]

    @property
    def empty(self) -> bool:
        return not (self.reps or self.sets or self.races)


@dataclass(frozen=True)
class PacePoint:
    """The average pace of one session's reps (flat, timed, with a distance)."""

    day: date
    per_km_ms: int
    reps: int


@dataclass(frozen=True)
class PaceSeries:
    """One rep distance's average pace per session, oldest first."""

    distance_m: float
    points: tuple[PacePoint, ...]

    @property
    def best(self) -> PacePoint:
        """The fastest session (the earlier one on a tie)."""
        return min(self.points, key=lambda point: (point.per_km_ms, point.day))


@dataclass(frozen=True)
class Progress:
    """Pace over time: one series for the distance asked for, or one per rep distance.

    Paces of different distances never share a line (200 m reps are run faster than
    800s, so one average would follow the workouts, not the runner). ``distances`` lists
    the member's rep distances when there is too little to draw, to suggest one.
    """

    distance_m: float | None
    series: tuple[PaceSeries, ...]  # shortest distance first
    distances: tuple[float, ...]

    @property
    def enough(self) -> bool:
        """A chart needs some distance run in two sessions."""
        return any(len(series.points) >= 2 for series in self.series)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(sorted({point.day for series in self.series for point in series.points}))


def _reported(user_id: int) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (Result.user_id == user_id, Result.status == REPORTED)


async def recent_sessions(
    db: Database, user_id: int, limit: int = RECENT_PRIVATE
) -> tuple[SessionResult, ...]:
    """The member's latest reported sessions, newest first, with their reps (one query)."""
    limit = max(1, min(limit, MAX_RECENT))
    latest = (
        select(Result.id)
        .join(Session, Session.id == Result.session_id)
        .where(*_reported(user_id))
        .order_by(Session.starts_at.desc(), Result.id.desc())
        .limit(limit)
        .subquery()
    )
    statement = (
        select(
            Result.id,
            Result.session_id,
            Result.note,
            Result.shape,
            Result.total_ms,
            Session.starts_at,
            Session.workout_text,
            Group.chat_id,
            Group.title,
            Group.timezone,
            RepTime.position,
            RepTime.ms,
            RepTime.distance_m,
            RepTime.for_bests,
        )
        .join(latest, latest.c.id == Result.id)
        .join(Session, Session.id == Result.session_id)
        .join(Group, Group.chat_id == Session.group_id)
        .outerjoin(RepTime, RepTime.result_id == Result.id)
        .order_by(Session.starts_at.desc(), Result.id.desc(), RepTime.position)
    )
    async with db.sessions() as session:
        rows = (await session.execute(statement)).all()
    heads: dict[int, Any] = {}
    reps: dict[int, list[RepView]] = {}
    for row in rows:  # newest first; dicts keep that order
        heads.setdefault(row.id, row)
        reps.setdefault(row.id, [])
        if row.position is not None:
            reps[row.id].append(RepView(row.position, row.ms, row.distance_m, bool(row.for_bests)))
    return tuple(
        SessionResult(
            session_id=head.session_id,
            group_id=head.chat_id,
            group_title=head.title,
            day=schedule.local_date(head.starts_at, head.timezone),
            workout_text=head.workout_text,
            shape=head.shape,
            note=head.note,
            total_ms=head.total_ms,
            reps=tuple(reps[result_id]),
        )
        for result_id, head in heads.items()
    )


def _reps_of_results() -> Join:
    """Results with their session, group (for the local date) and reps."""
    return (
        join(Result, Session, Session.id == Result.session_id)
        .join(Group, Group.chat_id == Session.group_id)
        .join(RepTime, RepTime.result_id == Result.id)
    )


def _counted(user_id: int) -> tuple[ColumnElement[bool], ...]:
    """Reps that count for bests and pace: reported, timed, flat, with a distance."""
    return (
        *_reported(user_id),
        RepTime.for_bests.is_(True),
        RepTime.ms.is_not(None),
        RepTime.distance_m.is_not(None),
    )


async def _rep_records(session: AsyncSession, user_id: int) -> tuple[RepRecord, ...]:
    ranked = (
        select(
            RepTime.distance_m,
            RepTime.ms,
            Session.starts_at,
            Group.timezone,
            func.row_number()
            .over(partition_by=RepTime.distance_m, order_by=(RepTime.ms, Session.starts_at))
            .label("rank"),
            func.count().over(partition_by=RepTime.distance_m).label("reps"),
        )
        .select_from(_reps_of_results())
        .where(*_counted(user_id))
        .subquery()
    )
    rows = await session.execute(
        select(ranked).where(ranked.c.rank == 1).order_by(ranked.c.distance_m)
    )
    return tuple(
        RepRecord(
            distance_m=row.distance_m,
            ms=row.ms,
            day=schedule.local_date(row.starts_at, row.timezone),
            reps=row.reps,
        )
        for row in rows
    )


async def _set_records(session: AsyncSession, user_id: int) -> tuple[SetRecord, ...]:
    ranked = (
        select(
            Result.shape.label("shape"),
            Session.starts_at.label("starts_at"),
            Group.timezone.label("timezone"),
            func.sum(RepTime.ms).label("total"),
            func.count(RepTime.ms).label("reps"),
            func.row_number()
            .over(
                partition_by=Result.shape,
                order_by=(func.avg(RepTime.ms), Session.starts_at),
            )
            .label("rank"),
            func.count().over(partition_by=Result.shape).label("sets"),
        )
        .select_from(_reps_of_results())
        .where(*_reported(user_id), Result.shape.is_not(None))
        .group_by(Result.id, Result.shape, Session.starts_at, Group.timezone)
        .subquery()
    )
    rows = await session.execute(select(ranked).where(ranked.c.rank == 1).order_by(ranked.c.shape))
    return tuple(
        SetRecord(
            shape=row.shape,
            # As domain.bests averages a complete set: the mean rounded to the ms.
            average_ms=round(int(row.total) / int(row.reps)),
            day=schedule.local_date(row.starts_at, row.timezone),
            sets=row.sets,
        )
        for row in rows
    )


async def personal_bests(db: Database, user_id: int) -> PersonalBests:
    """Fastest rep per distance, best average per complete-set shape, race benchmarks."""
    async with db.sessions() as session:
        return PersonalBests(
            reps=await _rep_records(session, user_id),
            sets=await _set_records(session, user_id),
            races=await race_benchmarks(session, user_id),
        )


async def progress(db: Database, user_id: int, distance_m: float | None = None) -> Progress:
    """Average rep pace per session and rep distance (or of one distance), oldest first.

    Hill and treadmill reps, timed reps and skipped reps don't count: their pace says
    nothing about speed on the flat. Without a distance, the MAX_SERIES distances run
    in the most sessions are kept.
    """
    conditions = _counted(user_id)
    if distance_m is not None:
        conditions += (
            RepTime.distance_m.between(
                distance_m - DISTANCE_TOLERANCE_M, distance_m + DISTANCE_TOLERANCE_M
            ),
        )
    per_session = (
        select(
            Result.id,
            Session.starts_at,
            Group.timezone,
            RepTime.distance_m,
            func.sum(RepTime.ms).label("ms"),
            func.count().label("reps"),
        )
        .select_from(_reps_of_results())
        .where(*conditions)
        .group_by(Result.id, Session.starts_at, Group.timezone, RepTime.distance_m)
        .order_by(Session.starts_at.desc())
        .limit(MAX_CHART_SESSIONS * MAX_SERIES)
    )
    async with db.sessions() as session:
        rows = (await session.execute(per_session)).all()
        series = _series(rows, distance_m)
        distances: tuple[float, ...] = ()
        if not any(len(one.points) >= 2 for one in series):
            distances = tuple(
                distance
                for distance in (
                    await session.execute(
                        select(RepTime.distance_m)
                        .distinct()
                        .select_from(_reps_of_results())
                        .where(*_counted(user_id))
                        .order_by(RepTime.distance_m)
                    )
                ).scalars()
                if distance is not None
            )
    return Progress(distance_m, series, distances)


def _series(rows: Sequence[Any], wanted: float | None) -> tuple[PaceSeries, ...]:
    """Rows per (result, distance), newest first -> series per distance, oldest first."""
    # distance -> result id -> [day, ms, metres, reps]
    sums: dict[float, dict[int, list[Any]]] = {}
    for row in rows:
        distance = wanted if wanted is not None else float(row.distance_m)
        entry = sums.setdefault(distance, {}).setdefault(
            row.id, [schedule.local_date(row.starts_at, row.timezone), 0, 0.0, 0]
        )
        entry[1] += int(row.ms)
        entry[2] += float(row.distance_m) * int(row.reps)
        entry[3] += int(row.reps)
    found = [
        PaceSeries(
            distance,
            tuple(
                PacePoint(day, round(ms * 1000 / metres), reps)
                for day, ms, metres, reps in sorted(per_result.values(), key=lambda e: e[0])
                if metres > 0
            ),
        )
        for distance, per_result in sums.items()
    ]
    kept = sorted(found, key=lambda one: (-len(one.points), one.distance_m))[:MAX_SERIES]
    return tuple(sorted(kept, key=lambda one: one.distance_m))


async def set_private(db: Database, user: Person, private: bool, now: datetime) -> bool:
    """Counted but never named in group posts (or named again); True when it changed."""
    async with db.sessions.begin() as session:
        await remember(session, user, None, now)
        changed = await session.execute(
            update(Member)
            .where(Member.user_id == user.user_id, Member.private != private)
            .values(private=private)
        )
        return bool(getattr(changed, "rowcount", 0))


async def is_private(db: Database, user_id: int) -> bool:
    """Whether the member chose private mode (a member never seen is not private)."""
    async with db.sessions() as session:
        value = await session.scalar(select(Member.private).where(Member.user_id == user_id))
        return bool(value)
