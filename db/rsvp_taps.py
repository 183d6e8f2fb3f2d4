"""The RSVP fast path: an In / Maybe / Out tap in at most three SQL statements.

Per tap, whatever the size of the group:
1. one SELECT reads the session, its group, its announcement's message id,
   the member's own row and answer, and — only when the session has a
   capacity — everyone's answers (the waitlist needs them); on PostgreSQL it
   locks the session row, so taps on one session apply one at a time across
   replicas;
2. an upsert of the member, only when they are new or their name changed;
3. an upsert of the answer.
A database trigger (migration 0004) records the membership the first time a
member answers in a group, so that costs no statement here.

The statements are written once in SQLAlchemy Core, compiled once, and run
on the DB-API cursor (`db.prepared`): taps are applied in batches
(`db.group_commit`), one transaction and one flush per batch. SQLite runs
each batch in one worker thread on a plain sqlite3 connection (one thread hop
per batch instead of one per statement); PostgreSQL runs it on asyncpg
through the async engine's `run_sync`.

The announcement refresher reads each board through the writer too
(`TapWriter.board`): on SQLite in the same thread, between batches and outside
any transaction, so an edit never holds the write lock a batch is waiting for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from db import rsvps
from db.engine import is_sqlite, make_sync_sqlite_engine
from db.group_commit import GroupCommit
from db.models import Group, Member, Post, Rsvp, Session
from db.prepared import Prepared
from db.views import Board, Person, Refusal, Refused, RsvpOutcome
from domain.rsvp import Answer, Reply, allocate, promoted


@dataclass(frozen=True)
class Tap:
    """A member pressed In, Maybe or Out on the announcement `message_id` in `chat_id`."""

    session_id: int
    chat_id: int
    message_id: int
    user: Person
    answer: Answer
    now: datetime


_sessions, _groups = Session.__table__, Group.__table__
_posts, _members = Post.__table__.alias("announcement"), Member.__table__.alias("me")
_mine, _everyone = Rsvp.__table__.alias("mine"), Rsvp.__table__.alias("everyone")
_names = Member.__table__.alias("names")


def _read_statement(lock: bool) -> Any:
    statement = (
        select(
            _sessions.c.id,
            _sessions.c.group_id,
            _sessions.c.starts_at,
            _sessions.c.cancelled_at,
            _groups.c.capacity,
            _groups.c.timezone,
            _posts.c.id.label("announcement_claimed"),
            _posts.c.message_id.label("announced_as"),
            _mine.c.answer.label("my_answer"),
            _mine.c.guests.label("my_guests"),
            _mine.c.in_since.label("my_in_since"),
            _mine.c.guests_since.label("my_guests_since"),
            _mine.c.note.label("my_note"),
            _members.c.user_id.label("known_as"),
            _members.c.first_name.label("my_first_name"),
            _members.c.last_name.label("my_last_name"),
            _members.c.username.label("my_username"),
            _members.c.home_group_id.label("my_home_group"),
            _everyone.c.user_id.label("their_id"),
            _everyone.c.answer.label("their_answer"),
            _everyone.c.guests.label("their_guests"),
            _everyone.c.in_since.label("their_in_since"),
            _everyone.c.guests_since.label("their_guests_since"),
            _names.c.first_name.label("their_first_name"),
            _names.c.last_name.label("their_last_name"),
            _names.c.username.label("their_username"),
            _names.c.can_dm.label("their_can_dm"),
            _names.c.private.label("their_private"),
        )
        .select_from(
            rsvps.announced_session(_posts)
            .outerjoin(
                _mine,
                and_(_mine.c.session_id == _sessions.c.id, _mine.c.user_id == bindparam("user")),
            )
            .outerjoin(_members, _members.c.user_id == bindparam("user"))
            .outerjoin(
                _everyone,
                and_(_everyone.c.session_id == _sessions.c.id, _groups.c.capacity.is_not(None)),
            )
            .outerjoin(_names, _names.c.user_id == _everyone.c.user_id)
        )
        .where(_sessions.c.id == bindparam("session"))
    )
    return statement.with_for_update(of=_sessions) if lock else statement


def _insert(dialect: str, model: Any) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def _upsert_member(dialect: str) -> Any:
    columns = ["user_id", "first_name", "last_name", "username", "can_dm", "remind_private"]
    columns += ["private", "home_group_id", "updated_at"]
    insert = _insert(dialect, Member).values({name: bindparam(name) for name in columns})
    return insert.on_conflict_do_update(
        index_elements=[Member.user_id],
        set_={
            "first_name": insert.excluded.first_name,
            "last_name": insert.excluded.last_name,
            "username": insert.excluded.username,
            "updated_at": insert.excluded.updated_at,
            # Private-chat commands act on the first group a member was seen in.
            "home_group_id": func.coalesce(
                Member.__table__.c.home_group_id, insert.excluded.home_group_id
            ),
        },
    )


def _upsert_answer(dialect: str) -> Any:
    columns = ("session_id", "user_id", "answer", "guests", "note", "in_since", "guests_since")
    insert = _insert(dialect, Rsvp).values(
        {name: bindparam(name) for name in (*columns, "updated_at")}
    )
    return insert.on_conflict_do_update(
        index_elements=[Rsvp.session_id, Rsvp.user_id],
        set_={
            name: insert.excluded[name]
            for name in ("answer", "guests", "guests_since", "in_since", "updated_at")
        },
    )


class _Statements:
    """The three statements, and the announcement's board, compiled once (db.prepared)."""

    def __init__(self, dialect: Dialect) -> None:
        self.read = Prepared(_read_statement(lock=dialect.name == "postgresql"), dialect)
        self.upsert_member = Prepared(_upsert_member(dialect.name), dialect)
        self.upsert_answer = Prepared(_upsert_answer(dialect.name), dialect)
        self.board = Prepared(rsvps.BOARD, dialect)


class _Runner:
    """The statements on one DB-API cursor, inside the batch's transaction."""

    def __init__(self, statements: _Statements, cursor: Any) -> None:
        self._statements, self._cursor = statements, cursor

    def read(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        return self._statements.read.rows(self._cursor, values)

    def upsert_member(self, values: dict[str, Any]) -> None:
        self._statements.upsert_member.run(self._cursor, values)

    def upsert_answer(self, values: dict[str, Any]) -> None:
        self._statements.upsert_answer.run(self._cursor, values)


def _reply(row: dict[str, Any]) -> Reply:
    return Reply(
        user_id=row["their_id"],
        answer=Answer(row["their_answer"]),
        guests=row["their_guests"],
        in_since=row["their_in_since"],
        guests_since=row["their_guests_since"],
    )


def _person(row: dict[str, Any]) -> Person:
    return Person(
        user_id=row["their_id"],
        first_name=row["their_first_name"],
        last_name=row["their_last_name"],
        username=row["their_username"],
        can_dm=row["their_can_dm"],
        private=row["their_private"],
    )


def apply_taps(runner: _Runner, taps: Sequence[Tap]) -> list[RsvpOutcome | Exception]:
    """Apply taps in order inside the caller's transaction; a refusal writes nothing."""
    # Lock sessions in one order so two replicas' batches never deadlock; a member's
    # taps on one session keep their order (the sort is stable).
    order = sorted(range(len(taps)), key=lambda index: taps[index].session_id)
    results: dict[int, RsvpOutcome | Exception] = {}
    for index in order:
        tap = taps[index]
        rows = runner.read({"session": tap.session_id, "user": tap.user.user_id})
        results[index] = _apply(runner, tap, rows)
    return [results[index] for index in range(len(taps))]


def _name_changed(row: dict[str, Any], user: Person) -> bool:
    stored = (row["my_first_name"], row["my_last_name"], row["my_username"])
    return stored != (user.first_name[:256], _last_name(user), user.username)


def _last_name(user: Person) -> str | None:
    return user.last_name[:256] if user.last_name else None


def _apply(runner: _Runner, tap: Tap, rows: list[dict[str, Any]]) -> RsvpOutcome | Exception:
    if not rows or rows[0]["group_id"] != tap.chat_id:
        return Refused(Refusal.WRONG_CHAT)
    first = rows[0]
    # Claimed but not yet recorded: the announcement is being posted right now, and the
    # message tapped is that only copy. Never claimed: no announcement has these buttons.
    recording = first["announcement_claimed"] is not None and first["announced_as"] is None
    if not recording and tap.message_id != first["announced_as"]:
        return Refused(Refusal.STALE_BUTTON)
    if first["cancelled_at"] is not None:
        return Refused(Refusal.CANCELLED)
    if first["starts_at"] <= tap.now:
        return Refused(Refusal.STARTED)
    user, now = tap.user, tap.now
    if first["known_as"] is None or first["my_home_group"] is None or _name_changed(first, user):
        runner.upsert_member(
            {
                "user_id": user.user_id,
                "first_name": user.first_name[:256],
                "last_name": _last_name(user),
                "username": user.username,
                "can_dm": False,
                "remind_private": False,
                "private": False,
                "home_group_id": tap.chat_id,
                "updated_at": now,
            }
        )
    previous = Answer(first["my_answer"]) if first["my_answer"] is not None else None
    changed = previous != tap.answer
    queued_from = now if tap.answer is Answer.IN else None
    new = Reply(
        user_id=user.user_id,
        answer=tap.answer,
        # Switching answers resets guests and queues the member from now (domain.rsvp).
        guests=first["my_guests"] if not changed and tap.answer is Answer.IN else 0,
        in_since=first["my_in_since"] if not changed else queued_from,
        guests_since=first["my_guests_since"] if not changed else None,
    )
    runner.upsert_answer(
        {
            "session_id": first["id"],
            "user_id": user.user_id,
            "answer": tap.answer.value,
            "guests": new.guests,
            "note": first["my_note"],
            "in_since": new.in_since,
            "guests_since": new.guests_since,
            "updated_at": now,
        }
    )
    capacity = first["capacity"]
    lucky: tuple[Person, ...] = ()
    if capacity is None:  # everyone In is going: no waitlist, nobody to promote
        after = allocate([new], None)
    else:
        replies = [_reply(row) for row in rows if row["their_id"] is not None]
        before = allocate(replies, capacity)
        after = allocate([r for r in replies if r.user_id != user.user_id] + [new], capacity)
        people = {row["their_id"]: _person(row) for row in rows if row["their_id"] is not None}
        lucky = tuple(
            people[seat.user_id]
            for seat in promoted(before, after)
            if seat.guest == 0 and seat.user_id != user.user_id
        )
    return RsvpOutcome(
        session_id=first["id"],
        chat_id=first["group_id"],
        starts_at=first["starts_at"],
        timezone=first["timezone"],
        answer=tap.answer,
        guests=new.guests,
        changed=changed,
        going=after.is_going(user.user_id),
        waitlist_position=after.position(user.user_id),
        promoted=lucky,
    )


class TapWriter:
    """Taps in, outcomes out, committed in batches (see db.group_commit)."""

    def __init__(self, async_engine: AsyncEngine, url: str) -> None:
        self._async_engine = async_engine
        self._sync_engine: Engine | None = None
        self._thread: ThreadPoolExecutor | None = None
        if is_sqlite(url):
            self._sync_engine = make_sync_sqlite_engine(url)
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="taps")
        dialect = (self._sync_engine or async_engine.sync_engine).dialect
        self._statements = _Statements(dialect)
        self._commits: GroupCommit[Tap, RsvpOutcome] = GroupCommit(self._write)

    async def answer(self, tap: Tap) -> RsvpOutcome:
        """The outcome of the tap, committed; raises Refused when it was refused."""
        return await self._commits.submit(tap)

    async def board(self, session_id: int) -> Board | None:
        """What the session's announcement should show, as committed now (db.rsvps.BOARD).

        For the refresher, which reads this for every edit: on SQLite it runs in the
        writer thread between batches, on a plain connection outside any transaction (one
        statement is one snapshot), so it sees every batch committed before it and takes
        no lock a batch would wait for (a transaction here would: BEGIN IMMEDIATE).
        """
        values = {"session": session_id}
        if self._sync_engine is not None:
            rows = await asyncio.get_running_loop().run_in_executor(
                self._thread, _read_sqlite, self._sync_engine, self._statements.board, values
            )
        else:
            async with self._async_engine.connect() as connection:
                rows = await connection.run_sync(_read, self._statements.board, values)
        return rsvps.board_from_rows(rows)

    @property
    def batches(self) -> int:
        return self._commits.batches

    async def _write(self, taps: Sequence[Tap]) -> list[RsvpOutcome | Exception]:
        if self._sync_engine is not None:
            return await asyncio.get_running_loop().run_in_executor(
                self._thread, _write_sqlite, self._sync_engine, self._statements, taps
            )
        async with self._async_engine.begin() as connection:
            return await connection.run_sync(_write_batch, self._statements, taps)

    async def close(self) -> None:
        await self._commits.wait_idle()
        if self._thread is not None:
            self._thread.shutdown(wait=True)
        if self._sync_engine is not None:
            self._sync_engine.dispose()


def _read_sqlite(
    engine: Engine, statement: Prepared, values: dict[str, Any]
) -> list[dict[str, Any]]:
    """In the writer thread: one SELECT on the DB-API connection, in autocommit mode."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            return statement.rows(cursor, values)
        finally:
            cursor.close()
    finally:
        connection.close()


def _read(
    connection: Connection, statement: Prepared, values: dict[str, Any]
) -> list[dict[str, Any]]:
    """PostgreSQL: one SELECT on the connection's asyncpg cursor (through run_sync)."""
    cursor = connection.connection.cursor()
    try:
        return statement.rows(cursor, values)
    finally:
        cursor.close()


def _write_sqlite(
    engine: Engine, statements: _Statements, taps: Sequence[Tap]
) -> list[RsvpOutcome | Exception]:
    """In the writer thread: one transaction (one flush) for the whole batch."""
    with engine.begin() as connection:
        return _write_batch(connection, statements, taps)


def _write_batch(
    connection: Connection, statements: _Statements, taps: Sequence[Tap]
) -> list[RsvpOutcome | Exception]:
    """On the transaction's own DB-API cursor (PostgreSQL: asyncpg through run_sync)."""
    cursor = connection.connection.cursor()
    try:
        return apply_taps(_Runner(statements, cursor), taps)
    finally:
        cursor.close()
