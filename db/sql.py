"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

Item = TypeVar("Item")

# Values per IN (...) list: well under both backends' limits on bound parameters.
IN_LIST_LIMIT = 1000


def chunks(items: Sequence[Item], size: int = IN_LIST_LIMIT) -> Iterator[Sequence[Item]]:
    """`items` in slices short enough for one IN (...) list each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(session: AsyncSession, model: type[DeclarativeBase]) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def insert_ignore(
    session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any]
) -> bool:
    """Insert a row unless one with the same key exists; True when this call inserted it."""
    statement = _insert(session, model).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0) == 1)


async def insert_ignore_many(
    session: AsyncSession, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert the rows whose key is not taken yet (batched into few statements)."""
    if rows:
        await session.execute(_insert(session, model).on_conflict_do_nothing(), list(rows))


async def upsert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert or update the given columns, in one statement on both backends."""
    statement = _insert(session, model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in update}
    )
    await session.execute(statement)
