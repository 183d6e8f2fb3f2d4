"""Reported times on both backends: save, replace, undo, no-shows, bests, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import groups, results, sessions
from db.engine import Database
from db.models import RepTime, ResultChange
from db.views import Refusal, Refused
from domain.errors import InputProblem
from domain.notation import parse_workout, workout_to_dict
from domain.report import parse_report
from tests.db.helpers import CHAT, NOW, runner, set_up_group

COACH = 99


async def _session_done(db: Database, notation: str | None = "6x800m @5K r90s"):
    session = await set_up_group(db)
    if notation:
        await sessions.set_workout(
            db, CHAT, notation, workout_to_dict(parse_workout(notation)), NOW
        )
    return session, session.starts_at + timedelta(hours=2)


async def test_nothing_to_report_before_the_first_session(db: Database) -> None:
    await set_up_group(db)
    with pytest.raises(Refused) as refused:
        await results.report_target(db, CHAT, NOW)
    assert refused.value.reason is Refusal.NOTHING_TO_REPORT


async def test_a_report_is_stored_exactly_and_sets_first_bests(db: Database) -> None:
    session, after = await _session_done(db)
    report = parse_report("2:45 2:43.5 2:41 2:40 2:38 2:35 # windy")
    saved = await results.save_report(db, CHAT, runner(1), 1, report, after)
    assert saved.target.session.id == session.id and not saved.replaced
    assert [s.ms for s in saved.checked.splits] == [165000, 163500, 161000, 160000, 158000, 155000]
    assert saved.checked.mismatch is None
    assert [(b.distance_m, b.ms) for b in saved.bests.reps] == [(800.0, 155000)]
    assert saved.bests.average is not None and saved.bests.average.shape == "6x800m"
    async with db.sessions() as s:
        stored = (await s.execute(select(RepTime.ms).order_by(RepTime.position))).scalars().all()
    assert stored == [165000, 163500, 161000, 160000, 158000, 155000]


async def test_reporting_again_replaces_and_bests_compare_with_earlier_weeks(db: Database) -> None:
    _, after = await _session_done(db)
    await results.save_report(db, CHAT, runner(1), 1, parse_report("2:40 " * 6), after)
    again = await results.save_report(db, CHAT, runner(1), 1, parse_report("2:50 " * 6), after)
    assert again.replaced and again.bests.reps  # the replaced report is not history
    # Next week, a faster 800 is a PB against the stored week.
    next_week = await sessions.next_session(db, CHAT, after)
    await sessions.set_workout(db, CHAT, "6x800m", workout_to_dict(parse_workout("6x800m")), after)
    later = next_week.starts_at + timedelta(hours=2)
    faster = await results.save_report(
        db, CHAT, runner(1), 1, parse_report("2:45 " * 5 + "2:30"), later
    )
    assert [(b.ms, b.previous.ms if b.previous else None) for b in faster.bests.reps] == [
        (150000, 170000)
    ]
    slower = await results.save_report(db, CHAT, runner(1), 1, parse_report("2:55 " * 6), later)
    assert slower.bests.reps == () and slower.bests.average is None


async def test_impossible_splits_are_refused_and_nothing_is_stored(db: Database) -> None:
    _, after = await _session_done(db)
    with pytest.raises(InputProblem):
        await results.save_report(db, CHAT, runner(1), 1, parse_report("0:40 " * 6), after)
    async with db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(RepTime))).scalar_one() == 0


async def test_a_short_report_is_marked_as_a_mismatch(db: Database) -> None:
    _, after = await _session_done(db)
    target = await results.report_target(db, CHAT, after)
    checked = results.check(target, parse_report("2:45 2:43"))
    assert checked.mismatch is not None
    assert (checked.mismatch.expected, checked.mismatch.given) == (6, 2)


async def test_undo_and_no_show_are_audited(db: Database) -> None:
    _, after = await _session_done(db, None)
    await results.save_report(db, CHAT, runner(1), COACH, parse_report("5:00 5:10"), after)
    await results.undo_report(db, CHAT, 1, 1, after)
    with pytest.raises(Refused) as nothing:
        await results.undo_report(db, CHAT, 1, 1, after)
    assert nothing.value.reason is Refusal.NOTHING_TO_UNDO
    await results.mark_no_show(db, CHAT, runner(2), COACH, after)
    async with db.sessions() as s:
        changes = (
            await s.execute(
                select(ResultChange.action, ResultChange.user_id, ResultChange.actor_id).order_by(
                    ResultChange.id
                )
            )
        ).all()
    assert [tuple(c) for c in changes] == [
        ("report", 1, COACH),
        ("undo", 1, 1),
        ("no_show", 2, COACH),
    ]


async def test_cancelled_sessions_take_no_reports(db: Database) -> None:
    session = await set_up_group(db)
    await sessions.cancel_next(db, CHAT, None, NOW)
    with pytest.raises(Refused):
        await results.report_target(db, CHAT, session.starts_at + timedelta(hours=1))
    assert await groups.get_group(db, CHAT) is not None
