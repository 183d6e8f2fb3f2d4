"""Shared by the handler-level reliability suites (hostile input, fuzz, authorization,
privacy, DST): database snapshots, a sender that checks every reply, a prepared two-club
world, and a driver that runs the JobQueue's own jobs in time order on the harness clock.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import make_url

from db import sessions
from db.models import Session
from handlers.errors import SORRY
from tests.fake_api.models import Call, Message
from tests.handlers.conftest import ADMIN, ANN, BOB, CAT, DAN, GROUP, Harness

COMMANDS = (
    "start",
    "help",
    "next",
    "in",
    "maybe",
    "out",
    "settings",
    "remind",
    "set",
    "setup",
    "workout",
    "announce",
    "cancel",
    "move",
    "coach",
    "report",
    "me",
    "pb",
    "progress",
    "race",
    "private",
    "results",
    "attendance",
    "export",
    "pace",
    "benchmark",
    "targets",
    "groups",
    "profile",
)

# (user, chat). Ann has answered in the group, so her private chat knows her club; the
# admin never has, so his does not.
WHO = ((ADMIN, GROUP), (ANN, GROUP), (ADMIN, ADMIN), (ANN, ANN))

HOSTILE_ARGUMENTS = (
    "",
    " \t\n  ",
    "banana purple monkey dishwasher",
    "x" * 5000,
    "word " * 1000,
    "🏃‍♀️🔥💯 🇬🇧 مرحبا بالعالم שלום",
    "\u202eevil\u202c a\u200bb\u200dc\ufeff e\u0301\u0301\u0301 Z\u0334\u0321a\u0337",
    "\x00\x01\x07\x1b[31m red \x7f",
    "<b>bold",
    '</a> <a href="javascript:alert(1)">A & B &amp; &lt; *_[`~|',
    "'; DROP TABLE groups; --",
    "%s %d {0} {} %(x)s {x!r}",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "nan",
    "2026-02-30",
    "²³",
    "g²",
)

# Replies that report a change the user asked for; after anything else nothing may change.
SUCCESS_MARKERS = (
    "✅ Saved.",
    "🏋️ Workout for",
    "🚫 Cancelled the session",
    "📅 Moved the session",
    "You're in",
    "You're already in",
    "Marked as maybe",
    "You're already a maybe",
    "You're out",
    "The session is full",
    "is now a coach",
    "is no longer a coach",
    "Private reminders are on",
    "Private reminders are off",
    "You're linked to",
    "Speed session ·",  # /announce posts the announcement (again)
)

API_METHODS_CHECKED = ("sendMessage", "editMessageText", "answerCallbackQuery")

GROUP2 = -100777
GROUP2_TITLE = "Tom & Jerry <Runners>"
EVE = 6  # on Telegram, but in neither group
FRED = 7  # a member whose name looks like markup
FRED_NAME = "<b>Fred & </a>"


def succeeded(reply: str) -> bool:
    return any(marker in reply for marker in SUCCESS_MARKERS)


STATE_QUERIES = {
    "groups": "SELECT * FROM groups ORDER BY chat_id",
    "sessions": "SELECT * FROM sessions ORDER BY id",
    "rsvps": "SELECT * FROM rsvps ORDER BY session_id, user_id",
    "coaches": "SELECT group_id, user_id FROM coaches ORDER BY group_id, user_id",
    # A member row with nothing set is the same as none: first contact is no change.
    "members": "SELECT user_id, home_group_id, remind_private FROM members "
    "WHERE home_group_id IS NOT NULL OR remind_private ORDER BY user_id",
    "memberships": "SELECT group_id, user_id FROM memberships ORDER BY group_id, user_id",
}

Snapshot = dict[str, list[tuple[Any, ...]]]


def _database_path(h: Harness) -> str:
    path = make_url(h.services.settings.database_url).database
    assert path
    return path


def state(h: Harness) -> Snapshot:
    """Everything a command could change that anyone would notice.

    Read with plain sqlite3 beside the bot's engine (WAL lets readers in): a snapshot
    after every one of some 1,500 messages has to be cheap.
    """
    with closing(sqlite3.connect(_database_path(h))) as connection:
        return {name: connection.execute(sql).fetchall() for name, sql in STATE_QUERIES.items()}


class Dump:
    """Every row of every table, every column: equal dumps are the same database content.

    One connection, read again only when another connection has committed since the last
    read (SQLite changes `PRAGMA data_version` exactly then), so checking the thousands of
    refused inputs of a fuzz run costs one PRAGMA each, not a dump.
    """

    def __init__(self, h: Harness) -> None:
        self.connection = sqlite3.connect(_database_path(h))
        self.tables = [
            name
            for (name,) in self.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        self.version: int | None = None
        self.last: Snapshot = {}

    def __call__(self, h: Harness) -> Snapshot:
        (version,) = self.connection.execute("PRAGMA data_version").fetchone()
        if version != self.version:
            self.last = {
                table: self.connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
                for table in self.tables
            }
            self.version = version
        return self.last

    def close(self) -> None:
        self.connection.close()


def leave(h: Harness, chat: int, user: int) -> None:
    """The user is not (or no longer) in the group: Telegram reports them as "left"."""
    h.api.chats[chat].members.discard(user)


def telegram_said_no(call: Call, methods: tuple[str, ...] | None) -> bool:
    """A call the fake refused that is the bot's mistake (`methods` None: any method).

    Not a mistake: an identical re-render ("not modified"); looking up an id someone typed
    that is nobody ("user not found"); a private message to someone who never started the
    bot (403), which is how the bot finds out before it falls back to the group.
    """
    if call.ok or (methods is not None and call.method not in methods):
        return False
    description = call.description or ""
    if "message is not modified" in description:
        return False
    if call.method == "getChatMember" and "user not found" in description:
        return False
    return not (call.status == 403 and int(call.params.get("chat_id", 0)) > 0)


@dataclass
class Watch:
    """Sends and taps, checking each: no apology, no error logs, no rejected API call."""

    h: Harness
    caplog: pytest.LogCaptureFixture
    calls_seen: int = 0
    records_seen: int = 0
    undo_cancel: bool = True
    ids: dict[str, int] = field(default_factory=dict)
    # What "changed nothing" compares, and which refused Bot API calls count as mistakes.
    snapshot: Callable[[Harness], Snapshot] = state
    api_methods: tuple[str, ...] | None = API_METHODS_CHECKED
    accepted: Callable[[str], bool] = succeeded
    # Users who act in a group they are not in (a forged update, or they left meanwhile).
    outsiders: frozenset[int] = frozenset()
    inputs: int = 0

    def errors(self) -> list[str]:
        """ERROR records since the last check (so each hypothesis example stands alone)."""
        records = self.caplog.get_records("call")[self.records_seen :]
        self.records_seen += len(records)
        return [f"{r.name}: {r.getMessage()}" for r in records if r.levelno >= logging.ERROR]

    def rejected_calls(self) -> list[str]:
        calls = self.h.api.calls[self.calls_seen :]
        self.calls_seen += len(calls)
        return [
            f"{c.method} {c.status} {c.description}"
            for c in calls
            if telegram_said_no(c, self.api_methods)
        ]

    def check_clean(self, what: str) -> None:
        assert not (errors := self.errors()), f"{what}: error logged: {errors}"
        assert not (rejected := self.rejected_calls()), f"{what}: Telegram said no: {rejected}"

    def _as_outsider(self, user: int, chat: int) -> None:
        if user in self.outsiders and chat < 0:
            leave(self.h, chat, user)

    async def say(
        self,
        user: int,
        message: str,
        chat: int = GROUP,
        reply_to: int | None = None,
        *,
        answered: bool = True,
    ) -> str:
        """Send; the reply is friendly, and rejected input changed nothing.

        `answered=False` for messages no handler takes (unknown commands, another bot's).
        """
        what = f"{message[:60]!r} from {user} in {chat}"
        before = self.snapshot(self.h)
        mark = self.h.api.message_mark(chat)  # message ids count from 1 in each chat
        update_json = self.h.api.user_sends(user, chat, message, reply_to=reply_to)
        self._as_outsider(user, chat)
        self.inputs += 1
        await self.h.feed(update_json)
        since = self.h.api.messages_in(chat, include_deleted=True)[mark:]
        new = [m for m in since if m.from_bot and not m.deleted]
        reply = new[-1].plain_text or new[-1].caption or "" if new else ""
        self.check_clean(what)
        assert reply.strip() or not answered, f"{what}: no reply"
        assert all(SORRY not in (m.plain_text or "") for m in new), f"{what}: apologised"
        if not self.accepted(reply):
            assert self.snapshot(self.h) == before, f"{what}: changed state but said {reply!r}"
        if "🚫 Cancelled the session" in reply and self.undo_cancel:
            await self.uncancel()
        return reply

    async def press(self, user: int, message_id: int, data: str, chat: int = GROUP) -> str:
        """Tap a real button whose callback data was tampered with on the way."""
        what = f"button {data[:80]!r} from {user} in {chat}"
        before = self.snapshot(self.h)
        first = self.h.api.message(chat, message_id).buttons[0]
        update_json = self.h.api.user_presses(user, chat, message_id, data=first["callback_data"])
        update_json["callback_query"]["data"] = data
        self._as_outsider(user, chat)
        self.inputs += 1
        answer = await self.feed_press(update_json)
        self.check_clean(what)
        assert answer.strip(), f"{what}: empty answer"
        assert SORRY not in answer, what
        if not self.accepted(answer):
            assert self.snapshot(self.h) == before, f"{what}: changed state but said {answer!r}"
        return answer

    async def feed_press(self, update_json: dict[str, Any]) -> str:
        await self.h.feed(update_json)
        answers = self.h.api.callback_answers_for(update_json["callback_query"]["id"])
        assert len(answers) == 1, f"answered {len(answers)} times: {answers}"
        return str(answers[0].get("text", ""))

    async def uncancel(self) -> None:
        """Undo an accepted /cancel so the following inputs meet a live session again."""
        async with self.h.services.db.sessions.begin() as session:
            await session.execute(
                update(Session)
                .where(Session.group_id == GROUP)
                .values(cancelled_at=None, cancel_reason=None)
            )
        current = await sessions.next_session(self.h.services.db, GROUP, self.h.clock.now)
        refresher = self.h.services.refresher
        assert refresher is not None
        refresher.mark(current.id)
        await refresher.settle()


def announcement_id(h: Harness, chat: int = GROUP) -> int:
    posted = [m for m in h.api.bot_messages_to(chat) if "Speed session ·" in (m.plain_text or "")]
    assert posted, h.bot_texts(chat)
    return posted[-1].message_id


async def prepare(w: Watch) -> None:
    """A set-up group with a workout, an announcement, answers, and a second group."""
    h = w.h
    h.api.add_user(EVE, "Eve")
    h.api.add_user(FRED, FRED_NAME, last_name="*_[`")
    h.api.add_group(GROUP2, GROUP2_TITLE, admins=[DAN], members=[ANN])
    for command in (
        "/set day tue",
        "/set time 18:30",
        "/set place The <track> & field",
        "/set guests on",
        "/workout 6x800m @5K r90s",
        "/workout 2026-12-08 3x1mi @T r2:00",  # next week's session exists too
        "/announce",
    ):
        assert succeeded(await w.say(ADMIN, command)), command
    for user, command in ((ANN, "/in running late"), (BOB, "/maybe"), (CAT, "/out")):
        await w.say(user, command)
    await w.say(ANN, "/start", chat=ANN)
    for command in ("/set day thu", "/announce"):
        assert succeeded(await w.say(DAN, command, chat=GROUP2)), command
    db, now = h.services.db, h.clock.now
    this = await sessions.next_session(db, GROUP, now)
    async with db.sessions() as session:
        later = (
            await session.execute(
                text("SELECT id FROM sessions WHERE group_id = :g AND id != :this"),
                {"g": GROUP, "this": this.id},
            )
        ).scalar_one()
    w.ids = {
        "this": this.id,
        "next": later,  # next week's, in the same group
        "other": (await sessions.next_session(db, GROUP2, now)).id,
        "gone": 10**9,
        "announcement": announcement_id(h),
        "announcement2": announcement_id(h, GROUP2),
    }


# --- the JobQueue, run on the harness clock --------------------------------------------------


@dataclass(frozen=True)
class Fired:
    """One job the driver ran: its name, when (harness clock) and what it posted in its chat."""

    name: str
    at: datetime
    session_id: int | None
    posted: tuple[Message, ...]


async def run_jobs(h: Harness, until: datetime, sweep_every: timedelta) -> list[Fired]:
    """Run every job the bot has queued, in time order, until `until`; what ran.

    The harness never starts the JobQueue (its scheduler would follow the real clock), so
    this does what the running queue does: take the earliest due job off the queue, set the
    clock to its run date, and run the bot's own callback with `Job.run`, which re-plans
    the following jobs through the real scheduler. The repeating sweep's trigger follows the
    real clock, so the sweep job is run every `sweep_every` of simulated time instead.
    """
    queue = h.app.job_queue
    assert queue is not None
    (sweep,) = queue.get_jobs_by_name("sweep")
    next_sweep = h.clock.now + sweep_every
    fired: list[Fired] = []
    while True:
        due = sorted(
            (
                (job.job.trigger.run_date, job.name or "", job)
                for job in queue.jobs()
                if job.name != "sweep"
            ),
            key=lambda entry: entry[:2],
        )
        if due and due[0][0] <= min(next_sweep, until):
            when, name, job = due[0]
            assert when >= h.clock.now, f"{name} was planned in the past: {when}"
            h.clock.now = when
            chat = job.chat_id
            assert isinstance(chat, int)
            mark = h.api.message_mark(chat)
            job.schedule_removal()  # as APScheduler does with a one-off job before running it
            await job.run(h.app)
            await h.settle()
            posted = tuple(
                m for m in h.api.messages_in(chat, include_deleted=True)[mark:] if m.from_bot
            )
            data = job.data if isinstance(job.data, int) else None
            fired.append(Fired(name, when, data, posted))
        elif next_sweep <= until:
            h.clock.now = next_sweep
            await sweep.run(h.app)
            next_sweep += sweep_every
        else:
            h.clock.now = until
            return fired
