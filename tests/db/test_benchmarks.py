"""Benchmarks, targets, pace groups, report comparisons and profiles on both backends."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from db import benchmarks, groups, members, profiles, rsvps, sessions
from db.benchmarks import WorkoutState
from db.engine import Database
from db.migrate import alembic_config
from db.models import Benchmark, Group, Member, Race
from domain.errors import InputProblem
from domain.notation import parse_workout, workout_from_dict, workout_to_dict
from domain.report import parse_report
from domain.rsvp import Answer
from domain.splits_check import check_report
from domain.workout import Distance, Duration, PaceRef
from tests.db.helpers import CHAT, NOW, runner, set_up_group

TODAY = date(2026, 11, 25)
ANN, BOB, CAT, DAN = 1, 2, 3, 4


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        if not args[2].startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE
            statements.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def add_race(
    db: Database, user_id: int, distance_m: float, time_ms: int, day: date, at: datetime = NOW
) -> None:
    async with db.sessions.begin() as s:
        await members.remember(s, runner(user_id, f"R{user_id:02d}"), None, at)
        s.add(
            Race(
                user_id=user_id,
                distance_m=distance_m,
                time_ms=time_ms,
                race_date=day,
                created_at=at,
            )
        )


async def with_workout(db: Database, notation: str | None) -> None:
    await set_up_group(db)
    if notation is not None:
        await sessions.set_workout(
            db, CHAT, notation, workout_to_dict(parse_workout(notation)), NOW
        )


async def answer(db: Database, user_id: int, reply: Answer = Answer.IN) -> None:
    await rsvps.answer_next(db, CHAT, runner(user_id, f"R{user_id:02d}"), reply, NOW, None)


# --- benchmarks ---------------------------------------------------------------------------


async def test_the_more_recent_of_race_and_set_benchmark_counts(db: Database) -> None:
    assert (await benchmarks.show_benchmark(db, ANN, NOW)).current is None
    await add_race(db, ANN, 5000.0, 1_200_000, date(2026, 11, 1))
    current = (await benchmarks.show_benchmark(db, ANN, NOW)).current
    assert current is not None and current.source == "race" and current.name == "5K"
    assert current.vdot == pytest.approx(49.8, abs=0.1) and not current.stale
    # An older set benchmark does not replace the race; a newer one does.
    older = await benchmarks.set_benchmark(
        db, runner(ANN), 10000.0, 2_700_000, date(2026, 10, 1), NOW
    )
    assert older.saved is not None and older.saved.source == "benchmark"
    assert older.current is not None and older.current.source == "race"
    newer = await benchmarks.set_benchmark(db, runner(ANN), 10000.0, 2_700_000, None, NOW)
    assert newer.current == newer.saved
    assert newer.current is not None and newer.current.day == TODAY
    # On the same day, the one entered last wins.
    await add_race(db, ANN, 1609.344, 330_000, TODAY, NOW + timedelta(minutes=1))
    latest = (await benchmarks.show_benchmark(db, ANN, NOW)).current
    assert latest is not None and latest.source == "race" and latest.name == "mile"


async def test_set_benchmark_replaces_and_clear_falls_back_to_the_race(db: Database) -> None:
    assert await benchmarks.clear_benchmark(db, ANN, NOW) is None
    await benchmarks.set_benchmark(db, runner(ANN), 5000.0, 1_300_000, None, NOW)
    await benchmarks.set_benchmark(db, runner(ANN), 5000.0, 1_250_000, None, NOW)
    async with db.sessions() as s:
        rows = (await s.execute(select(Benchmark.time_ms))).scalars().all()
    assert rows == [1_250_000]
    cleared = await benchmarks.clear_benchmark(db, ANN, NOW)
    assert cleared is not None and cleared.current is None
    await add_race(db, ANN, 5000.0, 1_400_000, date(2026, 1, 10))
    await benchmarks.set_benchmark(db, runner(ANN), 5000.0, 1_250_000, None, NOW)
    cleared = await benchmarks.clear_benchmark(db, ANN, NOW)
    assert cleared is not None and cleared.current is not None
    assert cleared.current.source == "race" and cleared.current.stale
    assert cleared.current.weeks_old == (TODAY - date(2026, 1, 10)).days // 7


@pytest.mark.parametrize("day", [TODAY + timedelta(days=1), TODAY - timedelta(days=400)])
async def test_benchmark_dates_out_of_range_are_refused_and_nothing_saved(
    db: Database, day: date
) -> None:
    with pytest.raises(InputProblem, match=r"e\.g\. /benchmark"):
        await benchmarks.set_benchmark(db, runner(ANN), 5000.0, 1_200_000, day, NOW)
    async with db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Benchmark))).scalar_one() == 0
        assert (await s.execute(select(func.count()).select_from(Member))).scalar_one() == 0


async def test_staleness_starts_after_twelve_weeks(db: Database) -> None:
    twelve = TODAY - timedelta(weeks=12)
    await benchmarks.set_benchmark(db, runner(ANN), 5000.0, 1_200_000, twelve, NOW)
    fresh = (await benchmarks.show_benchmark(db, ANN, NOW)).current
    assert fresh is not None and not fresh.stale
    later = (await benchmarks.show_benchmark(db, ANN, NOW + timedelta(days=1))).current
    assert later is not None and later.stale


# --- targets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notation", "state"),
    [
        (None, WorkoutState.NO_WORKOUT),
        ("10x200m hills", WorkoutState.NO_PACES),
        ("6x800m @5K r90s", WorkoutState.READY),
    ],
)
async def test_targets_say_why_there_are_none(
    db: Database, notation: str | None, state: WorkoutState
) -> None:
    await with_workout(db, notation)
    found = await benchmarks.my_targets(db, CHAT, runner(ANN), NOW)
    assert found.state is state
    assert len(found.runners) == (1 if state is WorkoutState.READY else 0)


async def test_free_text_workouts_have_no_targets(db: Database) -> None:
    await set_up_group(db)
    await sessions.set_workout(db, CHAT, "fartlek in the park", None, NOW)
    assert (await benchmarks.my_targets(db, CHAT, runner(ANN), NOW)).state is WorkoutState.FREE_TEXT


async def test_a_runners_targets_for_every_pace_reference(db: Database) -> None:
    await with_workout(
        db, "6x800m @5K r90s + 4x400m @R r60s + 20min @T + 2x400m @75s + 1km @3:20/km"
    )
    await benchmarks.set_benchmark(db, runner(ANN), 5000.0, 1_200_000, None, NOW)
    found = await benchmarks.my_targets(db, CHAT, runner(ANN), NOW)
    (ann,) = found.runners
    assert found.tolerance_percent == 2.0 and not found.viewer_can_dm
    kinds = [(rep.amount, rep.pace.name, rep.count, rep.first) for rep in ann.reps]
    assert kinds == [
        (Distance(800.0), "5K", 6, 0),
        (Distance(400.0), "R", 4, 6),
        (Duration(1200.0), "T", 1, 10),
        (Distance(400.0), "75s", 2, 11),
        (Distance(1000.0), "3:20/km", 1, 13),
    ]
    targets = [rep.target for rep in ann.reps]
    assert all(target is not None for target in targets)
    assert targets[0] is not None and targets[0].ms == pytest.approx(192_000, abs=5)
    assert targets[2] is not None and 4500 < targets[2].meters < 4900  # 20 min at T
    assert targets[3] is not None and targets[3].ms == 75_000
    assert targets[4] is not None and targets[4].ms == 200_000


async def test_without_a_benchmark_only_explicit_paces_have_targets(db: Database) -> None:
    await with_workout(db, "6x800m @5K r90s + 2x400m @75s")
    (cat,) = (await benchmarks.my_targets(db, CHAT, runner(CAT), NOW)).runners
    assert cat.missing_benchmark and cat.has_targets
    assert [rep.target is None for rep in cat.reps] == [True, False]


async def test_coach_table_lists_everyone_in_by_name_in_constant_queries(db: Database) -> None:
    await with_workout(db, "6x800m @5K r90s")
    counts = []
    for user_id in range(10, 18):
        await answer(db, user_id)
        if user_id % 2:
            await add_race(db, user_id, 5000.0, 1_200_000 + user_id * 10_000, date(2026, 11, 1))
        with counting(db) as statements:
            found = await benchmarks.coach_targets(db, CHAT, ANN, NOW)
        counts.append(len(statements))
    assert len(set(counts)) == 1, counts
    assert [r.person.display_name for r in found.runners] == [f"R{i}" for i in range(10, 18)]
    assert [r.benchmark is not None for r in found.runners] == [i % 2 == 1 for i in range(10, 18)]
    await answer(db, 12, Answer.OUT)
    await answer(db, 13, Answer.MAYBE)
    found = await benchmarks.coach_targets(db, CHAT, ANN, NOW)
    assert 12 not in {r.person.user_id for r in found.runners}
    assert 13 not in {r.person.user_id for r in found.runners}


async def test_reminder_targets_for_each_person(db: Database) -> None:
    await with_workout(db, "6x800m @5K r90s")
    await add_race(db, ANN, 5000.0, 1_200_000, date(2026, 11, 1))
    upcoming = await sessions.next_session(db, CHAT, NOW)
    people = [runner(ANN), runner(BOB)]
    with counting(db) as statements:
        found = await benchmarks.reminder_targets(db, upcoming, "Europe/London", people, NOW)
    assert len(statements) == 2  # the latest races and the set benchmarks
    assert found[ANN].has_targets and found[BOB].missing_benchmark
    await sessions.set_workout(
        db, CHAT, "10x200m hills", workout_to_dict(parse_workout("10x200m hills")), NOW
    )
    bare = await sessions.next_session(db, CHAT, NOW)
    assert await benchmarks.reminder_targets(db, bare, "Europe/London", people, NOW) == {}


# --- pace groups --------------------------------------------------------------------------


async def test_pace_groups_by_the_main_pace_within_the_spread(db: Database) -> None:
    await with_workout(db, "2x1mi @T r2min + 4x200m @R r200m + 6x400m @T r60s")
    for user_id, five_k in ((ANN, "20:00"), (BOB, "20:20"), (CAT, "23:00")):
        await answer(db, user_id)
        minutes, seconds = (int(x) for x in five_k.split(":"))
        await add_race(db, user_id, 5000.0, (minutes * 60 + seconds) * 1000, date(2026, 11, 1))
    await answer(db, DAN)
    found = await benchmarks.pace_groups_for(db, CHAT, ANN, NOW)
    assert found.pace == PaceRef("zone", "T") and found.from_workout and found.spread_s == 10
    assert [[m.person.user_id for m in g] for g in found.groups] == [[ANN, BOB], [CAT]]
    assert [p.user_id for p in found.without_benchmark] == [DAN]
    await groups.set_setting(db, CHAT, "spread", "3", NOW)
    narrow = await benchmarks.pace_groups_for(db, CHAT, ANN, NOW)
    assert [[m.person.user_id for m in g] for g in narrow.groups] == [[ANN], [BOB], [CAT]]


async def test_pace_groups_fall_back_to_5k_pace(db: Database) -> None:
    await with_workout(db, "8x400m @75s r60s")
    await answer(db, ANN)
    await add_race(db, ANN, 10000.0, 2_400_000, date(2026, 11, 1))
    found = await benchmarks.pace_groups_for(db, CHAT, ANN, NOW)
    assert found.pace == PaceRef("race", "5K") and not found.from_workout
    assert len(found.groups) == 1


# --- report comparison --------------------------------------------------------------------


async def test_splits_are_compared_with_targets_within_the_groups_tolerance(db: Database) -> None:
    await with_workout(db, "3x800m @5K r90s + 1km @3:20/km + 5min @T")
    await benchmarks.set_benchmark(db, runner(ANN), 5000.0, 1_200_000, None, NOW)
    session = await sessions.next_session(db, CHAT, NOW)
    assert session.workout is not None
    checked = check_report(
        parse_report("3:12 3:07 3:17 3:30 x"), workout_from_dict(session.workout)
    )
    found = await benchmarks.report_comparison(db, CHAT, ANN, BOB, checked, NOW)
    verdicts = [(s.index, s.check.verdict, s.target_ms) for s in found.splits]
    assert verdicts == [
        (0, "on target", pytest.approx(192_000, abs=5)),
        (1, "too fast", pytest.approx(192_000, abs=5)),
        (2, "too slow", pytest.approx(192_000, abs=5)),
        (3, "too slow", 200_000),  # 5 % slow; the timed rep is not compared
    ]
    assert found.on_target == 1 and not found.missing_benchmark
    await groups.set_setting(db, CHAT, "tolerance", "3%", NOW)
    wider = await benchmarks.report_comparison(db, CHAT, ANN, BOB, checked, NOW)
    assert [s.check.verdict for s in wider.splits] == ["on target"] * 3 + ["too slow"]
    # Someone without a benchmark still gets the explicit paces, and a hint.
    other = await benchmarks.report_comparison(db, CHAT, CAT, CAT, checked, NOW)
    assert [s.index for s in other.splits] == [3] and other.missing_benchmark


# --- /set tolerance and spread ------------------------------------------------------------


async def test_tolerance_and_spread_are_saved_and_bad_values_change_nothing(db: Database) -> None:
    await set_up_group(db)
    await groups.set_setting(db, CHAT, "tolerance", "1.5 %", NOW)
    await groups.set_setting(db, CHAT, "spread", "15 s/km", NOW)
    for key, value in (("tolerance", "0"), ("tolerance", "50%"), ("spread", "0"), ("spread", "x")):
        with pytest.raises(InputProblem, match=r"e\.g\."):
            await groups.set_setting(db, CHAT, key, value, NOW)
    async with db.sessions() as s:
        row = (await s.execute(select(Group.tolerance_percent, Group.pace_spread_s))).one()
    assert tuple(row) == (1.5, 15.0)


# --- profiles -----------------------------------------------------------------------------


async def test_profile_set_show_clear(db: Database) -> None:
    assert await profiles.get_profile(db, ANN) == profiles.ProfileStatus(None, False)
    saved = await profiles.set_profile(db, runner(ANN), 1980, "F", NOW)
    assert saved.profile == profiles.Profile(1980, "F")
    assert (await profiles.get_profile(db, ANN)).profile == profiles.Profile(1980, "F")
    assert await profiles.clear_profile(db, ANN)
    assert not await profiles.clear_profile(db, ANN)
    assert (await profiles.get_profile(db, ANN)).profile is None


@pytest.mark.parametrize("year", [NOW.year - 4, NOW.year - 101, 0])
async def test_profile_birth_years_out_of_range_are_refused(db: Database, year: int) -> None:
    with pytest.raises(InputProblem, match="/profile born"):
        await profiles.set_profile(db, runner(ANN), year, "M", NOW)
    assert (await profiles.get_profile(db, ANN)).profile is None


# --- migration ----------------------------------------------------------------------------


async def test_upgrading_fills_tolerance_and_spread_for_existing_groups(database_url: str) -> None:
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0002")
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO groups (chat_id, title, weekday, start_time, timezone,"
                    " announce_lead_min, reminder_lead_min, duration_min, guests_allowed,"
                    " configured, active, created_at)"
                    " VALUES (-1, 'Harriers', 1, '18:30', 'UTC', 2880, 180, 90, false, true,"
                    " true, '2026-11-25 12:00:00')"
                )
            )
        await asyncio.to_thread(command.upgrade, config, "head")
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text("SELECT tolerance_percent, pace_spread_s FROM groups")
                )
            ).one()
            assert tuple(row) == (2.0, 10.0)
            assert (await connection.execute(text("SELECT count(*) FROM benchmarks"))).scalar() == 0
    finally:
        await engine.dispose()
