"""P1: RSVP taps per second through the real Application, against a bare handler.

Both applications are built the same way (the bot's own builder, flood limits
on, the zero-latency stub as the Bot API) and fed the same stream of real
callback-query updates, several in flight at once as PTB's concurrent update
processing would. The bare one only answers each tap; the real one runs the
bot's handlers on a database. Cost per tap is a ratio of the two, measured
in the same run. Durability is checked too: after the run every tap's
acknowledged answer must be the committed row, and a separate pass checks,
at the moment each answer reaches the stub, that the row is already there.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import Engine, event, select
from telegram import Update
from telegram.ext import CallbackQueryHandler

from benchmarks import postgres
from benchmarks.measurement import Measurement
from benchmarks.stub_api import BOT_USER, StubBotApi
from bot import build_application, on_shutdown, on_startup, on_stop
from config.settings import Settings
from db import claims, groups, sessions
from db.engine import Database
from db.migrate import upgrade_to_head_async
from db.models import Rsvp
from db.rsvp_taps import Tap as RsvpTap
from db.rsvp_taps import TapWriter
from db.sessions import ANNOUNCEMENT
from db.views import Person
from domain.rsvp import Answer
from handlers.context import BotApplication, BotContext

TOKEN = "123456:BENCHMARK"
ACTIONS = ("in", "maybe", "out")
IN_FLIGHT = 64  # updates handed to the application at once
CLUBS, MEMBERS_PER_CLUB = 50, 10
ROUNDS = 3
# How each acknowledged answer starts ("You're in", "You're already in", the waitlist...).
ANSWERED = {
    "in": ("You're in", "You're already in", "waitlist"),
    "maybe": ("maybe",),
    "out": ("out",),
}


@dataclass(frozen=True)
class Tap:
    update: dict[str, Any]
    session_id: int
    user_id: int
    action: str


@dataclass(frozen=True)
class Club:
    chat_id: int
    session_id: int
    message_id: int
    members: tuple[int, ...]


def _settings(url: str) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=url,
        telegram_base_url="http://stub.invalid/bot",
        default_timezone="UTC",
    )


async def seed(url: str, clubs: int, members_per_club: int, now: datetime) -> list[Club]:
    """Configured groups, each with next week's session announced."""
    await upgrade_to_head_async(url)
    db = Database.connect(url)
    seeded = []
    try:
        for index in range(clubs):
            chat_id = -1_000_000 - index
            await groups.ensure_group(db, chat_id, f"Club {index}", "UTC", now)
            day = (now + timedelta(days=3)).strftime("%A").lower()
            await groups.set_setting(db, chat_id, "day", day, now)
            await groups.set_setting(db, chat_id, "time", "18:30", now)
            view = await sessions.next_session(db, chat_id, now)
            message_id = 10 + index
            assert await claims.claim(db, view.id, ANNOUNCEMENT, chat_id, now)
            await claims.record_sent(db, view.id, ANNOUNCEMENT, chat_id, message_id, now)
            first = 10_000 + index * members_per_club
            members = tuple(range(first, first + members_per_club))
            seeded.append(Club(chat_id, view.id, message_id, members))
    finally:
        await db.dispose()
    return seeded


def taps(
    clubs: list[Club], count: int, seed_value: int = 7, distinct: bool = False, first_id: int = 1
) -> list[Tap]:
    """Random taps; `distinct`: each member taps at most once (so each answer is final)."""
    rng = random.Random(seed_value)
    pairs = [(club, user_id) for club in clubs for user_id in club.members]
    rng.shuffle(pairs)
    made = []
    for number in range(count):
        club, user_id = pairs[number] if distinct else rng.choice(pairs)
        action = rng.choice(ACTIONS)
        update = {
            "update_id": first_id + number,
            "callback_query": {
                "id": str(first_id + number),
                "from": {"id": user_id, "is_bot": False, "first_name": f"Runner{user_id}"},
                "chat_instance": str(club.chat_id),
                "data": f"rsvp:{club.session_id}:{action}",
                "message": {
                    "message_id": club.message_id,
                    "date": 1_700_000_000,
                    "chat": {"id": club.chat_id, "type": "supergroup", "title": "Club"},
                    "from": BOT_USER,
                    "text": "Speed session",
                },
            },
        }
        made.append(Tap(update, club.session_id, user_id, action))
    return made


async def feed(app: BotApplication, stream: list[Tap]) -> float:
    """Process every tap (IN_FLIGHT at a time); seconds taken."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(tap: Tap) -> None:
        async with gate:
            update = Update.de_json(tap.update, app.bot)
            # As PTB's own update loop does, through the configured update processor.
            await app.update_processor.process_update(update, app.process_update(update))

    started = time.perf_counter()
    await asyncio.gather(*(one(tap) for tap in stream))
    return time.perf_counter() - started


async def bare_handler(update: Update, _context: BotContext) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer("You're in ✅")


async def run_bare(stream: list[Tap], url: str) -> float:
    app = build_application(_settings(url), request=StubBotApi())
    app.handlers.clear()
    app.add_handler(CallbackQueryHandler(bare_handler))
    async with app:
        return await feed(app, stream)


@dataclass
class BotRun:
    seconds: float
    cpu_seconds: float  # process CPU time (all threads) while the taps were fed
    stub: StubBotApi


async def run_bot(
    stream: list[Tap], url: str, watch: Callable[[dict[str, Any]], None] | None
) -> BotRun:
    stub = StubBotApi(on_answer=watch)
    app = build_application(_settings(url), request=stub)
    await app.initialize()
    await on_startup(app)
    try:
        cpu = time.process_time()
        seconds = await feed(app, stream)
        cpu = time.process_time() - cpu
    finally:
        await on_stop(app)
        await app.shutdown()
        await on_shutdown(app)
    return BotRun(seconds, cpu, stub)


async def committed(url: str) -> dict[tuple[int, int], str]:
    db = Database.connect(url)
    try:
        async with db.sessions() as session:
            rows = await session.execute(select(Rsvp.session_id, Rsvp.user_id, Rsvp.answer))
            return {(s, u): a for s, u, a in rows.all()}
    finally:
        await db.dispose()


def lost_taps(stream: list[Tap], answers: dict[str, str], rows: dict[tuple[int, int], str]) -> int:
    """Acknowledged taps whose answer is not what the database holds for that member."""
    last: dict[tuple[int, int], str] = {}
    for tap in stream:
        text = answers.get(tap.update["callback_query"]["id"], "")
        if any(phrase in text for phrase in ANSWERED[tap.action]):
            last[(tap.session_id, tap.user_id)] = tap.action
    return sum(1 for key, action in last.items() if rows.get(key) != action)


def sqlite_watch(
    path: Path, stream: list[Tap]
) -> tuple[Callable[[dict[str, Any]], None], list[str]]:
    """A stub hook that checks, as each answer arrives, that its row is committed."""
    by_id = {tap.update["callback_query"]["id"]: tap for tap in stream}
    reader = sqlite3.connect(path, check_same_thread=False)
    problems: list[str] = []

    def check(params: dict[str, Any]) -> None:
        tap = by_id.get(str(params.get("callback_query_id")))
        text = str(params.get("text", ""))
        if tap is None or not any(phrase in text for phrase in ANSWERED[tap.action]):
            return
        row = reader.execute(
            "SELECT answer FROM rsvps WHERE session_id = ? AND user_id = ?",
            (tap.session_id, tap.user_id),
        ).fetchone()
        if row is None or row[0] != tap.action:
            problems.append(f"tap {tap.update['update_id']} answered before its commit")

    return check, problems


@dataclass(frozen=True)
class Figures:
    taps: int
    bare_seconds: float
    bot_seconds: float
    bot_cpu_seconds: float
    lost: int
    early: int | None  # None when not checked live (PostgreSQL)


async def measure(url: str, count: int, sqlite_path: Path | None, bare_url: str) -> Figures:
    """Seed, then the bare handler and the bot on the same taps, then the durability checks."""
    seeded = await seed(url, CLUBS, MEMBERS_PER_CLUB, datetime.now(UTC))
    # Bare and bot alternate over several rounds; the medians damp a noisy machine.
    bare_runs: list[float] = []
    bot_runs: list[float] = []
    cpu_runs: list[float] = []
    everything: list[Tap] = []
    answers: dict[str, str] = {}
    for round_number in range(ROUNDS):
        stream = taps(seeded, count, seed_value=round_number, first_id=len(everything) + 1)
        bare_runs.append(await run_bare(stream, bare_url))
        real = await run_bot(stream, url, None)
        bot_runs.append(real.seconds)
        cpu_runs.append(real.cpu_seconds)
        everything += stream
        answers.update(real.stub.answers)
    lost = lost_taps(everything, answers, await committed(url))
    early: int | None = None
    if sqlite_path is not None:
        check_stream = taps(seeded, 300, seed_value=11, distinct=True)
        watch, problems = sqlite_watch(sqlite_path, check_stream)
        await run_bot(check_stream, url, watch)
        early = len(problems)
    return Figures(count, median(bare_runs), median(bot_runs), median(cpu_runs), lost, early)


def rows_for(name: str, figures: Figures, goals: bool) -> list[Measurement]:
    per_second = figures.taps / figures.bot_seconds
    ratio = figures.bot_seconds / figures.bare_seconds
    cpu_per_tap_us = figures.bot_cpu_seconds / figures.taps * 1e6
    rows = [
        Measurement(
            name,
            "taps per second",
            per_second,
            "taps/s",
            "≥ 2000" if goals else "",
            per_second >= 2000 if goals else None,
        ),
        Measurement(
            name,
            "cost per tap vs bare handler (same run)",
            ratio,
            "x",
            "≤ 5x" if goals else "",
            ratio <= 5 if goals else None,
        ),
        Measurement(
            name,
            "bare handler taps per second",
            figures.taps / figures.bare_seconds,
            "taps/s",
            "",
            None,
        ),
        Measurement(name, "CPU per tap (all threads)", cpu_per_tap_us, "µs", "", None),
        Measurement(
            name, "acknowledged taps not committed", figures.lost, "", "0", figures.lost == 0
        ),
    ]
    if figures.early is not None:
        rows.append(
            Measurement(
                name,
                "answered before commit (checked live)",
                figures.early,
                "",
                "0",
                not figures.early,
            )
        )
    return rows


async def statements_per_tap(url: str) -> dict[int, tuple[int, int]]:
    """SQL statements SQLite runs for one tap, by group size: (known member, newcomer)."""
    seen: list[str] = []

    def trace(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(seen.append)

    def counted() -> int:
        sent = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE"))]
        # SQLite reports a statement again for each trigger it runs: one statement sent.
        return sum(1 for i, s in enumerate(sent) if i == 0 or sent[i - 1] != s)

    now = datetime.now(UTC)
    small, large = await seed(url, 2, 40, now)
    event.listen(Engine, "connect", trace)
    db = Database.connect(url)
    writer = TapWriter(db.engine, url)
    counts: dict[int, tuple[int, int]] = {}
    try:
        for club, size in ((small, 4), (large, 40)):
            for user_id in club.members[:size]:
                await writer.answer(_tap(club, user_id, Answer.IN, now))
            seen.clear()
            await writer.answer(_tap(club, club.members[0], Answer.OUT, now))
            known = counted()
            seen.clear()
            await writer.answer(_tap(club, 999_000 + size, Answer.MAYBE, now))
            counts[size] = (known, counted())
    finally:
        event.remove(Engine, "connect", trace)
        await writer.close()
        await db.dispose()
    return counts


def _tap(club: Club, user_id: int, answer: Answer, now: datetime) -> RsvpTap:
    return RsvpTap(
        club.session_id, club.chat_id, club.message_id, Person(user_id, "R"), answer, now
    )


async def run(quick: bool) -> list[Measurement]:
    count = 2_000 if quick else 10_000
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p1.db"
        bare_url = f"sqlite+aiosqlite:///{Path(folder) / 'bare.db'}"
        figures = await measure(f"sqlite+aiosqlite:///{path}", count, path, bare_url)
        rows += rows_for("P1 RSVP (SQLite)", figures, goals=True)
        counts = await statements_per_tap(f"sqlite+aiosqlite:///{Path(folder) / 'count.db'}")
        worst = max(max(pair) for pair in counts.values())
        rows.append(
            Measurement(
                "P1 RSVP (SQLite)",
                "SQL statements per tap, 4 vs 40 members (known / new member)",
                worst,
                "",
                "same, ≤ 3",
                counts[4] == counts[40] and worst <= 3,
                detail=f"4: {counts[4][0]} / {counts[4][1]}, 40: {counts[40][0]} / {counts[40][1]}",
            )
        )
        if await postgres.server_version() is None:
            return rows
        async with postgres.temporary_database("p1") as dsn:
            url = postgres.sqlalchemy_url(dsn)
            rows += rows_for(
                "P1 RSVP (PostgreSQL)", await measure(url, count, None, bare_url), False
            )
    return rows


if __name__ == "__main__":
    for row in asyncio.run(run(quick=os.environ.get("QUICK") == "1")):
        print(" | ".join(row.row()))
