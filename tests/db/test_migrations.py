"""Migrations apply on top of existing data, on both backends."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from db.migrate import alembic_config
from db.models import Base


async def _scalar(url: str, sql: str) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar_one()
    finally:
        await engine.dispose()


async def test_upgrading_keeps_groups_and_fills_new_columns(database_url: str) -> None:
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0001")
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO groups (chat_id, title, weekday, start_time, timezone,"
                " announce_lead_min, reminder_lead_min, duration_min, guests_allowed,"
                " configured, active, created_at)"
                " VALUES (-1, 'Harriers', 1, '18:30', 'UTC', 2880, 180, 90, false, true, true,"
                " '2026-11-25 12:00:00')"
            )
        )
    await engine.dispose()
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await _scalar(database_url, "SELECT board_time FROM groups") == "09:00"
    assert await _scalar(database_url, "SELECT count(*) FROM results") == 0


async def test_the_migrated_schema_is_the_models(database_url: str) -> None:
    """Every model change came with its migration: Alembic finds nothing to add."""
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert differences == []
