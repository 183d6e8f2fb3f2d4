"""Benchmarks and targets: every runner's own split for each rep of the next workout.

A runner's benchmark is the more recent of their latest race (the ``races`` table, logged
with /race) and the benchmark they set with /benchmark (the ``benchmarks`` table: one row
per runner, replaced when set again, never shown as a race). On the same day the one
entered last wins. A benchmark older than ``STALE_AFTER`` still produces targets, each
flagged stale. Benchmarks and targets are private: the handlers show them only to the
runner and to coaches.

Every read is a constant number of queries whatever the number of runners: the latest
race of every runner asked about comes from one ranked query, their set benchmarks from
another.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.convert import group_settings, person, session_view
from db.engine import Database
from db.groups import load_group
from db.members import remember
from db.models import Benchmark, Group, Member, Race, Rsvp
from db.sessions import upcoming_row
from db.sql import upsert
from db.views import GroupSettings, Person, Refusal, Refused, SessionView
from domain import schedule
from domain.amounts import amount_text
from domain.errors import InputProblem
from domain.notation import workout_from_dict
from domain.race_distance import RACE_METERS, parse_race_distance
from domain.rsvp import Answer
from domain.splits_check import Checked
from domain.targets import SplitCheck, Target, compare_split, pace_groups, target_ms
from domain.vdot import MAX_VDOT, MIN_VDOT, vdot
from domain.workout import Amount, Distance, Duration, PaceRef, Workout, flatten_reps

STALE_AFTER = timedelta(weeks=12)
# A benchmark's date may go back a year: older than that it says nothing about today.
MAX_BACK = timedelta(days=366)
DEFAULT_TIMEZONE = "UTC"
# Grouping falls back to 5K pace when the workout names no race or zone pace.
FALLBACK_PACE = PaceRef("race", "5K")
# Explicit paces (@3:20/km, @75s) are the same for everybody: any VDOT gives the same target.
_ANY_VDOT = 50.0
_NAMES = {meters: parse_race_distance(key).name for key, meters in RACE_METERS.items()}

Source = Literal["race", "benchmark"]


def distance_name(distance_m: float) -> str:
    """``5K``, ``half marathon``, ``mile``; other distances as ``8 km``, ``3200 m``."""
    return _NAMES.get(distance_m) or amount_text(Distance(distance_m))


def depends_on_benchmark(pace: PaceRef) -> bool:
    return pace.kind in ("race", "zone")


@dataclass(frozen=True)
class BenchmarkView:
    """What a runner's targets come from: a race or a benchmark they set, and its date."""

    distance_m: float
    time_ms: int
    day: date
    source: Source
    stale: bool
    age_days: int

    @property
    def name(self) -> str:
        return distance_name(self.distance_m)

    @property
    def vdot(self) -> float:
        return min(max(vdot(self.distance_m, self.time_ms), MIN_VDOT), MAX_VDOT)

    @property
    def weeks_old(self) -> int:
        return self.age_days // 7


@dataclass(frozen=True)
class RepTarget:
    """One kind of rep of the workout (an amount at a pace) and the runner's target for it.

    ``target`` is None when the pace needs a benchmark the runner does not have.
    ``first`` is the running-order index (from 0) of the first rep of this kind.
    """

    amount: Amount
    pace: PaceRef
    count: int
    first: int
    target: Target | None

    @property
    def needs_benchmark(self) -> bool:
        return depends_on_benchmark(self.pace)


@dataclass(frozen=True)
class RunnerTargets:
    person: Person
    benchmark: BenchmarkView | None
    reps: tuple[RepTarget, ...]

    @property
    def missing_benchmark(self) -> bool:
        """Some reps have race or zone paces and the runner has no benchmark for them."""
        return self.benchmark is None and any(rep.needs_benchmark for rep in self.reps)

    @property
    def has_targets(self) -> bool:
        return any(rep.target is not None for rep in self.reps)


class WorkoutState(StrEnum):
    READY = "ready"
    NO_WORKOUT = "no_workout"
    FREE_TEXT = "free_text"
    NO_PACES = "no_paces"


@dataclass(frozen=True)
class SessionTargets:
    """The next session's targets for one runner, or for everyone In (a coach's table)."""

    group: GroupSettings
    session: SessionView
    state: WorkoutState
    runners: tuple[RunnerTargets, ...]
    tolerance_percent: float
    viewer_can_dm: bool


@dataclass(frozen=True)
class RunnerPace:
    person: Person
    seconds_per_km: float
    benchmark: BenchmarkView


@dataclass(frozen=True)
class PaceGroups:
    """The In list of the next session in pace groups, by the runners' ``pace``.

    ``from_workout`` is False when the workout names no race or zone pace: the runners
    are then grouped by their 5K pace.
    """

    group: GroupSettings
    session: SessionView
    pace: PaceRef
    from_workout: bool
    spread_s: float
    groups: tuple[tuple[RunnerPace, ...], ...]
    without_benchmark: tuple[Person, ...]
    viewer_can_dm: bool


@dataclass(frozen=True)
class SplitVsTarget:
    """One reported split against the runner's target for its rep."""

    index: int
    ms: int
    target_ms: int
    check: SplitCheck
    depends_on_benchmark: bool


@dataclass(frozen=True)
class ReportComparison:
    splits: tuple[SplitVsTarget, ...]
    benchmark: BenchmarkView | None
    tolerance_percent: float
    # Some reps have race or zone paces, and the runner has no benchmark to compare with.
    missing_benchmark: bool
    viewer_can_dm: bool

    @property
    def on_target(self) -> int:
        return sum(1 for split in self.splits if split.check.verdict == "on target")

    @property
    def empty(self) -> bool:
        return not self.splits and not self.missing_benchmark


@dataclass(frozen=True)
class BenchmarkStatus:
    """A runner's benchmark as /benchmark shows it; ``saved`` is what was just set."""

    current: BenchmarkView | None
    saved: BenchmarkView | None
    viewer_can_dm: bool


# --- pure ---------------------------------------------------------------------------------


def _view(distance_m: float, time_ms: int, day: date, source: Source, today: date) -> BenchmarkView:
    age = (today - day).days
    return BenchmarkView(distance_m, time_ms, day, source, timedelta(days=age) > STALE_AFTER, age)


def _rep_kinds(workout: Workout) -> list[tuple[Amount, PaceRef, int, int]]:
    """Each (amount, pace) of the paced reps, in running order: count and first index.

    A time per rep on a timed rep (``3min @75s``) says nothing and is left out.
    """
    counts: Counter[tuple[Amount, PaceRef]] = Counter()
    first: dict[tuple[Amount, PaceRef], int] = {}
    for index, rep in enumerate(flatten_reps(workout)):
        if rep.pace is None or (rep.pace.kind == "per_rep" and isinstance(rep.amount, Duration)):
            continue
        key = (rep.amount, rep.pace)
        counts[key] += 1
        first.setdefault(key, index)
    return [(amount, pace, counts[(amount, pace)], at) for (amount, pace), at in first.items()]


def _target(pace: PaceRef, amount: Amount, benchmark: BenchmarkView | None) -> Target | None:
    if depends_on_benchmark(pace) and benchmark is None:
        return None
    value = benchmark.vdot if benchmark is not None else _ANY_VDOT
    if isinstance(amount, Distance):
        return target_ms(pace, amount.meters, None, value)
    return target_ms(pace, None, amount.seconds, value)


def runner_targets(
    runner: Person, benchmark: BenchmarkView | None, workout: Workout
) -> RunnerTargets:
    """The runner's target for every kind of paced rep in the workout."""
    reps = tuple(
        RepTarget(amount, pace, count, at, _target(pace, amount, benchmark))
        for amount, pace, count, at in _rep_kinds(workout)
    )
    return RunnerTargets(runner, benchmark, reps)


def workout_state(session: SessionView) -> tuple[WorkoutState, Workout | None]:
    if session.workout is None:
        state = WorkoutState.FREE_TEXT if session.workout_text else WorkoutState.NO_WORKOUT
        return state, None
    workout = workout_from_dict(session.workout)
    if not _rep_kinds(workout):
        return WorkoutState.NO_PACES, workout
    return WorkoutState.READY, workout


def grouping_pace(workout: Workout | None) -> PaceRef | None:
    """The race or zone pace most reps are run at (the first of equals), if any."""
    if workout is None:
        return None
    paces = Counter(
        rep.pace
        for rep in flatten_reps(workout)
        if rep.pace is not None and depends_on_benchmark(rep.pace)
    )
    return paces.most_common(1)[0][0] if paces else None


def compare(
    checked: Checked, benchmark: BenchmarkView | None, tolerance_percent: float
) -> tuple[tuple[SplitVsTarget, ...], bool]:
    """Each split of a distance rep with a pace against its target; and whether a
    benchmark was missing for some of them."""
    compared: list[SplitVsTarget] = []
    missing = False
    for split in checked.splits:
        rep = split.rep
        if rep is None or rep.pace is None or split.distance_m is None:
            continue
        if depends_on_benchmark(rep.pace) and benchmark is None:
            missing = True
            continue
        target = _target(rep.pace, Distance(split.distance_m), benchmark)
        if target is None or split.ms is None:
            continue
        check = compare_split(split.ms, target.ms, tolerance_percent / 100)
        compared.append(
            SplitVsTarget(split.index, split.ms, target.ms, check, target.depends_on_benchmark)
        )
    return tuple(compared), missing


# --- queries ------------------------------------------------------------------------------


async def benchmarks_of(
    session: AsyncSession, user_ids: Collection[int], today: date
) -> dict[int, BenchmarkView]:
    """Each runner's benchmark: the more recent of their latest race and their set one.

    Two queries, however many runners.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    ranked = (
        select(
            Race.user_id,
            Race.distance_m,
            Race.time_ms,
            Race.race_date,
            Race.created_at,
            func.row_number()
            .over(
                partition_by=Race.user_id,
                order_by=(Race.race_date.desc(), Race.created_at.desc(), Race.id.desc()),
            )
            .label("rank"),
        )
        .where(Race.user_id.in_(ids))
        .subquery()
    )
    candidates: dict[int, tuple[date, datetime, BenchmarkView]] = {}
    for row in await session.execute(select(ranked).where(ranked.c.rank == 1)):
        view = _view(row.distance_m, row.time_ms, row.race_date, "race", today)
        candidates[row.user_id] = (row.race_date, row.created_at, view)
    for mark in (
        await session.execute(select(Benchmark).where(Benchmark.user_id.in_(ids)))
    ).scalars():
        race = candidates.get(mark.user_id)
        if race is None or (mark.run_on, mark.created_at) >= race[:2]:
            view = _view(mark.distance_m, mark.time_ms, mark.run_on, "benchmark", today)
            candidates[mark.user_id] = (mark.run_on, mark.created_at, view)
    return {user_id: entry[2] for user_id, entry in candidates.items()}


async def _home_timezone(session: AsyncSession, user_id: int) -> str:
    zone = await session.scalar(
        select(Group.timezone)
        .join(Member, Member.home_group_id == Group.chat_id)
        .where(Member.user_id == user_id)
    )
    return zone or DEFAULT_TIMEZONE


async def _can_dm(session: AsyncSession, user_id: int) -> bool:
    return bool(await session.scalar(select(Member.can_dm).where(Member.user_id == user_id)))


async def _next_session(
    session: AsyncSession, chat_id: int, now: datetime
) -> tuple[Group, SessionView]:
    group = await load_group(session, chat_id)
    if group is None or not group.configured:
        raise Refused(Refusal.NOT_SET_UP)
    return group, session_view(await upcoming_row(session, group, now), group)


async def _answered_in(session: AsyncSession, session_id: int) -> list[Person]:
    """Everyone who answered In, by name."""
    rows = await session.execute(
        select(Member)
        .join(Rsvp, Rsvp.user_id == Member.user_id)
        .where(Rsvp.session_id == session_id, Rsvp.answer == Answer.IN)
    )
    people = [person(member) for member in rows.scalars()]
    return sorted(people, key=lambda p: (p.display_name.casefold(), p.user_id))


# --- use cases ----------------------------------------------------------------------------


async def show_benchmark(db: Database, user_id: int, now: datetime) -> BenchmarkStatus:
    async with db.sessions() as session:
        today = schedule.local_date(now, await _home_timezone(session, user_id))
        found = await benchmarks_of(session, [user_id], today)
        return BenchmarkStatus(found.get(user_id), None, await _can_dm(session, user_id))


async def set_benchmark(
    db: Database,
    user: Person,
    distance_m: float,
    time_ms: int,
    day: date | None,
    now: datetime,
) -> BenchmarkStatus:
    """Save (or replace) the runner's benchmark; InputProblem for a date out of range."""
    async with db.sessions.begin() as session:
        today = schedule.local_date(now, await _home_timezone(session, user.user_id))
        day = day or today
        example = f"e.g. /benchmark 5K 24:30 {(today - timedelta(days=7)).isoformat()}"
        if day > today:
            raise InputProblem(f"That date is in the future: give the day you ran it, {example}")
        if day < today - MAX_BACK:
            raise InputProblem(f"Benchmarks from the last year work here, {example}")
        await remember(session, user, None, now)
        await upsert(
            session,
            Benchmark,
            {
                "user_id": user.user_id,
                "distance_m": distance_m,
                "time_ms": time_ms,
                "run_on": day,
                "created_at": now,
            },
            keys=["user_id"],
            update=["distance_m", "time_ms", "run_on", "created_at"],
        )
        found = await benchmarks_of(session, [user.user_id], today)
        saved = _view(distance_m, time_ms, day, "benchmark", today)
        return BenchmarkStatus(found.get(user.user_id), saved, await _can_dm(session, user.user_id))


async def clear_benchmark(db: Database, user_id: int, now: datetime) -> BenchmarkStatus | None:
    """Remove the benchmark the runner set; None when they had none.

    The status shows what targets come from now (their latest race, if any).
    """
    async with db.sessions.begin() as session:
        removed = await session.execute(delete(Benchmark).where(Benchmark.user_id == user_id))
        if not getattr(removed, "rowcount", 0):
            return None
        today = schedule.local_date(now, await _home_timezone(session, user_id))
        found = await benchmarks_of(session, [user_id], today)
        return BenchmarkStatus(found.get(user_id), None, await _can_dm(session, user_id))


async def my_targets(db: Database, chat_id: int, user: Person, now: datetime) -> SessionTargets:
    """The runner's targets for the group's next session."""
    async with db.sessions.begin() as session:
        group, upcoming = await _next_session(session, chat_id, now)
        state, workout = workout_state(upcoming)
        runners: tuple[RunnerTargets, ...] = ()
        if workout is not None and state is WorkoutState.READY:
            today = schedule.local_date(now, group.timezone)
            found = await benchmarks_of(session, [user.user_id], today)
            runners = (runner_targets(user, found.get(user.user_id), workout),)
        return SessionTargets(
            group_settings(group),
            upcoming,
            state,
            runners,
            group.tolerance_percent,
            await _can_dm(session, user.user_id),
        )


async def coach_targets(
    db: Database, chat_id: int, viewer_id: int, now: datetime
) -> SessionTargets:
    """Everyone who answered In for the next session, with their targets (for a coach)."""
    async with db.sessions.begin() as session:
        group, upcoming = await _next_session(session, chat_id, now)
        state, workout = workout_state(upcoming)
        runners: tuple[RunnerTargets, ...] = ()
        if workout is not None and state is WorkoutState.READY:
            going = await _answered_in(session, upcoming.id)
            today = schedule.local_date(now, group.timezone)
            found = await benchmarks_of(session, [p.user_id for p in going], today)
            runners = tuple(runner_targets(p, found.get(p.user_id), workout) for p in going)
        return SessionTargets(
            group_settings(group),
            upcoming,
            state,
            runners,
            group.tolerance_percent,
            await _can_dm(session, viewer_id),
        )


async def pace_groups_for(db: Database, chat_id: int, viewer_id: int, now: datetime) -> PaceGroups:
    """The next session's In list in pace groups at most the group's spread wide."""
    async with db.sessions.begin() as session:
        group, upcoming = await _next_session(session, chat_id, now)
        _, workout = workout_state(upcoming)
        pace = grouping_pace(workout)
        by = pace or FALLBACK_PACE
        going = await _answered_in(session, upcoming.id)
        today = schedule.local_date(now, group.timezone)
        found = await benchmarks_of(session, [p.user_id for p in going], today)
        paces: list[tuple[RunnerPace, float]] = []
        for runner in going:
            mark = found.get(runner.user_id)
            if mark is None:
                continue
            target = target_ms(by, 1000.0, None, mark.vdot)
            assert target is not None
            paces.append((RunnerPace(runner, target.seconds_per_km, mark), target.seconds_per_km))
        grouped = pace_groups(paces, group.pace_spread_s)
        return PaceGroups(
            group=group_settings(group),
            session=upcoming,
            pace=by,
            from_workout=pace is not None,
            spread_s=group.pace_spread_s,
            groups=tuple(tuple(members) for members in grouped),
            without_benchmark=tuple(p for p in going if p.user_id not in found),
            viewer_can_dm=await _can_dm(session, viewer_id),
        )


async def reminder_targets(
    db: Database, upcoming: SessionView, timezone: str, people: Sequence[Person], now: datetime
) -> dict[int, RunnerTargets]:
    """The targets of each person for a session (none when its workout has no paces)."""
    state, workout = workout_state(upcoming)
    if workout is None or state is not WorkoutState.READY or not people:
        return {}
    async with db.sessions() as session:
        found = await benchmarks_of(
            session, [p.user_id for p in people], schedule.local_date(now, timezone)
        )
    return {p.user_id: runner_targets(p, found.get(p.user_id), workout) for p in people}


async def report_comparison(
    db: Database, chat_id: int, subject_id: int, viewer_id: int, checked: Checked, now: datetime
) -> ReportComparison:
    """A report's splits against the runner's current targets, with the group's tolerance."""
    async with db.sessions() as session:
        group = await load_group(session, chat_id)
        tolerance = group.tolerance_percent if group is not None else 2.0
        timezone = group.timezone if group is not None else DEFAULT_TIMEZONE
        found = await benchmarks_of(session, [subject_id], schedule.local_date(now, timezone))
        mark = found.get(subject_id)
        splits, missing = compare(checked, mark, tolerance)
        return ReportComparison(splits, mark, tolerance, missing, await _can_dm(session, viewer_id))
