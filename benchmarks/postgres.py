"""The local PostgreSQL server the benchmarks use: its version, and throwaway databases.

The server is the one the tests use (`TEST_POSTGRES_DSN`, default the trust-auth
server on 127.0.0.1:5432). A benchmark database lives only for one run and is
dropped afterwards, whatever happens.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]

ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def server_version() -> str | None:
    """The server's version, or None when no server answers."""
    try:
        connection = await asyncpg.connect(ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    try:
        return str(await connection.fetchval("SHOW server_version")).split(" ")[0]
    finally:
        await connection.close()


@asynccontextmanager
async def temporary_database(prefix: str) -> AsyncIterator[str]:
    """A new empty database's asyncpg DSN (`postgresql://…`), dropped on the way out."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlalchemy_url(dsn: str) -> str:
    """The same database for SQLAlchemy's async engine."""
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
