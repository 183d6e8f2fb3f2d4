"""Races a member logs (/race): their benchmarks, best and latest per distance.

A race belongs to the member, not to a group. Its date defaults to today in the
member's home group's time zone (UTC without one); it may not lie in the future or
more than five years back. Logging the same race twice (distance, time and date) adds
nothing, so a message sent twice does not count twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.members import remember
from db.models import Group, Member, Race
from db.views import Person
from domain import schedule
from domain.amounts import amount_text
from domain.errors import InputProblem
from domain.race_distance import RACE_METERS, parse_race_distance
from domain.workout import Distance

MAX_RACES = 500
MAX_AGE_YEARS = 5
LIST_LIMIT = 15
DEFAULT_TIMEZONE = "UTC"

_STANDARD_NAMES = {meters: parse_race_distance(key).name for key, meters in RACE_METERS.items()}


def race_name(distance_m: float) -> str:
    """``5K``, ``half marathon``, ``mile``; other distances as ``8 km``, ``10 mi``, ``3200 m``."""
    return _STANDARD_NAMES.get(distance_m) or amount_text(Distance(distance_m))


@dataclass(frozen=True)
class RaceView:
    id: int
    distance_m: float
    time_ms: int
    day: date

    @property
    def name(self) -> str:
        return race_name(self.distance_m)

    @property
    def per_km_ms(self) -> int:
        return round(self.time_ms * 1000 / self.distance_m)


@dataclass(frozen=True)
class RaceBenchmark:
    """One distance's fastest and most recent race (the same race when there is one)."""

    distance_m: float
    best: RaceView
    latest: RaceView
    races: int

    @property
    def name(self) -> str:
        return race_name(self.distance_m)


@dataclass(frozen=True)
class RaceLogged:
    """The saved race; ``previous_best`` at the distance before it; ``duplicate`` if known."""

    race: RaceView
    previous_best: RaceView | None
    duplicate: bool

    @property
    def is_best(self) -> bool:
        return self.previous_best is None or self.race.time_ms < self.previous_best.time_ms


@dataclass(frozen=True)
class RaceList:
    """The latest races, newest first, and how many there are in all."""

    races: tuple[RaceView, ...]
    total: int


def _view(race: Race) -> RaceView:
    return RaceView(race.id, race.distance_m, race.time_ms, race.race_date)


def earliest_day(today: date) -> date:
    try:
        return today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MAX_AGE_YEARS, day=28)


def race_day(day: date | timedelta | None, today: date) -> date:
    """The race's date (or days before today): today by default; never in the future
    nor over five years back."""
    if day is None:
        return today
    if isinstance(day, timedelta):
        day = today - day
    example = f"e.g. /race 5K 24:30 {(today - timedelta(days=7)).isoformat()}"
    if day > today:
        raise InputProblem(f"That date is in the future: log a race once it's run, {example}")
    if day < earliest_day(today):
        raise InputProblem(f"Races from the last {MAX_AGE_YEARS} years work here, {example}")
    return day


async def home_timezone(session: AsyncSession, user_id: int) -> str:
    """The time zone of the member's home group, UTC without one."""
    zone = await session.scalar(
        select(Group.timezone)
        .join(Member, Member.home_group_id == Group.chat_id)
        .where(Member.user_id == user_id)
    )
    return zone or DEFAULT_TIMEZONE


async def log_race(
    db: Database,
    user: Person,
    distance_m: float,
    time_ms: int,
    day: date | timedelta | None,
    now: datetime,
) -> RaceLogged:
    """Save a race (InputProblem for a date out of range, or too many races)."""
    async with db.sessions.begin() as session:
        await remember(session, user, None, now)
        today = schedule.local_date(now, await home_timezone(session, user.user_id))
        when = race_day(day, today)
        duplicate = (
            await session.execute(
                select(Race)
                .where(
                    Race.user_id == user.user_id,
                    Race.distance_m == distance_m,
                    Race.time_ms == time_ms,
                    Race.race_date == when,
                )
                .limit(1)
            )
        ).scalar_one_or_none()
        best = (
            await session.execute(
                select(Race)
                .where(Race.user_id == user.user_id, Race.distance_m == distance_m)
                .order_by(Race.time_ms, Race.race_date, Race.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        previous = _view(best) if best is not None else None
        if duplicate is not None:
            return RaceLogged(_view(duplicate), previous, duplicate=True)
        total = await session.scalar(
            select(func.count()).select_from(Race).where(Race.user_id == user.user_id)
        )
        if (total or 0) >= MAX_RACES:
            raise InputProblem(
                f"You have logged {MAX_RACES} races, the most I keep. "
                "Remove the latest with /race undo."
            )
        row = Race(
            user_id=user.user_id,
            distance_m=distance_m,
            time_ms=time_ms,
            race_date=when,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return RaceLogged(_view(row), previous, duplicate=False)


async def undo_race(db: Database, user_id: int) -> RaceView | None:
    """Remove the race logged last; None when there is none."""
    async with db.sessions.begin() as session:
        latest = (
            await session.execute(
                select(Race)
                .where(Race.user_id == user_id)
                .order_by(Race.created_at.desc(), Race.id.desc())
                .limit(1)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if latest is None:
            return None
        await session.execute(delete(Race).where(Race.id == latest.id))
        return _view(latest)


async def list_races(db: Database, user_id: int, limit: int = LIST_LIMIT) -> RaceList:
    """The latest races by date, newest first, with the total count (one query)."""
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Race, func.count().over().label("total"))
                .where(Race.user_id == user_id)
                .order_by(Race.race_date.desc(), Race.id.desc())
                .limit(limit)
            )
        ).all()
    return RaceList(tuple(_view(row.Race) for row in rows), rows[0].total if rows else 0)


async def race_benchmarks(session: AsyncSession, user_id: int) -> tuple[RaceBenchmark, ...]:
    """Per distance, shortest first: the fastest race and the latest one (one query)."""
    ranked = (
        select(
            Race.id,
            Race.distance_m,
            Race.time_ms,
            Race.race_date,
            func.row_number()
            .over(
                partition_by=Race.distance_m,
                order_by=(Race.time_ms, Race.race_date, Race.id),
            )
            .label("best"),
            func.row_number()
            .over(partition_by=Race.distance_m, order_by=(Race.race_date.desc(), Race.id.desc()))
            .label("latest"),
            func.count().over(partition_by=Race.distance_m).label("races"),
        )
        .where(Race.user_id == user_id)
        .subquery()
    )
    rows = await session.execute(
        select(ranked)
        .where(or_(ranked.c.best == 1, ranked.c.latest == 1))
        .order_by(ranked.c.distance_m, ranked.c.best)
    )
    best: dict[float, RaceView] = {}
    latest: dict[float, RaceView] = {}
    counts: dict[float, int] = {}
    for row in rows:
        view = RaceView(row.id, row.distance_m, row.time_ms, row.race_date)
        if row.best == 1:
            best[row.distance_m] = view
        if row.latest == 1:
            latest[row.distance_m] = view
        counts[row.distance_m] = row.races
    return tuple(
        RaceBenchmark(distance, best[distance], latest[distance], counts[distance])
        for distance in best
    )
