"""Database reachability: `python bot.py check` (with the schema revision) and GET /healthz."""

from __future__ import annotations

from dataclasses import dataclass

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from db.engine import Database, make_engine
from db.migrate import alembic_config


@dataclass(frozen=True)
class DatabaseHealth:
    reachable: bool
    detail: str
    revision: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


async def database_health(url: str) -> DatabaseHealth:
    """Connect, read the schema revision, and compare it with the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head() or ""
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            version = await connection.run_sync(lambda c: c.dialect.server_version_info)
            try:
                revision = (
                    await connection.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar_one_or_none()
            except SQLAlchemyError:
                revision = None  # a new database: the bot migrates it at start-up
        dialect = engine.dialect.name
        shown = ".".join(str(part) for part in version or ())
        return DatabaseHealth(True, f"{dialect} {shown}".strip(), revision, head)
    except (SQLAlchemyError, OSError) as error:
        return DatabaseHealth(False, str(error).splitlines()[0][:200], None, head)
    finally:
        await engine.dispose()


async def answers(db: Database) -> bool:
    """One trivial query through the running bot's own pool: can it use the database now?"""
    try:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True
