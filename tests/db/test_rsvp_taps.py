"""The RSVP fast path (db.rsvp_taps) on both backends: rules, statement counts, batching."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from db import claims, groups, rsvps, sessions
from db.convert import group_settings, person, session_view
from db.engine import Database, is_sqlite
from db.models import Group, Member, Membership, Rsvp, Session
from db.rsvp_taps import Tap, TapWriter
from db.sessions import ANNOUNCEMENT
from db.views import Refusal, Refused
from domain.notation import parse_workout, workout_to_dict
from domain.rsvp import Answer, Reply, allocate, promoted
from tests.db.helpers import ANNOUNCEMENT_MESSAGE, CHAT, NOW, runner, set_up_group

WRITES = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@pytest.fixture
def statements(database_url: str, db: Database) -> Iterator[list[str]]:
    """Every SQL statement sent to the database (SQLite: as SQLite runs them)."""
    seen: list[str] = []

    def on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(seen.append)

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "connect", on_sqlite_connect)
    event.listen(db.engine.sync_engine, "before_cursor_execute", on_execute)
    yield seen
    event.remove(Engine, "connect", on_sqlite_connect)
    event.remove(db.engine.sync_engine, "before_cursor_execute", on_execute)


@pytest.fixture
async def writer(db: Database, database_url: str) -> AsyncIterator[TapWriter]:
    taps = TapWriter(db.engine, database_url)
    yield taps
    await taps.close()


def tap(session_id: int, user_id: int, answer: Answer, minute: int, name: str = "") -> Tap:
    when = NOW + timedelta(minutes=minute)
    return Tap(session_id, CHAT, ANNOUNCEMENT_MESSAGE, runner(user_id, name or None), answer, when)


def queries(seen: list[str]) -> list[str]:
    """Statements that read or write rows (not BEGIN/COMMIT or pragmas).

    SQLite's trace reports a statement again at the start of each trigger
    subprogram it runs: one statement sent, so consecutive repeats count once.
    """
    sent = [s for s in seen if s.lstrip().upper().startswith(WRITES)]
    return [s for i, s in enumerate(sent) if i == 0 or sent[i - 1] != s]


@pytest.mark.parametrize("capacity", [None, "3"])
async def test_a_tap_costs_the_same_few_statements_whatever_the_group_size(
    db: Database, writer: TapWriter, statements: list[str], capacity: str | None
) -> None:
    settings = [("capacity", capacity)] if capacity else []
    session = await set_up_group(db, CHAT, *settings)
    counts = {}
    for size in (2, 60):
        for user in range(1, size + 1):
            await writer.answer(tap(session.id, user, Answer.IN, user))
        statements.clear()
        await writer.answer(tap(session.id, 1, Answer.OUT, 100 + size))  # a known member
        known = len(queries(statements))
        statements.clear()
        await writer.answer(tap(session.id, 1000 + size, Answer.MAYBE, 100 + size))  # a newcomer
        counts[size] = (known, len(queries(statements)))
    assert counts[2] == counts[60], counts
    known, newcomer = counts[60]
    assert known <= 2 and newcomer <= 3, counts


async def test_first_answer_records_the_member_and_their_membership(
    db: Database, writer: TapWriter
) -> None:
    session = await set_up_group(db)
    await writer.answer(tap(session.id, 7, Answer.IN, 1, name="Ann"))
    await writer.answer(tap(session.id, 7, Answer.OUT, 2, name="Annie"))
    async with db.sessions() as read:
        member = await read.get(Member, 7)
        membership = await read.get(Membership, (CHAT, 7))
    assert member is not None and member.first_name == "Annie" and member.home_group_id == CHAT
    assert membership is not None


async def test_a_batch_commits_many_taps_in_few_transactions(
    db: Database, writer: TapWriter
) -> None:
    session = await set_up_group(db, CHAT, ("capacity", "10"))
    outcomes = await asyncio.gather(
        *(writer.answer(tap(session.id, user, Answer.IN, 1)) for user in range(1, 101))
    )
    assert writer.batches < 20
    assert sum(outcome.going for outcome in outcomes) == 10
    board = await rsvps.board(db, session.id)
    assert board is not None and len(board.entries) == 100


async def test_one_refused_tap_in_a_batch_does_not_touch_the_others(
    db: Database, writer: TapWriter
) -> None:
    session = await set_up_group(db)
    stale = Tap(session.id, CHAT, 1, runner(2), Answer.IN, NOW)
    good, refused = await asyncio.gather(
        writer.answer(tap(session.id, 1, Answer.IN, 1)),
        writer.answer(stale),
        return_exceptions=True,
    )
    assert not isinstance(good, BaseException) and good.going
    assert isinstance(refused, Refused)
    board = await rsvps.board(db, session.id)
    assert board is not None and [e.person.user_id for e in board.entries] == [1]


@pytest.mark.parametrize("seed", range(8))
async def test_random_taps_match_the_waitlist_rules(
    db: Database, writer: TapWriter, seed: int
) -> None:
    """Outcomes and the stored board follow domain.rsvp, tap after tap (capacity 3)."""
    session = await set_up_group(db, CHAT, ("capacity", "3"))
    rng = random.Random(seed)
    model: dict[int, Reply] = {}
    for minute in range(1, 25):
        user, answer = rng.randint(1, 6), rng.choice(list(Answer))
        when = NOW + timedelta(minutes=minute)
        old = model.get(user)
        changed = old is None or old.answer is not answer
        before = allocate(model.values(), 3)
        model[user] = Reply(
            user,
            answer,
            0,
            (when if answer is Answer.IN else None) if changed else old.in_since,  # type: ignore[union-attr]
            None,
        )
        after = allocate(model.values(), 3)
        outcome = await writer.answer(tap(session.id, user, answer, minute))
        assert outcome.changed == changed
        assert outcome.going == after.is_going(user)
        assert outcome.waitlist_position == after.position(user)
        expected = [
            s.user_id for s in promoted(before, after) if s.guest == 0 and s.user_id != user
        ]
        assert [p.user_id for p in outcome.promoted] == expected
        board = await rsvps.board(db, session.id)
        assert board is not None
        assert board.allocation == after
        assert {e.person.user_id: e.reply for e in board.entries} == model


async def test_answers_written_by_the_fast_path_read_back_through_the_orm(
    db: Database, writer: TapWriter
) -> None:
    """Same stored formats as the ORM (datetimes, booleans), so every other query reads them."""
    session = await set_up_group(db)
    await writer.answer(tap(session.id, 5, Answer.IN, 3))
    async with db.sessions() as read:
        member = (await read.execute(select(Member).where(Member.user_id == 5))).scalar_one()
    assert member.can_dm is False and member.private is False
    assert member.updated_at == NOW + timedelta(minutes=3)
    board = await rsvps.board(db, session.id)
    assert board is not None
    assert board.entries[0].reply.in_since == NOW + timedelta(minutes=3)


async def test_a_tap_while_the_announcement_is_being_recorded_counts(
    db: Database, writer: TapWriter
) -> None:
    """Telegram shows the message before the bot has recorded its id: that copy is the one."""
    await groups.ensure_group(db, CHAT, "Club", "Europe/London", NOW)
    await groups.set_setting(db, CHAT, "day", "tue", NOW)
    session = await sessions.next_session(db, CHAT, NOW)
    assert await claims.claim(db, session.id, ANNOUNCEMENT, CHAT, NOW)  # sending, not recorded
    outcome = await writer.answer(tap(session.id, 1, Answer.IN, 1))
    assert outcome.going
    await claims.record_sent(db, session.id, ANNOUNCEMENT, CHAT, ANNOUNCEMENT_MESSAGE, NOW)
    with pytest.raises(Refused) as old:
        await writer.answer(Tap(session.id, CHAT, 499, runner(2), Answer.IN, NOW))
    assert old.value.reason is Refusal.STALE_BUTTON


async def test_the_writer_reads_every_announcement_the_state_the_orm_holds(
    db: Database, writer: TapWriter
) -> None:
    """TapWriter.board (what the refresher edits announcements with) against the ORM's rows."""
    settings = [("capacity", "2"), ("guests", "on"), ("place", "Track"), ("location", "51.5,-0.12")]
    session = await set_up_group(db, CHAT, *settings)
    await sessions.set_workout(db, CHAT, "6x800m", workout_to_dict(parse_workout("6x800m")), NOW)
    for user, answer in ((1, Answer.IN), (2, Answer.MAYBE), (3, Answer.IN), (4, Answer.IN)):
        await writer.answer(tap(session.id, user, answer, user))
    await rsvps.change_guests(
        db, session.id, CHAT, ANNOUNCEMENT_MESSAGE, runner(1), 1, NOW + timedelta(minutes=5)
    )
    await rsvps.answer_next(db, CHAT, runner(5), Answer.OUT, NOW + timedelta(minutes=6), "away")
    board = await writer.board(session.id)
    assert board is not None
    async with db.sessions() as read:
        row = await read.get(Session, session.id)
        group = await read.get(Group, CHAT)
        answers = await read.execute(
            select(Rsvp, Member)
            .join(Member, Member.user_id == Rsvp.user_id)
            .where(Rsvp.session_id == session.id)
            .order_by(Rsvp.updated_at, Rsvp.user_id)
        )
        expected = [
            (person(m), rsvp.user_id, rsvp.answer, rsvp.guests, rsvp.note)
            for rsvp, m in answers.all()
        ]
    assert row is not None and group is not None
    assert board.group == group_settings(group) and board.group.latitude == 51.5
    assert board.session == session_view(row, group) and board.session.workout is not None
    assert board.announcement_message_id == ANNOUNCEMENT_MESSAGE
    shown = [
        (e.person, e.reply.user_id, e.reply.answer, e.reply.guests, e.note) for e in board.entries
    ]
    assert shown == expected and [user for _, user, *_ in shown] == [2, 3, 4, 1, 5]
    assert [(s.user_id, s.guest) for s in board.allocation.waitlist] == [(4, 0), (1, 1)]
    assert board == await rsvps.board(db, session.id)


async def test_the_board_of_a_session_nobody_answered_or_of_none(
    db: Database, writer: TapWriter
) -> None:
    session = await set_up_group(db)
    board = await writer.board(session.id)
    assert board is not None and board.entries == () and board.allocation.going == ()
    assert board.announcement_message_id == ANNOUNCEMENT_MESSAGE
    assert board == await rsvps.board(db, session.id)
    assert await writer.board(session.id + 1000) is None
    assert await rsvps.board(db, session.id + 1000) is None


async def test_the_board_read_takes_no_lock_a_batch_of_taps_would_wait_for(
    db: Database, writer: TapWriter, statements: list[str], database_url: str
) -> None:
    """On SQLite every transaction begins IMMEDIATE (the write lock): the read opens none."""
    if not is_sqlite(database_url):
        pytest.skip("SQLite's write lock")
    session = await set_up_group(db)
    await writer.answer(tap(session.id, 1, Answer.IN, 1))
    statements.clear()
    board = await writer.board(session.id)
    assert board is not None and len(board.entries) == 1
    assert [statement.split()[0] for statement in statements] == ["SELECT"]
