"""Which failures mean "the database is unavailable" (a friendly retry, no traceback)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.engine import Database
from handlers.errors import database_unavailable


async def failure(url: str, *statements: str) -> Exception | None:
    """What running the statements in one transaction raised, if anything."""
    db = Database.connect(url)
    try:
        async with db.sessions.begin() as session:
            for sql in statements:
                await session.execute(text(sql))
    except Exception as error:
        return error
    finally:
        await db.dispose()
    return None


def read_missing(path: Path) -> OSError:
    try:
        path.read_text()
    except OSError as error:
        return error
    raise AssertionError(f"{path} exists")


async def test_a_refused_connection_is_unavailable_a_bug_is_not(tmp_path: Path) -> None:
    # Nothing listens on port 1: the pool's connect raises a plain ConnectionRefusedError.
    refused = await failure("postgresql+asyncpg://postgres@127.0.0.1:1/none", "SELECT 1")
    assert isinstance(refused, OSError) and database_unavailable(refused)
    duplicate = await failure(
        f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "CREATE TABLE t (id INTEGER PRIMARY KEY)",
        "INSERT INTO t VALUES (1), (1)",
    )
    assert isinstance(duplicate, IntegrityError) and not database_unavailable(duplicate)
    assert not database_unavailable(read_missing(tmp_path / "missing"))
    lost = DBAPIError("SELECT 1", None, Exception("closed"), connection_invalidated=True)
    assert database_unavailable(lost)
