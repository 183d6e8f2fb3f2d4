"""The board's PBs are exactly what `domain.bests` finds in every earlier rep.

`db.boards` hands `find_bests` the best marks of each runner (`db.best_marks`: the
reports that set a best) instead of every rep. This test keeps it honest: a few weeks of
ladders, hills and flat reps, with ties, skipped reps, replaced and undone reports and
no-show marks, and for every board the PBs must equal those computed from every stored
rep, as the board once did. The migration that created the marks must backfill exactly
what the application keeps.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select

from db import best_marks, boards, results, sessions
from db.engine import Database
from db.migrate import alembic_config
from db.models import REPORTED, BestMark, RepTime, Result, Session
from db.views import SessionView
from domain import bests
from domain.notation import parse_workout, workout_to_dict
from domain.report import parse_report
from tests.db.helpers import CHAT, NOW, OTHER_CHAT, runner, set_up_group
from tests.db.test_boards import WORKOUT, report, week

RUNNERS = (1, 2, 3, 4)
COACH = 99
THIRD_CHAT = -3003
# Workouts and the split choices per rep (few choices, so ties happen).
WORKOUTS = (
    ("6x800m @5K r90s", ["2:40", "2:41", "2:42", "x"]),
    ("400, 800, 1200, 800, 400 @5K r2min", None),
    ("6x200m hills r60s", ["0:38", "0:39", "x"]),
)
LADDER = {0: ["1:15", "1:16"], 1: ["2:43", "2:44"], 2: ["4:05", "4:06"]}


def splits(rng: random.Random, notation: str, choices: list[str] | None) -> str:
    if choices is None:  # the ladder: 400, 800, 1200, 800, 400
        return " ".join(rng.choice(LADDER[index]) for index in (0, 1, 2, 1, 0))
    return " ".join(rng.choice(choices) for _ in range(6))


async def every_rep_history(
    db: Database, user_ids: list[int], before: datetime
) -> dict[int, list[bests.SessionRecord]]:
    """The reference: every earlier rep of each runner, one record per report."""
    async with db.sessions() as session:
        rows = await session.execute(
            select(
                Result.id,
                Result.user_id,
                Result.shape,
                Session.starts_at,
                RepTime.ms,
                RepTime.distance_m,
                RepTime.for_bests,
            )
            .join(Session, Session.id == Result.session_id)
            .join(RepTime, RepTime.result_id == Result.id)
            .where(
                Result.user_id.in_(user_ids),
                Result.status == REPORTED,
                Session.starts_at < before,
            )
            .order_by(Result.user_id, Session.starts_at, Result.id, RepTime.position)
        )
        grouped: dict[int, tuple[int, str | None, datetime, list[bests.RepTime]]] = {}
        for result_id, user_id, shape, starts_at, ms, distance_m, counts in rows.all():
            entry = grouped.setdefault(result_id, (user_id, shape, starts_at, []))
            entry[3].append(bests.RepTime(distance_m if counts else None, ms))
    history: dict[int, list[bests.SessionRecord]] = {}
    for user_id, shape, starts_at, reps in grouped.values():
        complete = shape if all(rep.ms is not None for rep in reps) else None
        history.setdefault(user_id, []).append(
            bests.SessionRecord(starts_at.date(), complete, tuple(reps))
        )
    return history


async def stored_reps(db: Database, session_id: int, user_id: int) -> list[boards.StoredRep]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(RepTime.position, RepTime.ms, RepTime.distance_m, RepTime.for_bests)
            .join(Result, Result.id == RepTime.result_id)
            .where(Result.session_id == session_id, Result.user_id == user_id)
            .order_by(RepTime.position)
        )
        return [boards.StoredRep(*row) for row in rows.all()]


async def a_season_of_reports(db: Database) -> list[SessionView]:
    """Nine weeks of reports, with replaced and undone reports and no-show marks."""
    rng = random.Random(5)
    await set_up_group(db)
    at, held = NOW, []
    for number in range(9):
        notation, choices = WORKOUTS[number % len(WORKOUTS)]
        session = await week(db, at, ins=RUNNERS, notation=notation)
        after = session.starts_at + timedelta(hours=2)
        for user_id in RUNNERS:
            if user_id == 1 and number % len(WORKOUTS) == 0:
                # The same set twice, then a faster one: its PBs are measured against a
                # tie, which the first day wins.
                await report(db, session, user_id, ("2:41 " if number < 6 else "2:40 ") * 6)
            elif rng.random() < 0.85:
                await report(db, session, user_id, splits(rng, notation, choices))
                change = rng.random()
                if change < 0.15:  # replaced by a corrected report
                    await report(db, session, user_id, splits(rng, notation, choices))
                elif change < 0.25:  # taken back
                    await results.undo_report(db, CHAT, user_id, user_id, after)
                elif change < 0.3:  # a coach's no-show mark replaces it
                    await results.mark_no_show(db, CHAT, runner(user_id), COACH, after)
        held.append(session)
        at = session.starts_at + timedelta(hours=3)
    return held


async def test_board_bests_equal_those_found_in_every_earlier_rep(db: Database) -> None:
    held = await a_season_of_reports(db)
    now = held[-1].starts_at + timedelta(days=1)
    compared = 0
    for session in held[2:]:
        board = await boards.board_for(db, CHAT, now, session.starts_at.date())
        assert board.session.id == session.id
        async with db.sessions() as s:
            row = await s.get(Session, session.id)
            assert row is not None
            reps = boards.workout_reps(row)
        history = await every_rep_history(db, list(RUNNERS), session.starts_at)
        for shown in board.results:
            user_id = shown.runner.person.user_id
            stored = await stored_reps(db, session.id, user_id)
            counted = boards.rebuild_checked(reps, stored, shown.checked.shape, for_bests=True)
            assert shown.bests == bests.find_bests(history.get(user_id, []), counted)
            compared += 1
    assert compared >= 20


async def stored_marks(db: Database, user_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
    """The best marks kept (of some runners, or of everyone), in a stable order."""
    query = select(
        BestMark.user_id,
        BestMark.result_id,
        BestMark.starts_at,
        BestMark.distance_m,
        BestMark.shape,
        BestMark.ms,
    ).order_by(BestMark.user_id, BestMark.starts_at, BestMark.distance_m, BestMark.shape)
    if user_ids is not None:
        query = query.where(BestMark.user_id.in_(user_ids))
    async with db.sessions() as session:
        return [tuple(row) for row in await session.execute(query)]


async def test_the_migration_backfills_the_marks_the_application_keeps(
    db: Database, database_url: str
) -> None:
    await a_season_of_reports(db)
    kept = await stored_marks(db)
    assert len(kept) >= 10
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0006")
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await stored_marks(db) == kept


async def session_with_workout(db: Database, chat_id: int, at: datetime) -> SessionView:
    session = await sessions.next_session(db, chat_id, at)
    await sessions.set_workout(db, chat_id, WORKOUT, workout_to_dict(parse_workout(WORKOUT)), at)
    return session


async def report_in(db: Database, chat_id: int, session: SessionView, text: str) -> datetime:
    after = session.starts_at + timedelta(hours=2)
    await results.save_report(db, chat_id, runner(1), 1, parse_report(text), after)
    return after


@pytest.mark.parametrize("take_back", ["undo", "no_show"])
async def test_a_report_taken_back_lets_a_later_one_in_another_group_stand_as_the_best(
    db: Database, take_back: str
) -> None:
    """Marks are rewritten whole: a runner's reports in three clubs interleave in time."""
    await set_up_group(db)  # Tuesdays
    await set_up_group(db, OTHER_CHAT, ("day", "wed"))
    await set_up_group(db, THIRD_CHAT, ("day", "thu"))
    tuesday = await session_with_workout(db, CHAT, NOW)
    wednesday = await session_with_workout(db, OTHER_CHAT, tuesday.starts_at)
    thursday = await session_with_workout(db, THIRD_CHAT, wednesday.starts_at)
    await report_in(db, CHAT, tuesday, "2:40 " * 6)
    await report_in(db, OTHER_CHAT, wednesday, "2:42 " * 6)  # no PB: 2:40 stands
    after = await report_in(db, THIRD_CHAT, thursday, "2:43 " * 6)
    if take_back == "undo":
        await results.undo_report(db, CHAT, 1, 1, after)
    else:
        await results.mark_no_show(db, CHAT, runner(1), COACH, after)

    board = await boards.board_for(db, THIRD_CHAT, after)
    assert board.session.id == thursday.id
    # Measured against Wednesday's 2:42, now the best before it: no PB, not a first.
    assert board.results[0].bests == bests.Bests((), None)


async def test_rewrites_of_one_runner_wait_for_each_other(db: Database, database_url: str) -> None:
    """Two transactions rewriting one runner's marks never both keep theirs: the second
    waits for the first (PostgreSQL; SQLite serialises every writer anyway)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite writers are serialised by BEGIN IMMEDIATE")
    await a_season_of_reports(db)
    kept = await stored_marks(db)

    async def rewrite_alone() -> None:
        async with db.sessions.begin() as session:
            await best_marks.rewrite(session, RUNNERS[0])

    async with db.sessions.begin() as first:
        await best_marks.rewrite(first, RUNNERS[0])
        second = asyncio.create_task(rewrite_alone())
        await asyncio.sleep(0.3)
        assert not second.done()  # waiting for the member's row
    await second
    assert await stored_marks(db) == kept
