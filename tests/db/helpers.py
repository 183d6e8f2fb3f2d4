"""Builders for database tests."""

from __future__ import annotations

from datetime import UTC, datetime

from db import claims, groups, sessions
from db.engine import Database
from db.sessions import ANNOUNCEMENT
from db.views import Person, SessionView

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday; next Tuesday is 1 Dec
CHAT = -1001
OTHER_CHAT = -2002
ANNOUNCEMENT_MESSAGE = 500


def runner(user_id: int, name: str | None = None) -> Person:
    return Person(user_id=user_id, first_name=name or f"Runner{user_id}")


async def set_up_group(
    db: Database, chat_id: int = CHAT, *settings: tuple[str, str]
) -> SessionView:
    """A configured group (Tuesdays 18:30, London) whose next session is announced."""
    await groups.ensure_group(db, chat_id, f"Club {chat_id}", "Europe/London", NOW)
    await groups.set_setting(db, chat_id, "day", "tue", NOW)
    for key, value in settings:
        await groups.set_setting(db, chat_id, key, value, NOW)
    session = await sessions.next_session(db, chat_id, NOW)
    assert await claims.claim(db, session.id, ANNOUNCEMENT, chat_id, NOW)
    await claims.record_sent(db, session.id, ANNOUNCEMENT, chat_id, ANNOUNCEMENT_MESSAGE, NOW)
    return session
