"""Reported times: save (replacing), undo, mark no-shows, and the history bests need.

A report belongs to the group's latest session that has started and was not
cancelled. Times are stored exactly (integer ms) with the rep they belong to;
paces, averages and bests are computed from them. The one derived copy, the runner's
best marks the results board compares with (`db.best_marks`), is rewritten in the
transaction of every change. Every change is written to `result_changes`: who changed
whose times, when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import best_marks
from db.convert import group_settings, session_view
from db.engine import Database
from db.groups import load_group
from db.members import remember
from db.models import NO_SHOW, REPORTED, Group, RepTime, Result, ResultChange, Session
from db.views import GroupSettings, Person, Refusal, Refused, SessionView
from domain import bests, schedule
from domain.notation import workout_from_dict
from domain.report import Report
from domain.splits_check import Checked, check_report
from domain.workout import Workout


@dataclass(frozen=True)
class ReportTarget:
    """The session a report is for, with what checking needs."""

    group: GroupSettings
    session: SessionView
    workout: Workout | None


@dataclass(frozen=True)
class ReportSaved:
    target: ReportTarget
    checked: Checked
    bests: bests.Bests
    replaced: bool


async def _latest_started(session: AsyncSession, group: Group, now: datetime) -> Session:
    row = (
        await session.execute(
            select(Session)
            .where(
                Session.group_id == group.chat_id,
                Session.starts_at <= now,
                Session.cancelled_at.is_(None),
            )
            .order_by(Session.starts_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if row is None:
        raise Refused(Refusal.NOTHING_TO_REPORT)
    return row


def _target(row: Session, group: Group) -> ReportTarget:
    workout = workout_from_dict(row.workout) if row.workout is not None else None
    return ReportTarget(group_settings(group), session_view(row, group), workout)


async def report_target(db: Database, chat_id: int, now: datetime) -> ReportTarget:
    """The session `/report` in this group is about: the latest one that has started."""
    async with db.sessions() as session:
        group, row = await _reporting(session, chat_id, now)
        return _target(row, group)


async def _history(
    session: AsyncSession, user_id: int, except_session: int
) -> list[bests.SessionRecord]:
    """The runner's earlier reports as the plain records `domain.bests` compares with."""
    rows = await session.execute(
        select(Result, Session.starts_at, RepTime)
        .join(Session, Session.id == Result.session_id)
        .join(RepTime, RepTime.result_id == Result.id)
        .where(
            Result.user_id == user_id,
            Result.status == REPORTED,
            Result.session_id != except_session,
        )
        .order_by(Session.starts_at, Result.id, RepTime.position)
    )
    records: dict[int, tuple[Result, datetime, list[bests.RepTime]]] = {}
    for result, starts_at, rep in rows.all():
        entry = records.setdefault(result.id, (result, starts_at, []))
        entry[2].append(bests.RepTime(rep.distance_m if rep.for_bests else None, rep.ms))
    return [
        bests.SessionRecord(starts_at.date(), result.shape, tuple(reps))
        for result, starts_at, reps in records.values()
    ]


def _audit(
    row: Session,
    subject: int,
    actor: int,
    action: str,
    now: datetime,
    detail: dict[str, Any] | None,
) -> ResultChange:
    return ResultChange(
        session_id=row.id, user_id=subject, actor_id=actor, action=action, detail=detail, at=now
    )


async def save_report(
    db: Database,
    chat_id: int,
    subject: Person,
    actor_id: int,
    report: Report,
    now: datetime,
) -> ReportSaved:
    """Check and store a report for the group's latest session, replacing an earlier one.

    Raises InputProblem for impossible splits; the caller confirms count mismatches
    with the runner before calling (see `check`).
    """
    async with db.sessions.begin() as session:
        group, row = await _reporting(session, chat_id, now)
        target = _target(row, group)
        checked = check_report(report, target.workout)
        await remember(session, subject, chat_id, now)
        history = await _history(session, subject.user_id, row.id)
        found = bests.find_bests(history, checked)
        record = bests.session_record(checked, schedule.local_date(row.starts_at, group.timezone))
        previous = (
            await session.execute(
                select(Result).where(Result.session_id == row.id, Result.user_id == subject.user_id)
            )
        ).scalar_one_or_none()
        if previous is not None:
            await session.delete(previous)
            await session.flush()
        result = Result(
            session_id=row.id,
            user_id=subject.user_id,
            status=REPORTED,
            total_ms=checked.total_ms,
            note=checked.note,
            shape=record.shape,
            reported_by=actor_id,
            created_at=now,
            updated_at=now,
        )
        session.add(result)
        await session.flush()
        for split, stored in zip(checked.splits, record.reps, strict=True):
            session.add(
                RepTime(
                    result_id=result.id,
                    position=split.index,
                    ms=split.ms,
                    distance_m=split.distance_m,
                    for_bests=stored.distance_m is not None,
                )
            )
        session.add(
            _audit(
                row,
                subject.user_id,
                actor_id,
                "replace" if previous is not None else "report",
                now,
                {"splits": [s.ms for s in checked.splits], "total_ms": checked.total_ms},
            )
        )
        await best_marks.rewrite(session, subject.user_id)
        return ReportSaved(target, checked, found, replaced=previous is not None)


def check(target: ReportTarget, report: Report) -> Checked:
    """The checked report without saving it (to ask about a count mismatch first)."""
    return check_report(report, target.workout)


async def _reporting(session: AsyncSession, chat_id: int, now: datetime) -> tuple[Group, Session]:
    """The group and the session its reports are about, or a refusal."""
    group = await load_group(session, chat_id)
    if group is None or not group.configured:
        raise Refused(Refusal.NOT_SET_UP)
    return group, await _latest_started(session, group, now)


async def undo_report(
    db: Database, chat_id: int, subject_id: int, actor_id: int, now: datetime
) -> SessionView:
    """Remove the subject's report (or no-show mark) for the latest session."""
    async with db.sessions.begin() as session:
        group, row = await _reporting(session, chat_id, now)
        removed = await session.execute(
            delete(Result).where(Result.session_id == row.id, Result.user_id == subject_id)
        )
        if not getattr(removed, "rowcount", 0):
            raise Refused(Refusal.NOTHING_TO_UNDO, session_view(row, group))
        session.add(_audit(row, subject_id, actor_id, "undo", now, None))
        await best_marks.rewrite(session, subject_id)
        return session_view(row, group)


async def mark_no_show(
    db: Database, chat_id: int, subject: Person, actor_id: int, now: datetime
) -> SessionView:
    """A coach marks a member who said In but did not come (replacing any report)."""
    async with db.sessions.begin() as session:
        group, row = await _reporting(session, chat_id, now)
        await remember(session, subject, chat_id, now)
        await session.execute(
            delete(Result).where(Result.session_id == row.id, Result.user_id == subject.user_id)
        )
        session.add(
            Result(
                session_id=row.id,
                user_id=subject.user_id,
                status=NO_SHOW,
                reported_by=actor_id,
                created_at=now,
                updated_at=now,
            )
        )
        session.add(_audit(row, subject.user_id, actor_id, "no_show", now, None))
        await best_marks.rewrite(session, subject.user_id)
        return session_view(row, group)
