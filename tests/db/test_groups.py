"""Group settings use cases on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from db import claims, groups, members, rsvps, sessions
from db.engine import Database
from db.sessions import ANNOUNCEMENT
from domain.errors import InputProblem
from domain.rsvp import Answer
from tests.db.helpers import runner, set_up_group

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
CHAT = -1001


async def test_new_group_gets_defaults_and_is_not_scheduled(db: Database) -> None:
    group = await groups.ensure_group(db, CHAT, "Harriers", "Europe/London", NOW)
    assert group.weekday == 1 and group.start_time == time(18, 30)
    assert group.timezone == "Europe/London"
    assert not group.configured
    assert await sessions.plan_all(db, NOW) == []


async def test_ensure_group_is_idempotent_and_keeps_title_fresh(db: Database) -> None:
    await groups.ensure_group(db, CHAT, "Harriers", "Europe/London", NOW)
    await groups.set_setting(db, CHAT, "day", "thu", NOW)
    again = await groups.ensure_group(db, CHAT, "Harriers AC", "America/New_York", NOW)
    assert again.title == "Harriers AC"
    assert again.weekday == 3
    assert again.timezone == "Europe/London"


@pytest.mark.parametrize(
    ("key", "value", "check"),
    [
        ("day", "Thursday", lambda g: g.weekday == 3),
        ("time", "06:45", lambda g: g.start_time == time(6, 45)),
        ("tz", "america/new_york", lambda g: g.timezone == "America/New_York"),
        ("place", "  The   track ", lambda g: g.place == "The track"),
        ("location", "51.5074,-0.1278", lambda g: (g.latitude, g.longitude) == (51.5074, -0.1278)),
        ("announce", "72h", lambda g: g.announce_lead == timedelta(hours=72)),
        ("reminder", "90m", lambda g: g.reminder_lead == timedelta(minutes=90)),
        ("duration", "1h30m", lambda g: g.duration == timedelta(minutes=90)),
        ("capacity", "12", lambda g: g.capacity == 12),
        ("guests", "on", lambda g: g.guests_allowed),
    ],
)
async def test_each_setting_is_saved(db: Database, key: str, value: str, check) -> None:
    await groups.ensure_group(db, CHAT, "Harriers", "Europe/London", NOW)
    saved = await groups.set_setting(db, CHAT, key, value, NOW)
    assert check(saved.settings)
    stored = await groups.get_group(db, CHAT)
    assert stored == saved.settings


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("day", "someday"),
        ("time", "25:00"),
        ("tz", "Mars/Olympus"),
        ("location", "91,0"),
        ("announce", "2h"),  # not before the 3 h reminder
        ("reminder", "3d"),  # not after the 48 h announcement
        ("duration", "30s"),
        ("capacity", "-3"),
        ("guests", "perhaps"),
        ("colour", "blue"),
        ("day", ""),
        ("place", "x" * 5000),
    ],
)
async def test_bad_values_are_refused_and_change_nothing(
    db: Database, key: str, value: str
) -> None:
    before = await groups.ensure_group(db, CHAT, "Harriers", "Europe/London", NOW)
    with pytest.raises(InputProblem) as problem:
        await groups.set_setting(db, CHAT, key, value, NOW)
    assert problem.value.message
    assert await groups.get_group(db, CHAT) == before


async def test_changing_the_day_retimes_the_upcoming_session(db: Database) -> None:
    await groups.ensure_group(db, CHAT, "Harriers", "Europe/London", NOW)
    await groups.set_setting(db, CHAT, "day", "tue", NOW)
    first = await sessions.next_session(db, CHAT, NOW)
    assert first.starts_at == datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    saved = await groups.set_setting(db, CHAT, "day", "thu", NOW)
    # The session keeps its week (and its answers and workout) at the new weekday.
    assert [(s.id, s.starts_at) for s in saved.retimed] == [
        (first.id, datetime(2026, 12, 3, 18, 30, tzinfo=UTC))
    ]
    # This week's Thursday is still ahead, so it becomes the next session.
    tomorrow = await sessions.next_session(db, CHAT, NOW)
    assert tomorrow.starts_at == datetime(2026, 11, 26, 18, 30, tzinfo=UTC)


async def test_a_new_time_already_past_this_week_keeps_the_session(db: Database) -> None:
    monday_morning = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    await groups.ensure_group(db, CHAT, "Harriers", "Europe/London", monday_morning)
    await groups.set_setting(db, CHAT, "day", "tue", monday_morning)
    await groups.set_setting(db, CHAT, "time", "08:00", monday_morning)
    session = await sessions.next_session(db, CHAT, monday_morning)
    assert session.starts_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    saved = await groups.set_setting(db, CHAT, "day", "mon", monday_morning)  # Mon 08:00 has passed
    assert [s.id for s in saved.kept] == [session.id]
    kept = await sessions.next_session(db, CHAT, monday_morning)
    assert (kept.id, kept.starts_at) == (session.id, session.starts_at)


async def test_set_active_stops_planning(db: Database) -> None:
    await groups.ensure_group(db, CHAT, "Harriers", "Europe/London", NOW)
    await groups.set_setting(db, CHAT, "time", "18:30", NOW)
    assert len(await sessions.plan_all(db, NOW)) == 1
    await groups.set_active(db, CHAT, False)
    assert await sessions.plan_all(db, NOW) == []


async def test_migration_to_a_supergroup_carries_everything_over(db: Database) -> None:
    session = await set_up_group(db)
    await rsvps.answer_next(db, CHAT, runner(1), Answer.IN, NOW, "late")
    await members.add_coach(db, CHAT, runner(2), 1, NOW)
    new_chat = -100_777
    assert await groups.migrate_group(db, CHAT, new_chat)
    assert not await groups.migrate_group(db, CHAT, new_chat)
    assert await groups.get_group(db, CHAT) is None
    moved = await groups.get_group(db, new_chat)
    assert moved is not None and moved.weekday == 1 and moved.configured
    same = await sessions.next_session(db, new_chat, NOW)
    assert same.id == session.id
    board = await rsvps.board(db, session.id)
    assert board is not None and [e.note for e in board.entries] == ["late"]
    assert await members.is_coach(db, new_chat, 2)
    assert await members.home_group(db, 1) == new_chat
    assert not await claims.claim(db, session.id, ANNOUNCEMENT, new_chat, NOW)
