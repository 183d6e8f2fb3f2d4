"""Replicas: two bot processes on one PostgreSQL database, 100 announcements due together.

Both replicas start at the same moment on an empty database (the test holds the
migration's advisory lock until both wait for it), then 100 groups are seeded through
the use cases with their announcements due at the same whole minute. Each announcement
must be posted exactly once; with one replica SIGKILLed midway the survivor takes the
dead one's claims over once they expire, and still each is posted exactly once.

The replicas need no updates, so the fake lets both long-poll at once (Telegram would
answer the older poll with 409 Conflict; in production replicas use webhook mode).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from db import groups
from db.engine import Database
from tests.conftest import PG_ADMIN_DSN, _pg_admin, _postgres_available
from tests.e2e.conftest import COACH, BotProcess
from tests.e2e.support import ANNOUNCEMENT_MARK, announcement_sends, announcements
from tests.fake_api import Call, FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

GROUPS = [-1002000000000 - n for n in range(100)]
# db/migrations/env.py takes this lock; if it changed, the replicas are never seen
# waiting for it and the test says so.
MIGRATION_LOCK_ID = 7_305_112_001
CLAIM_EXPIRY = 10  # seconds
SWEEP = 5  # seconds


def query(dsn: str, sql: str, *args: Any) -> list[Any]:
    """Rows from PostgreSQL; callable anywhere, even inside the fake's event loop thread."""

    async def fetch() -> list[Any]:
        connection = await asyncpg.connect(dsn, timeout=10)
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, fetch()).result()


def by(client: str) -> Callable[[Call], bool]:
    return lambda call: call.client == client


def recorded(dsn: str) -> set[int]:
    rows = query(
        dsn, "SELECT chat_id FROM posts WHERE kind = 'announcement' AND sent_at IS NOT NULL"
    )
    return {int(row["chat_id"]) for row in rows}


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the shared server; dropped afterwards."""
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but {PG_ADMIN_DSN} does not answer")
        pytest.skip("PostgreSQL is not reachable")
    name = f"speedbot_replicas_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    yield f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Replicas:
    def __init__(self, api: FakeTelegram, dsn: str, bots: list[BotProcess]) -> None:
        self.api = api
        self.dsn = dsn
        self.bots = bots

    def start_together(self) -> None:
        """Launch both while the test holds the migration lock, then let them race for it."""
        loop = asyncio.new_event_loop()
        try:
            holder = loop.run_until_complete(asyncpg.connect(self.dsn))
            loop.run_until_complete(
                holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
            )
            mark = self.api.call_mark()
            for bot in self.bots:
                bot.launch()
            deadline = time.monotonic() + 60
            while len(self.waiting_for_the_lock()) < len(self.bots):
                assert time.monotonic() < deadline, "the replicas never waited for the lock"
                assert all(bot.alive() for bot in self.bots), "a replica died"
                time.sleep(0.1)
            loop.run_until_complete(holder.close())
        finally:
            loop.close()
        for client in [bot.client for bot in self.bots]:
            self.api.wait_for_call("getUpdates", by(client), timeout=60, after_index=mark)

    def waiting_for_the_lock(self) -> list[Any]:
        return query(
            self.dsn,
            "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()",
        )

    async def seed(self, due: datetime) -> None:
        """100 set-up groups whose announcements fall due at `due`."""
        db = Database.connect(self.dsn.replace("postgresql://", "postgresql+asyncpg://"))
        start, now = due + timedelta(hours=1), datetime.now(UTC)
        settings = (
            ("reminder", "30m"),
            ("announce", "60m"),
            ("time", f"{start:%H:%M}"),
            ("day", start.strftime("%A").lower()),
        )

        async def one(chat: int) -> None:
            await groups.ensure_group(db, chat, f"Club {chat}", "UTC", now)
            for key, value in settings:
                await groups.set_setting(db, chat, key, value, now)

        try:
            await asyncio.gather(*(one(chat) for chat in GROUPS))
        finally:
            await db.dispose()

    def announce_together(self) -> datetime:
        """Seed the groups due at the next whole minute both replicas can plan for."""
        due = (datetime.now(UTC) + timedelta(seconds=75)).replace(second=0, microsecond=0)
        asyncio.run(self.seed(due))
        assert datetime.now(UTC) + timedelta(seconds=SWEEP + 2) < due, "seeding took too long"
        return due

    def all_recorded(self, due: datetime, extra: float) -> None:
        deadline = due + timedelta(seconds=extra)
        while recorded(self.dsn) != set(GROUPS):
            assert datetime.now(UTC) < deadline, f"{len(recorded(self.dsn))} of 100 recorded"
            time.sleep(0.5)

    def sends_per_group(self) -> dict[int, list[str | None]]:
        """Which replica posted each group's announcements (every message counts)."""
        sends = {}
        for chat in GROUPS:
            clients = [c.client for c in announcement_sends(self.api, chat)]
            assert len(clients) == len(announcements(self.api, chat))
            sends[chat] = clients
        return sends


@pytest.fixture
def replicas(
    server: FakeBotApiServer, api: FakeTelegram, tmp_path: Path, database: str
) -> Iterator[Replicas]:
    api.allow_concurrent_polls()
    for chat in GROUPS:
        api.add_group(chat, f"Club {chat}", admins=[COACH])
    url = database.replace("postgresql://", "postgresql+asyncpg://")
    bots = [BotProcess(server.base_url, url, tmp_path / f"{n}.log", name=n) for n in ("one", "two")]
    for bot in bots:
        bot.env |= {"CLAIM_EXPIRY_SECONDS": str(CLAIM_EXPIRY), "SWEEP_INTERVAL": str(SWEEP)}
    yield Replicas(api, database, bots)
    for bot in bots:
        bot.stop()


def test_two_replicas_migrate_once_and_post_each_of_100_announcements_once(
    replicas: Replicas,
) -> None:
    replicas.start_together()
    logs = [bot.log() for bot in replicas.bots]
    assert sum("Running upgrade  -> 0001" in log for log in logs) == 1, "migrated twice"

    due = replicas.announce_together()
    replicas.all_recorded(due, extra=60)

    sends = replicas.sends_per_group()
    assert all(len(clients) == 1 for clients in sends.values()), {
        chat: clients for chat, clients in sends.items() if len(clients) != 1
    }
    for log in (bot.log() for bot in replicas.bots):
        assert "Traceback" not in log, log[-5000:]
    by_one = sum(clients == ["one-1"] for clients in sends.values())
    print(f"replica one posted {by_one}, replica two {100 - by_one}")


def test_a_replica_killed_midway_leaves_each_announcement_posted_once(
    api: FakeTelegram, replicas: Replicas
) -> None:
    """Replica one is SIGKILLed as its first announcement goes out, holding claims while
    two is busy posting; two takes them over. Killed later, one of its sends could be
    between Telegram and the database (in this fan-out that window measured 50 ms to over
    a second per send): that group would be posted twice, see test_crash."""
    replicas.start_together()
    one, two = replicas.bots
    wire = api.add_tripwire(
        "sendMessage",
        lambda: one.kill_now(api),
        client=one.client,
        match=lambda params: ANNOUNCEMENT_MARK in str(params.get("text", "")),
    )
    due = replicas.announce_together()
    api.wait_until(lambda: wire.fired, (due - datetime.now(UTC)).total_seconds() + 60, "the kill")
    one.reap()
    by_two = len([c for c in api.calls_of("sendMessage") if c.ok and c.client == two.client])
    unsent = query(
        replicas.dsn, "SELECT chat_id FROM posts WHERE kind = 'announcement' AND sent_at IS NULL"
    )
    held = {int(row["chat_id"]) for row in unsent}  # one's claims, and two's in progress
    assert held, "the killed replica held no claim"
    replicas.all_recorded(due, extra=CLAIM_EXPIRY + 2 * SWEEP + 60)

    sends = replicas.sends_per_group()
    assert all(clients == [two.client] for clients in sends.values()), {
        chat: clients for chat, clients in sends.items() if clients != [two.client]
    }
    assert "Traceback" not in two.log(), two.log()[-5000:]
    print(f"killed when two had posted {by_two}; {len(held)} claims unsent at the kill")
