"""Webhook de-duplication: an update id is taken in once, across replicas, then forgotten."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from db import updates
from db.engine import Database
from tests.db.helpers import NOW

BOT, OTHER_BOT = 999000, 424242


async def test_an_update_is_taken_in_once_per_bot(db: Database) -> None:
    assert await updates.first_delivery(db, BOT, 7001, NOW)
    assert not await updates.first_delivery(db, BOT, 7001, NOW + timedelta(seconds=30))
    assert await updates.first_delivery(db, BOT, 7002, NOW)
    # Another bot's update ids are its own sequence.
    assert await updates.first_delivery(db, OTHER_BOT, 7001, NOW)


async def test_replicas_racing_on_one_update_take_it_in_once(database_url: str) -> None:
    replicas = [Database.connect(database_url) for _ in range(4)]
    try:
        taken = await asyncio.gather(
            *(updates.first_delivery(replica, BOT, 9001, NOW) for replica in replicas for _ in "ab")
        )
    finally:
        for replica in replicas:
            await replica.dispose()
    assert sorted(taken) == [False] * 7 + [True]


async def test_prune_forgets_only_ids_older_than_a_day(db: Database) -> None:
    old = NOW - updates.RETENTION - timedelta(seconds=1)
    recent = NOW - updates.RETENTION + timedelta(seconds=1)
    assert await updates.first_delivery(db, BOT, 1, old)
    assert await updates.first_delivery(db, BOT, 2, recent)
    assert await updates.prune(db, NOW) == 1
    assert await updates.prune(db, NOW) == 0
    # The forgotten id would be handled again; the recent one is still a duplicate.
    assert await updates.first_delivery(db, BOT, 1, NOW)
    assert not await updates.first_delivery(db, BOT, 2, NOW)
