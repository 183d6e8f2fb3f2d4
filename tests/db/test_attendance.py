"""Season attendance with limited places, and what a call costs, on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from db import attendance, groups, results
from db.engine import Database
from tests.db.helpers import CHAT, NOW, runner, set_up_group
from tests.db.test_attendance_export import ANN, BOB, CAT, three_weeks
from tests.db.test_boards import report, week


async def test_a_capacity_nobody_reaches_changes_nothing(db: Database) -> None:
    """Without a capacity the answers are not allocated: the outcome must be the same."""
    weeks = await three_weeks(db)
    now = weeks[4].starts_at + timedelta(days=1)
    unlimited = await attendance.season_attendance(db, CHAT, now)
    await groups.set_setting(db, CHAT, "capacity", "10", now)
    limited = await attendance.season_attendance(db, CHAT, now)
    assert unlimited is not None and limited is not None
    assert (limited.sessions, limited.members) == (unlimited.sessions, unlimited.members)


async def test_a_report_counts_from_the_waitlist_and_a_no_show_holds_the_session(
    db: Database,
) -> None:
    await set_up_group(db, CHAT, ("capacity", "1"))
    one = await week(db, NOW, ins=(ANN, BOB))  # Bob waits, but comes and reports
    await report(db, one, BOB, "2:45 " * 6)
    two = await week(db, one.starts_at + timedelta(hours=3), ins=(ANN, CAT))  # Cat waits
    await results.mark_no_show(db, CHAT, runner(ANN, "R1"), 99, two.starts_at + timedelta(hours=2))
    season = await attendance.season_attendance(db, CHAT, two.starts_at + timedelta(days=1))
    assert season is not None
    assert len(season.sessions) == 2
    assert [
        (m.runner.person.user_id, m.attended, m.reported, m.no_shows, m.streak)
        for m in season.members
    ] == [(ANN, 1, 0, 1, 0), (BOB, 1, 1, 0, 0)]


async def statements(db: Database, now: datetime) -> int:
    """SQL statements one call sends, SQLite's BEGIN IMMEDIATE aside."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        if not args[2].startswith("BEGIN"):
            sent.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        season = await attendance.season_attendance(db, CHAT, now)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert season is not None and season.members
    return len(sent)


@pytest.mark.parametrize("capacity", [None, "10"])
async def test_statements_per_call_do_not_grow_with_the_season(
    db: Database, capacity: str | None
) -> None:
    weeks = await three_weeks(db)
    if capacity is not None:
        await groups.set_setting(db, CHAT, "capacity", capacity, NOW)
    first_week = await statements(db, weeks[0].starts_at + timedelta(hours=1))
    season = await statements(db, weeks[4].starts_at + timedelta(days=1))
    assert first_week == season == 5  # group, sessions, In answers, results, members
