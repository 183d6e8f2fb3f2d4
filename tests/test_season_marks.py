"""The P4 season writes best marks itself (straight into the tables, for speed): they
must be exactly those the application keeps, or P4 would measure boards on wrong data."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.season import write_sqlite
from db import best_marks
from db.engine import Database
from db.migrate import upgrade_to_head_async
from tests.db.test_board_bests import stored_marks


async def test_the_generated_season_holds_the_marks_the_application_keeps(tmp_path: Path) -> None:
    path = tmp_path / "season.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_to_head_async(url)
    season = await asyncio.to_thread(write_sqlite, str(path), 1, datetime.now(UTC))
    users = season.members[:10]
    db = Database.connect(url)
    try:
        written = await stored_marks(db, users)
        async with db.sessions.begin() as session:
            for user_id in users:
                await best_marks.rewrite(session, user_id)
        assert len(written) >= 30
        assert await stored_marks(db, users) == written
    finally:
        await db.dispose()
