"""The board's PBs are exactly what `domain.bests` finds in every earlier rep.

`db.boards` hands `find_bests` a summary of each runner's history (the fastest rep per
distance, the best average per shape) instead of every rep. This test keeps it honest:
a few weeks of ladders, hills and flat reps, with ties and skipped reps, and for every
board the PBs must equal those computed from every stored rep, as the board once did.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from db import boards
from db.engine import Database
from db.models import RepTime, Result, Session
from domain import bests
from tests.db.helpers import CHAT, NOW, set_up_group
from tests.db.test_boards import report, week

RUNNERS = (1, 2, 3, 4)
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
                Result.status == boards.REPORTED,
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


async def test_board_bests_equal_those_found_in_every_earlier_rep(db: Database) -> None:
    rng = random.Random(5)
    await set_up_group(db)
    at, held = NOW, []
    for number in range(9):
        notation, choices = WORKOUTS[number % len(WORKOUTS)]
        session = await week(db, at, ins=RUNNERS, notation=notation)
        for user_id in RUNNERS:
            if user_id == 1 and number % len(WORKOUTS) == 0:
                # The same set twice, then a faster one: its PBs are measured against a
                # tie, which the first day wins.
                await report(db, session, user_id, ("2:41 " if number < 6 else "2:40 ") * 6)
            elif rng.random() < 0.85:
                await report(db, session, user_id, splits(rng, notation, choices))
        held.append(session)
        at = session.starts_at + timedelta(hours=3)
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
