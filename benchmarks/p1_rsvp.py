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
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import CallbackQueryHandler

from benchmarks.measurement import Measurement
from benchmarks.stub_api import BOT_USER, StubBotApi
from bot import build_application, on_shutdown, on_startup, on_stop
from config.settings import Settings
from db import claims, groups, sessions
from db.engine import Database
from db.migrate import upgrade_to_head_async
from db.models import Rsvp
from db.sessions import ANNOUNCEMENT
from handlers.context import BotApplication, BotContext

TOKEN = "123456:BENCHMARK"
ACTIONS = ("in", "maybe", "out")
IN_FLIGHT = 64  # updates processed at once, as with concurrent_updates
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


def taps(clubs: list[Club], count: int, seed_value: int = 7, distinct: bool = False) -> list[Tap]:
    """Random taps; `distinct`: each member taps at most once (so each answer is final)."""
    rng = random.Random(seed_value)
    pairs = [(club, user_id) for club in clubs for user_id in club.members]
    rng.shuffle(pairs)
    made = []
    for number in range(count):
        club, user_id = pairs[number] if distinct else rng.choice(pairs)
        action = rng.choice(ACTIONS)
        update = {
            "update_id": number + 1,
            "callback_query": {
                "id": str(number + 1),
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
    stub: StubBotApi


async def run_bot(
    stream: list[Tap], url: str, watch: Callable[[dict[str, Any]], None] | None
) -> BotRun:
    stub = StubBotApi(on_answer=watch)
    app = build_application(_settings(url), request=stub)
    await app.initialize()
    await on_startup(app)
    try:
        seconds = await feed(app, stream)
    finally:
        await on_stop(app)
        await app.shutdown()
        await on_shutdown(app)
    return BotRun(seconds, stub)


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


async def run(quick: bool) -> list[Measurement]:
    clubs, per_club = 50, 10
    count = 2_000 if quick else 10_000
    now = datetime.now(UTC)
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p1.db"
        url = f"sqlite+aiosqlite:///{path}"
        seeded = await seed(url, clubs, per_club, now)
        stream = taps(seeded, count)
        bare = await run_bare(stream, f"sqlite+aiosqlite:///{Path(folder) / 'bare.db'}")
        real = await run_bot(stream, url, None)
        answers = real.stub.answers
        lost = lost_taps(stream, answers, await committed(url))
        check_stream = taps(seeded, 300, seed_value=11, distinct=True)
        watch, early = sqlite_watch(path, check_stream)
        await run_bot(check_stream, url, watch)
    per_second = count / real.seconds
    ratio = real.seconds / bare
    name = "P1 RSVP (SQLite)"
    rows.append(
        Measurement(name, "taps per second", per_second, "taps/s", "≥ 2000", per_second >= 2000)
    )
    rows.append(Measurement(name, "cost per tap vs bare handler", ratio, "x", "≤ 5x", ratio <= 5))
    rows.append(Measurement(name, "bare handler taps per second", count / bare, "taps/s", "", None))
    rows.append(Measurement(name, "acknowledged taps not committed", lost, "", "0", lost == 0))
    rows.append(
        Measurement(name, "answered before commit (checked live)", len(early), "", "0", not early)
    )
    return rows


if __name__ == "__main__":
    for row in asyncio.run(run(quick=os.environ.get("QUICK") == "1")):
        print(" | ".join(row.row()))
