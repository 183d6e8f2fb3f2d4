"""P3: a thousand groups' announcements due in the same minute, against 30 messages/s.

The groups' announcements all fall due in the current minute. The real application
starts as `python bot.py` does (migrations, schedules rebuilt from the database, flood
limits on) on an SQLite file, and its JobQueue runs every announcement job at once,
concurrently, against a stub Bot API that answers 429 beyond 30 messages in any
sliding second, as Telegram does. Measured: the delivery rate as a share of that
limit (messages per second from the JobQueue's start to the last announcement),
429 answers, and per group exactly one announcement sent and recorded.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from benchmarks.harness import running_bot, settings
from benchmarks.measurement import Measurement
from benchmarks.stub_api import Limits, StubBotApi
from db.engine import Database
from db.migrate import upgrade_to_head_async
from db.models import Group, Post
from db.sessions import ANNOUNCEMENT

NAME = "P3 Fan-out"
LIMIT_PER_SECOND = 30
FIRST_CHAT = -1_003_000_000
GOAL_SHARE = 0.9
GROUPS = 1_000


async def seed(url: str, count: int, now: datetime) -> None:
    """Configured groups whose next session starts tomorrow and is announced this minute.

    Inserted in one transaction (the groups' own rows only): the sessions are created
    by the bot itself when it plans them at start-up.
    """
    minute = now.replace(second=0, microsecond=0)
    starts = minute + timedelta(days=1, minutes=1)
    lead = int((starts - minute).total_seconds() // 60)
    db = Database.connect(url)
    try:
        async with db.sessions.begin() as session:
            await session.execute(
                insert(Group),
                [
                    {
                        "chat_id": FIRST_CHAT - index,
                        "title": f"Club {index}",
                        "weekday": starts.weekday(),
                        "start_time": f"{starts:%H:%M}",
                        "timezone": "UTC",
                        "announce_lead_min": lead,
                        "reminder_lead_min": 3 * 60,
                        "duration_min": 90,
                        "guests_allowed": False,
                        "configured": True,
                        "active": True,
                        "created_at": now,
                    }
                    for index in range(count)
                ],
            )
    finally:
        await db.dispose()


async def recorded(db: Database) -> int:
    """Announcements whose message id is in the database."""
    async with db.sessions() as session:
        return int(
            (
                await session.execute(
                    select(func.count())
                    .select_from(Post)
                    .where(Post.kind == ANNOUNCEMENT, Post.message_id.is_not(None))
                )
            ).scalar_one()
        )


async def run(quick: bool) -> list[Measurement]:
    """Quick or not, a thousand groups (about 40 s): fewer would flatter the rate, since
    the first second's 30 messages go at once."""
    count = GROUPS
    stub = StubBotApi(limits=Limits(per_second_overall=LIMIT_PER_SECOND), keep_log=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'p3.db'}"
        await upgrade_to_head_async(url)
        await seed(url, count, datetime.now(UTC))
        async with running_bot(settings(url), stub) as (app, services):
            started = time.monotonic()
            await app.start()
            try:
                # Three times the time the limit needs, and a minute, before giving up.
                for _ in range(int(2 * (3 * count / LIMIT_PER_SECOND + 60))):
                    if await recorded(services.db) >= count:
                        break
                    await asyncio.sleep(0.5)
                # Anything still on its way would be a duplicate: give it a moment.
                await asyncio.sleep(1.0)
                stored = await recorded(services.db)
            finally:
                await app.stop()
    sends = [call for call in stub.log if call.method == "sendMessage"]
    per_group = Counter(call.chat_id for call in sends)
    lost = sum(1 for index in range(count) if per_group[FIRST_CHAT - index] == 0)
    duplicated = sum(times - 1 for times in per_group.values() if times > 1)
    elapsed = max(call.at for call in sends) - started if sends else float("inf")
    share = len(sends) / elapsed / LIMIT_PER_SECOND
    rejected = sum(stub.rejected.values())
    return [
        Measurement(
            NAME,
            f"delivery rate, {count} groups",
            100 * share,
            "% of 30/s",
            f"≥ {GOAL_SHARE:.0%}",
            share >= GOAL_SHARE,
            f"{len(sends)} messages in {elapsed:.1f} s",
        ),
        Measurement(NAME, "answers 429 (flood limit)", rejected, "", "0", rejected == 0),
        Measurement(NAME, "groups without their announcement", lost, "", "0", lost == 0),
        Measurement(NAME, "duplicate announcements", duplicated, "", "0", duplicated == 0),
        Measurement(NAME, "announcements recorded", stored, "", f"= {count}", stored == count),
    ]
