"""A member's own history on both backends: recent sessions, bests, pace, races, privacy.

The data is a realistic block of training built through the real use cases: weeks of
6x800m and 4x(400m, 200m), a skipped rep, a hill session, a coach's no-show mark, and a
training partner whose faster times must never leak into the member's views.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from db import groups, history, members, races, results, sessions
from db.engine import Database
from db.models import Member, Race
from domain.errors import InputProblem
from domain.notation import parse_workout, workout_to_dict
from domain.report import parse_report
from domain.times import parse_time_ms
from tests.db.helpers import CHAT, NOW, runner, set_up_group

ANN, BOB, COACH = 1, 2, 99
SIX_800 = "6x800m @5K r90s"
MIXED = "4x(400m, 200m) @mile r200m jog"
HILLS = "10x200m hills"

# (workout, Ann's report or None for a no-show, Bob's report or None). First session:
# Tue 1 Dec 2026 18:30 London, then weekly.
WEEKS: tuple[tuple[str, str | None, str | None], ...] = (
    (SIX_800, "2:50 2:48 2:47 2:46 2:45 2:44 # first one back", "2:30 " * 6),
    (MIXED, "1:20 38 1:19 37.5 1:18 37 1:17 36.5", None),
    (HILLS, "34 34 34.5 34 34 34 34 34 34 34 # steep one", None),  # faster than flat!
    (SIX_800, "2:44 2:43 x 2:41 2:40 2:39 # calf", None),  # skipped rep: no set best
    (SIX_800, "2:45 2:44 2:43 2:42 2:41 2:40", "2:20 " * 6),
    (MIXED, None, "1:10 33 " * 4),  # Ann: marked no-show
    (MIXED, "1:16 36 1:15 35.5 1:15 35 1:14 35.2", None),
)


@dataclass(frozen=True)
class Block:
    days: tuple[date, ...]  # the session dates, local
    after: datetime  # two hours after the last session


async def train(
    db: Database,
    weeks: int = len(WEEKS),
    chat: int = CHAT,
    ann: int = ANN,
    bob: int = BOB,
) -> Block:
    """Ann's (and Bob's) weeks of reports, saved as the bot would after each session."""
    await set_up_group(db, chat)
    now = NOW
    days = []
    for notation, ann_report, bob_report in WEEKS[:weeks]:
        session = await sessions.next_session(db, chat, now)
        await sessions.set_workout(
            db, chat, notation, workout_to_dict(parse_workout(notation)), now
        )
        now = session.starts_at + timedelta(hours=2)
        days.append(session.starts_at.date())
        if ann_report is None:
            await results.mark_no_show(db, chat, runner(ann, "Ann"), COACH, now)
        else:
            report = parse_report(ann_report)
            await results.save_report(db, chat, runner(ann, "Ann"), ann, report, now)
        if bob_report is not None:
            report = parse_report(bob_report)
            await results.save_report(db, chat, runner(bob, "Bob"), bob, report, now)
    return Block(tuple(days), now)


@contextmanager
def counting(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (with their parameters) run inside the block."""
    statements: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        if not args[2].lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            statements.append((args[2], args[3]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


def ms(text_time: str) -> int:
    return parse_time_ms(text_time)


# --- /me ----------------------------------------------------------------------------------


async def test_recent_sessions_newest_first_with_reps_notes_and_no_no_shows(
    db: Database,
) -> None:
    block = await train(db)
    found = await history.recent_sessions(db, ANN, history.RECENT_PRIVATE)
    ann_weeks = [i for i, (_, ann, _) in enumerate(WEEKS) if ann is not None]
    assert [r.day for r in found] == [block.days[i] for i in reversed(ann_weeks)]
    latest, hills, mixed = found[0], found[3], found[4]
    assert latest.shape == "4x(400m, 200m)" and latest.group_title == f"Club {CHAT}"
    assert [rep.ms for rep in latest.reps] == [
        76000,
        36000,
        75000,
        35500,
        75000,
        35000,
        74000,
        35200,
    ]
    assert [rep.distance_m for rep in latest.reps] == [400.0, 200.0] * 4
    skipped = found[2]
    assert skipped.shape is None and skipped.note == "calf"
    assert [rep.ms for rep in skipped.reps] == [164000, 163000, None, 161000, 160000, 159000]
    assert hills.note == "steep one" and not any(rep.for_bests for rep in hills.reps)
    assert all(rep.for_bests for rep in mixed.reps)
    # Averages per distance, as a fresh report's summary would say.
    summary = mixed.summary()
    assert [(g.amount, g.average_ms) for g in summary.groups] == [
        (parse_workout("400m").parts[0].items[0].amount, 78500),  # type: ignore[union-attr]
        (parse_workout("200m").parts[0].items[0].amount, 37250),  # type: ignore[union-attr]
    ]
    assert skipped.summary().skipped == 1 and skipped.summary().run == 5
    # Bob's faster reports never show up in Ann's history.
    assert all(
        rep.ms is None or rep.ms > 150000 for r in found if r.shape == "6x800m" for rep in r.reps
    )


async def test_recent_sessions_limit_and_a_member_with_nothing(db: Database) -> None:
    block = await train(db)
    three = await history.recent_sessions(db, ANN, history.RECENT_GROUP)
    assert [r.day for r in three] == [block.days[6], block.days[4], block.days[3]]
    assert await history.recent_sessions(db, 12345) == ()
    bob = await history.recent_sessions(db, BOB, 50)
    assert [r.day for r in bob] == [block.days[5], block.days[4], block.days[0]]


async def test_each_view_is_a_constant_number_of_queries(db: Database) -> None:
    """No N+1: the same statements for 0, 3 or 6 sessions (results come with their reps)."""
    await train(db)
    counts = []
    for user in (12345, BOB, ANN):
        with counting(db) as recent:
            await history.recent_sessions(db, user)
        with counting(db) as bests:
            await history.personal_bests(db, user)
        with counting(db) as pace:
            await history.progress(db, user, 800.0)
        counts.append((len(recent), len(bests), len(pace)))
    # One query each; bests rank reps, sets and races in SQL; a chart with too few
    # sessions asks once more, for the distances to suggest.
    assert counts == [(1, 3, 2), (1, 3, 1), (1, 3, 1)]


async def test_timed_reps_and_a_total_only_report_show_but_set_no_bests(db: Database) -> None:
    await set_up_group(db)
    now = NOW
    for notation, report in (("10x1min @T r1min", "1:00 " * 10), (None, "total 21:30 # tempo")):
        session = await sessions.next_session(db, CHAT, now)
        if notation:
            workout = workout_to_dict(parse_workout(notation))
            await sessions.set_workout(db, CHAT, notation, workout, now)
        now = session.starts_at + timedelta(hours=2)
        await results.save_report(db, CHAT, runner(ANN), ANN, parse_report(report), now)
    total_only, timed = await history.recent_sessions(db, ANN)
    assert total_only.reps == () and total_only.total_ms == ms("21:30")
    assert total_only.note == "tempo" and total_only.summary().run == 0
    assert [(r.ms, r.distance_m, r.for_bests) for r in timed.reps] == [(60000, None, False)] * 10
    assert timed.summary().groups[0].average_ms == 60000
    assert (await history.personal_bests(db, ANN)).empty
    assert (await history.progress(db, ANN)).series == ()


# --- /pb ----------------------------------------------------------------------------------


async def test_personal_bests_per_distance_and_per_shape(db: Database) -> None:
    block = await train(db)
    bests = await history.personal_bests(db, ANN)
    reps = {(r.distance_m, r.ms, r.day, r.reps) for r in bests.reps}
    assert reps == {
        # 34 s uphill 200s don't count: the flat 35.0 does, from the last week.
        (200.0, 35000, block.days[6], 8),
        (400.0, 74000, block.days[6], 8),
        # The skipped-rep week still has the fastest single 800.
        (800.0, ms("2:39"), block.days[3], 17),
    }
    assert [r.distance_m for r in bests.reps] == [200.0, 400.0, 800.0]
    sets = {(s.shape, s.average_ms, s.day, s.sets) for s in bests.sets}
    assert sets == {
        ("10x200m hills", 34050, block.days[2], 1),
        ("4x(400m, 200m)", 55212, block.days[6], 2),  # 441.7 s / 8, as domain.bests rounds
        # Complete sets only: the 5-of-6 week is not a set best, however fast.
        ("6x800m", 162500, block.days[4], 2),
    }
    assert bests.races == () and not bests.empty
    bob = await history.personal_bests(db, BOB)
    assert {(r.distance_m, r.ms) for r in bob.reps} == {
        (800.0, 140000),
        (400.0, 70000),
        (200.0, 33000),
    }
    assert (await history.personal_bests(db, 12345)).empty


async def test_a_tie_keeps_the_day_it_was_first_run(db: Database) -> None:
    await set_up_group(db)
    now, days = NOW, []
    for _ in range(2):
        session = await sessions.next_session(db, CHAT, now)
        await sessions.set_workout(db, CHAT, SIX_800, workout_to_dict(parse_workout(SIX_800)), now)
        now = session.starts_at + timedelta(hours=2)
        days.append(session.starts_at.date())
        await results.save_report(db, CHAT, runner(ANN), ANN, parse_report("2:40 " * 6), now)
    bests = await history.personal_bests(db, ANN)
    assert [(r.ms, r.day) for r in bests.reps] == [(160000, days[0])]
    assert [(s.average_ms, s.day, s.sets) for s in bests.sets] == [(160000, days[0], 2)]


async def test_race_benchmarks_best_and_latest_per_distance(db: Database) -> None:
    ann = runner(ANN, "Ann")
    for meters, time_ms, day in (
        (5000.0, ms("20:10"), date(2026, 9, 12)),
        (5000.0, ms("19:45"), date(2026, 10, 4)),
        (5000.0, ms("20:30"), date(2026, 11, 1)),
        (10000.0, ms("41:00"), date(2026, 6, 7)),
        (21097.5, ms("1:35:00"), date(2025, 3, 30)),
    ):
        await races.log_race(db, ann, meters, time_ms, day, NOW)
    bests = await history.personal_bests(db, ANN)
    assert [(r.name, r.best.time_ms, r.best.day, r.latest.day, r.races) for r in bests.races] == [
        ("5K", ms("19:45"), date(2026, 10, 4), date(2026, 11, 1), 3),
        ("10K", ms("41:00"), date(2026, 6, 7), date(2026, 6, 7), 1),
        ("half marathon", ms("1:35:00"), date(2025, 3, 30), date(2025, 3, 30), 1),
    ]
    assert bests.reps == () and bests.sets == ()


# --- /progress ----------------------------------------------------------------------------


def pace(*reps: str, metres: float) -> int:
    return round(sum(ms(r) for r in reps) * 1000 / metres)


def points(result: history.Progress, distance: float) -> list[tuple[date, int, int]]:
    (series,) = [one for one in result.series if one.distance_m == distance]
    return [(p.day, p.per_km_ms, p.reps) for p in series.points]


async def test_progress_per_rep_distance_and_for_one_distance(db: Database) -> None:
    block = await train(db)
    everything = await history.progress(db, ANN)
    # One line per distance: a 200 m is run faster than an 800, so never one average.
    # No point for the hill week (nothing on the flat) nor the no-show.
    assert [one.distance_m for one in everything.series] == [200.0, 400.0, 800.0]
    assert everything.enough and everything.days == tuple(block.days[i] for i in (0, 1, 3, 4, 6))
    first_800s = ("2:50", "2:48", "2:47", "2:46", "2:45", "2:44")
    last_800s = ("2:45", "2:44", "2:43", "2:42", "2:41", "2:40")
    assert points(everything, 800.0) == [
        (block.days[0], pace(*first_800s, metres=4800), 6),
        (block.days[3], pace("2:44", "2:43", "2:41", "2:40", "2:39", metres=4000), 5),
        (block.days[4], pace(*last_800s, metres=4800), 6),
    ]
    assert points(everything, 200.0) == [
        (block.days[1], pace("38", "37.5", "37", "36.5", metres=800), 4),
        (block.days[6], pace("36", "35.5", "35", "35.2", metres=800), 4),
    ]
    eight = await history.progress(db, ANN, 800.0)
    assert eight.series == (everything.series[2],)
    assert eight.series[0].best == eight.series[0].points[1]  # the 5-of-6 week
    assert await history.progress(db, ANN, 800.2) == history.Progress(
        800.2, (history.PaceSeries(800.2, eight.series[0].points),), ()
    )
    assert everything.distances == eight.distances == ()  # only asked for when too few


async def test_progress_keeps_the_distances_run_most_often(db: Database) -> None:
    await set_up_group(db)
    now = NOW
    for notation, report in (
        ("200m, 300m, 400m, 500m, 600m", "35 54 1:14 1:35 1:56"),
        ("200m, 300m, 400m, 500m, 1000m", "34 53 1:13 1:34 3:20"),
    ):
        session = await sessions.next_session(db, CHAT, now)
        await sessions.set_workout(
            db, CHAT, notation, workout_to_dict(parse_workout(notation)), now
        )
        now = session.starts_at + timedelta(hours=2)
        await results.save_report(db, CHAT, runner(ANN), ANN, parse_report(report), now)
    found = await history.progress(db, ANN)
    assert [one.distance_m for one in found.series] == [200.0, 300.0, 400.0, 500.0]
    assert len(found.series) == history.MAX_SERIES and found.enough


async def test_progress_with_too_little_data_lists_the_distances_there_are(db: Database) -> None:
    await train(db, weeks=2)
    nothing = await history.progress(db, ANN, 1000.0)
    assert nothing.series == () and nothing.distances == (200.0, 400.0, 800.0)
    one = await history.progress(db, ANN, 800.0)
    assert not one.enough and len(one.series[0].points) == 1
    assert one.distances == (200.0, 400.0, 800.0)
    # 6x800m one week, 4x(400m, 200m) the next: no distance twice yet.
    mixed = await history.progress(db, ANN)
    assert not mixed.enough and len(mixed.series) == 3
    stranger = await history.progress(db, 12345)
    assert stranger.series == () and stranger.distances == () and not stranger.enough


# --- /race --------------------------------------------------------------------------------


async def race_rows(db: Database) -> list[tuple[Any, ...]]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(Race.user_id, Race.distance_m, Race.time_ms, Race.race_date).order_by(Race.id)
        )
        return [tuple(row) for row in rows]


async def test_log_race_defaults_to_today_in_the_home_group_zone(db: Database) -> None:
    late = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # already 26 Nov in Auckland
    await groups.ensure_group(db, -777, "Kiwis", "Pacific/Auckland", late)
    await members.started_private_chat(db, runner(ANN, "Ann"), late, home_group_id=-777)
    logged = await races.log_race(db, runner(ANN, "Ann"), 5000.0, ms("19:45"), None, late)
    assert logged.race.day == date(2026, 11, 26) and logged.previous_best is None
    assert logged.is_best and not logged.duplicate and logged.race.name == "5K"
    # Without a home group: UTC.
    utc = await races.log_race(db, runner(BOB, "Bob"), 5000.0, ms("22:00"), None, late)
    assert utc.race.day == date(2026, 11, 25)
    yesterday = await races.log_race(
        db, runner(BOB, "Bob"), 10000.0, ms("45:00"), timedelta(days=1), late
    )
    assert yesterday.race.day == date(2026, 11, 24)


async def test_log_race_compares_with_the_best_and_ignores_a_repeat(db: Database) -> None:
    ann = runner(ANN, "Ann")
    first = await races.log_race(db, ann, 5000.0, ms("20:10"), date(2026, 9, 12), NOW)
    better = await races.log_race(db, ann, 5000.0, ms("19:45"), date(2026, 10, 4), NOW)
    assert better.is_best and better.previous_best == first.race
    slower = await races.log_race(db, ann, 5000.0, ms("20:30"), date(2026, 11, 1), NOW)
    assert not slower.is_best and slower.previous_best == better.race
    again = await races.log_race(db, ann, 5000.0, ms("20:30"), date(2026, 11, 1), NOW)
    assert again.duplicate and again.race == slower.race
    assert len(await race_rows(db)) == 3


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (date(2026, 11, 26), False),  # tomorrow
        (date(2021, 11, 25), True),  # exactly five years back
        (date(2021, 11, 24), False),
        (date(1999, 1, 1), False),
    ],
)
async def test_race_dates_must_be_past_and_recent(db: Database, day: date, allowed: bool) -> None:
    if allowed:
        logged = await races.log_race(db, runner(ANN), 5000.0, ms("20:00"), day, NOW)
        assert logged.race.day == day
        return
    with pytest.raises(InputProblem) as problem:
        await races.log_race(db, runner(ANN), 5000.0, ms("20:00"), day, NOW)
    assert "e.g. /race" in problem.value.message
    assert await race_rows(db) == []


async def test_undo_removes_the_race_logged_last_and_list_is_by_date(db: Database) -> None:
    ann = runner(ANN, "Ann")
    assert await races.undo_race(db, ANN) is None
    await races.log_race(db, ann, 5000.0, ms("19:45"), date(2026, 10, 4), NOW)
    await races.log_race(db, ann, 10000.0, ms("41:00"), date(2026, 11, 1), NOW)
    older = await races.log_race(
        db, ann, 1609.344, ms("5:30"), date(2026, 6, 1), NOW + timedelta(minutes=1)
    )
    await races.log_race(db, runner(BOB), 5000.0, ms("18:00"), date(2026, 11, 2), NOW)
    listed = await races.list_races(db, ANN)
    assert [(r.name, r.day) for r in listed.races] == [
        ("10K", date(2026, 11, 1)),
        ("5K", date(2026, 10, 4)),
        ("mile", date(2026, 6, 1)),
    ]
    assert listed.total == 3
    assert (await races.list_races(db, ANN, limit=2)).total == 3
    assert await races.undo_race(db, ANN) == older.race  # logged last, though run first
    assert [r.name for r in (await races.list_races(db, ANN)).races] == ["10K", "5K"]
    assert (await races.list_races(db, 12345)) == races.RaceList((), 0)


async def test_a_member_keeps_at_most_max_races(db: Database) -> None:
    await races.log_race(db, runner(ANN), 5000.0, ms("20:00"), date(2026, 1, 1), NOW)
    async with db.sessions.begin() as s:
        s.add_all(
            Race(
                user_id=ANN,
                distance_m=10000.0,
                time_ms=ms("40:00") + i,
                race_date=date(2026, 1, 2),
                created_at=NOW,
            )
            for i in range(races.MAX_RACES - 1)
        )
    with pytest.raises(InputProblem):
        await races.log_race(db, runner(ANN), 5000.0, ms("19:00"), None, NOW)
    assert len(await race_rows(db)) == races.MAX_RACES


# --- /private -----------------------------------------------------------------------------


async def test_private_mode_on_and_off(db: Database) -> None:
    assert not await history.is_private(db, ANN)
    assert await history.set_private(db, runner(ANN, "Ann"), True, NOW)
    assert await history.is_private(db, ANN)
    assert not await history.set_private(db, runner(ANN, "Ann"), True, NOW)  # no change
    assert await history.set_private(db, runner(ANN, "Ann"), False, NOW)
    assert not await history.is_private(db, ANN)
    async with db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Member))).scalar_one() == 1


async def test_queries_use_the_indexes(db: Database) -> None:
    """On SQLite: results by ix_results_user, races by ix_races_user_date, no table scan."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite")
    await train(db, weeks=2)
    await races.log_race(db, runner(ANN), 5000.0, ms("20:00"), None, NOW)
    with counting(db) as statements:
        await history.recent_sessions(db, ANN)
        await history.personal_bests(db, ANN)
        await history.progress(db, ANN, 1000.0)
        await races.list_races(db, ANN)
    async with db.engine.connect() as connection:
        for sql, parameters in statements:
            plan = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)
            details = " | ".join(str(row[-1]) for row in plan)
            assert "SCAN results" not in details and "SCAN races" not in details, (sql, details)
            assert (
                "SEARCH results USING INDEX ix_results_user (user_id=?)" in details
                or "SEARCH races USING INDEX ix_races_user_date (user_id=?)" in details
            ), (sql, details)
            assert "SCAN rep_times" not in details and "SCAN sessions" not in details, details
