"""The P4 season writes best marks itself (straight into the tables, for speed): they
must be exactly those the application keeps, or P4 would measure boards on wrong data."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from benchmarks.season import write_sqlite
from db import best_marks
from db.engine import Database
from db.migrate import upgrade_to_head_async
from db.models import BestMark


async def _marks(db: Database, user_ids: list[int]) -> list[tuple[object, ...]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(
                BestMark.user_id,
                BestMark.result_id,
                BestMark.starts_at,
                BestMark.distance_m,
                BestMark.shape,
                BestMark.ms,
            )
            .where(BestMark.user_id.in_(user_ids))
            .order_by(BestMark.user_id, BestMark.result_id, BestMark.distance_m, BestMark.shape)
        )
        return [tuple(row) for row in rows]


async def test_the_generated_season_holds_the_marks_the_application_keeps(tmp_path: Path) -> None:
    path = tmp_path / "season.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_to_head_async(url)
    season = await asyncio.to_thread(write_sqlite, str(path), 1, datetime.now(UTC))
    users = season.members[:10]
    db = Database.connect(url)
    try:
        written = await _marks(db, users)
        async with db.sessions.begin() as session:
            for user_id in users:
                await best_marks.rewrite(session, user_id)
        assert len(written) >= 30
        assert await _marks(db, users) == written
    finally:
        await db.dispose()
