"""Results boards on both backends: who reported, PBs of the day, board times, query count."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import make_url

from db import boards, results, rsvps, sessions
from db.engine import Database
from db.models import Group, Member, Session
from db.views import SessionView
from domain.notation import parse_workout, workout_to_dict
from domain.report import parse_report
from domain.rsvp import Answer
from tests.db.helpers import CHAT, NOW, runner, set_up_group

WORKOUT = "6x800m @5K r90s"


async def week(
    db: Database, at: datetime, ins: tuple[int, ...] = (), notation: str | None = WORKOUT
) -> SessionView:
    """The next session after `at`, with its workout and who said In."""
    session = await sessions.next_session(db, CHAT, at)
    if notation is not None:
        await sessions.set_workout(db, CHAT, notation, workout_to_dict(parse_workout(notation)), at)
    for user_id in ins:
        await rsvps.answer_next(db, CHAT, runner(user_id, f"R{user_id}"), Answer.IN, at, None)
    return session


async def report(db: Database, session: SessionView, user_id: int, text: str) -> None:
    after = session.starts_at + timedelta(hours=2)
    await results.save_report(
        db, CHAT, runner(user_id, f"R{user_id}"), user_id, parse_report(text), after
    )


async def make_private(db: Database, user_id: int) -> None:
    async with db.sessions.begin() as s:
        await s.execute(update(Member).where(Member.user_id == user_id).values(private=True))


async def test_the_board_shows_reports_going_no_shows_and_pbs_of_the_day(db: Database) -> None:
    await set_up_group(db)
    first = await week(db, NOW, ins=(1, 2))
    await report(db, first, 1, "2:45 " * 6)
    second = await week(db, first.starts_at + timedelta(hours=3), ins=(1, 2, 3, 4))
    await report(db, second, 1, "2:45 2:44 2:43 2:42 2:41 2:35")
    await report(db, second, 3, "2:50 2:50 2:49 2:49 2:48 2:48")
    await results.mark_no_show(db, CHAT, runner(4), 99, second.starts_at + timedelta(hours=2))
    await make_private(db, 3)
    now = second.starts_at + timedelta(days=1)

    board = await boards.board_for(db, CHAT, now)
    assert board.session.id == second.id and board.latest
    assert [r.person.user_id for r in board.going] == [1, 2, 3, 4]
    assert [r.runner.person.user_id for r in board.results] == [1, 3]
    assert [r.runner.private for r in board.results] == [False, True]
    assert board.no_shows == 1
    ann = board.results[0]
    assert [s.ms for s in ann.checked.splits][-1] == 155000
    assert all(s.rep is not None and s.distance_m == 800 for s in ann.checked.splits)
    assert [(b.ms, b.previous.ms if b.previous else None) for b in ann.bests.reps] == [
        (155000, 165000)
    ]
    assert ann.bests.average is not None and ann.bests.average.previous is not None
    assert board.results[1].bests.reps[0].first  # Cat's first 800 m

    # An earlier board compares only with what came before it, and is no longer the latest.
    earlier = await boards.board_for(db, CHAT, now, first.starts_at.date())
    assert earlier.session.id == first.id and not earlier.latest
    assert [b.first for b in earlier.results[0].bests.reps] == [True]


async def test_boards_refuse_politely(db: Database) -> None:
    with pytest.raises(boards.BoardRefused) as unknown:
        await boards.board_for(db, CHAT, NOW)
    assert unknown.value.reason is boards.NoBoard.NOT_SET_UP
    session = await set_up_group(db)
    with pytest.raises(boards.BoardRefused) as none:
        await boards.board_for(db, CHAT, NOW)
    assert none.value.reason is boards.NoBoard.NO_SESSION
    with pytest.raises(boards.BoardRefused) as not_yet:
        await boards.board_for(db, CHAT, NOW, session.starts_at.date())
    assert not_yet.value.reason is boards.NoBoard.NOT_YET
    with pytest.raises(boards.BoardRefused) as wrong_day:
        await boards.board_for(db, CHAT, NOW, date(2026, 11, 24))
    assert wrong_day.value.reason is boards.NoBoard.NO_SESSION
    await sessions.cancel_next(db, CHAT, None, NOW)
    with pytest.raises(boards.BoardRefused) as cancelled:
        await boards.board_for(db, CHAT, session.starts_at + timedelta(days=1), date(2026, 12, 1))
    assert cancelled.value.reason is boards.NoBoard.CANCELLED


async def test_report_call_knows_who_to_nudge(db: Database) -> None:
    await set_up_group(db, CHAT, ("capacity", "2"))
    session = await week(db, NOW, ins=(1, 2, 3))  # 3 is on the waitlist
    async with db.sessions.begin() as s:
        await s.execute(update(Member).values(can_dm=True))
    await report(db, session, 2, "2:45 " * 6)
    call = await boards.report_call(db, session.id)
    assert call is not None
    assert [r.person.user_id for r in call.going] == [1, 2]
    assert [p.user_id for p in call.to_nudge()] == [1]
    assert call.board_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    # A member a coach marked a no-show is neither thanked nor nudged.
    await results.mark_no_show(db, CHAT, runner(1), 99, session.starts_at + timedelta(hours=2))
    call = await boards.report_call(db, session.id)
    assert call is not None and [r.person.user_id for r in call.going] == [2]
    assert call.to_nudge() == ()


def _group(**values: Any) -> Group:
    defaults: dict[str, Any] = {
        "chat_id": CHAT,
        "timezone": "Europe/London",
        "duration_min": 90,
        "board_time": "09:00",
        "board_days_after": 1,
    }
    return Group(**(defaults | values))


def test_board_time_is_local_and_dst_safe() -> None:
    saturday = Session(starts_at=datetime(2026, 3, 28, 10, 0, tzinfo=UTC))  # clocks go forward
    assert boards.board_time(saturday, _group()) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    autumn = Session(starts_at=datetime(2026, 10, 24, 10, 0, tzinfo=UTC))  # and back
    assert boards.board_time(autumn, _group()) == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    tuesday = Session(starts_at=datetime(2026, 12, 1, 18, 30, tzinfo=UTC))
    same_evening = _group(board_time="21:00", board_days_after=0)
    assert boards.board_time(tuesday, same_evening) == datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    # A board time before the end of the session moves on to the next day.
    too_early = _group(board_time="19:00", board_days_after=0)
    assert boards.board_time(tuesday, too_early) == datetime(2026, 12, 2, 19, 0, tzinfo=UTC)
    new_york = _group(timezone="America/New_York", board_days_after=2)
    assert boards.board_time(tuesday, new_york) == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


async def test_plan_carries_the_latest_started_session_and_its_done_posts(db: Database) -> None:
    from db import claims

    session = await set_up_group(db)
    plan = await sessions.plan_group(db, CHAT, NOW)
    assert plan is not None and plan.reporting is None and plan.board_at is None
    during = session.starts_at + timedelta(minutes=30)
    plan = await sessions.plan_group(db, CHAT, during)
    assert plan is not None and plan.reporting is not None
    assert plan.reporting.id == session.id and plan.session.id != session.id
    assert plan.board_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert plan.reporting_posts == frozenset()
    assert await claims.claim(db, session.id, boards.REPORT_PROMPT, CHAT, during)
    plan = await sessions.plan_group(db, CHAT, during)
    assert plan is not None and plan.reporting_posts == frozenset()  # claimed, not yet sent
    await claims.record_sent(db, session.id, boards.REPORT_PROMPT, CHAT, 7, during)
    plan = await sessions.plan_group(db, CHAT, during)
    assert plan is not None and plan.reporting_posts == {boards.REPORT_PROMPT}


@contextmanager
def statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_the_board_costs_the_same_few_indexed_queries_for_any_number_of_runners(
    db: Database, database_url: str
) -> None:
    await set_up_group(db)
    first = await week(db, NOW, ins=tuple(range(1, 13)))
    for user_id in range(1, 13):
        await report(db, first, user_id, "2:45 " * 6)
    second = await week(db, first.starts_at + timedelta(hours=3), ins=tuple(range(1, 13)))
    await report(db, second, 1, "2:40 " * 6)
    later = second.starts_at + timedelta(days=1)

    with statements(db) as small:
        await boards.board_for(db, CHAT, later)
    for user_id in range(2, 13):
        await report(db, second, user_id, "2:40 " * 6)
    with statements(db) as large:
        board = await boards.board_for(db, CHAT, later)
    assert len(board.results) == 12 and all(r.bests.reps for r in board.results)
    assert len(large) == len(small) <= 6

    if make_url(database_url).get_backend_name() != "sqlite":
        return
    connection = sqlite3.connect(make_url(database_url).database or "")
    try:
        for statement, parameters in large:
            plan = connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            scans = [row[3] for row in plan if str(row[3]).startswith("SCAN")]
            # Only the tiny `groups` lookup by primary key may appear; no table is scanned.
            assert not scans, (statement, scans)
    finally:
        connection.close()
