"""Webhook de-duplication: each update id is taken in once, whichever replica gets it.

Telegram re-sends an update when the answer to its POST is slow or lost. The row is
written before the update is queued, so a retry (to this or another replica sharing the
database) finds it and is acknowledged without being handled again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from db.engine import Database
from db.models import ProcessedUpdate
from db.sql import insert_ignore

# Telegram stops retrying long before this; older rows only take space.
RETENTION = timedelta(days=1)


async def first_delivery(db: Database, bot_id: int, update_id: int, now: datetime) -> bool:
    """True when this is the first time the update arrives (the caller must handle it)."""
    async with db.sessions.begin() as session:
        return await insert_ignore(
            session,
            ProcessedUpdate,
            {"bot_id": bot_id, "update_id": update_id, "received_at": now},
        )


async def prune(db: Database, now: datetime) -> int:
    """Forget update ids older than RETENTION; returns how many rows went."""
    async with db.sessions.begin() as session:
        result = await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.received_at < now - RETENTION)
        )
        return int(getattr(result, "rowcount", 0) or 0)
