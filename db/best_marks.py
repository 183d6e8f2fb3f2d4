"""Best marks: each runner's bests as they stood over time (`domain.bests.marks`).

A results board measures every runner's PBs against their reports of earlier sessions.
Reading those reports costs thousands of reps per board over a season; the reports that
set a best, a handful per runner and kind, answer the same question. The marks are
derived data: `rewrite` recomputes one runner's from their reports in the transaction of
every change to their results (report, replace, undo, no-show mark), and a deleted
result takes its marks with it (foreign key). Sessions with results are never moved
(only upcoming ones are rescheduled), so the start time copied from the session stays
true.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import REPORTED, BestMark, Member, RepTime, Result, Session
from domain import bests


async def rewrite(session: AsyncSession, user_id: int) -> None:
    """Recompute the runner's marks from all their reported reps, oldest report first.

    The member's row is locked first: under PostgreSQL's READ COMMITTED two concurrent
    rewrites for one runner (reports in two clubs at once) would otherwise each delete
    what they saw and both keep their own marks. (SQLite writers are serialised anyway.)
    """
    await session.execute(select(Member.user_id).where(Member.user_id == user_id).with_for_update())
    rows = await session.execute(
        select(
            Result.id,
            Session.starts_at,
            Result.shape,
            RepTime.ms,
            RepTime.distance_m,
            RepTime.for_bests,
        )
        .join(Session, Session.id == Result.session_id)
        .join(RepTime, RepTime.result_id == Result.id)
        .where(Result.user_id == user_id, Result.status == REPORTED)
        .order_by(Session.starts_at, Result.id, RepTime.position)
    )
    # result id -> start, shape, reps (in the order of the query: oldest report first)
    reports: dict[int, tuple[datetime, str | None, list[bests.RepTime]]] = {}
    for result_id, starts_at, shape, ms, distance_m, for_bests in rows:
        entry = reports.setdefault(result_id, (starts_at, shape, []))
        entry[2].append(bests.RepTime(distance_m if for_bests else None, ms))
    ordered = list(reports.items())
    history = [_record(starts_at, shape, reps) for _, (starts_at, shape, reps) in ordered]
    await session.execute(delete(BestMark).where(BestMark.user_id == user_id))
    marks = [
        {
            "result_id": ordered[index][0],
            "user_id": user_id,
            "starts_at": ordered[index][1][0],
            "distance_m": mark.distance_m,
            "shape": mark.shape,
            "ms": mark.ms,
        }
        for index, mark in bests.marks(history)
    ]
    if marks:
        await session.execute(insert(BestMark), marks)


def _record(
    starts_at: datetime, shape: str | None, reps: list[bests.RepTime]
) -> bests.SessionRecord:
    # A shape counts only for a complete set (a guard against a hand-edited row).
    complete = all(rep.ms is not None for rep in reps)
    return bests.SessionRecord(starts_at.date(), shape if complete else None, tuple(reps))


async def history_before(
    session: AsyncSession, user_ids: Sequence[int], before: datetime
) -> dict[int, list[bests.SessionRecord]]:
    """What each runner's reports of sessions before `before` hold for `find_bests`, in
    one query (by `ix_best_marks_user`).

    Only the fastest mark of each kind matters. A runner's marks of one kind are faster
    the later they were set, so the fastest is the latest: `min(ms)` and `max(starts_at)`
    of a kind come from the same mark, which the database picks.
    """
    if not user_ids:
        return {}
    rows = await session.execute(
        select(
            BestMark.user_id,
            func.max(BestMark.starts_at),
            BestMark.distance_m,
            BestMark.shape,
            func.min(BestMark.ms),
        )
        .where(BestMark.user_id.in_(user_ids), BestMark.starts_at < before)
        .group_by(BestMark.user_id, BestMark.distance_m, BestMark.shape)
    )
    marks: dict[int, list[tuple[date, bests.Mark]]] = {}
    for user_id, starts_at, distance_m, shape, ms in rows:
        marks.setdefault(user_id, []).append((starts_at.date(), bests.Mark(distance_m, shape, ms)))
    return {user_id: bests.standing(found) for user_id, found in marks.items()}
