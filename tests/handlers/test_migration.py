"""A basic group upgraded to a supergroup keeps its settings, sessions and answers."""

from __future__ import annotations

from db import groups, rsvps, sessions
from jobs.posts import post_announcement
from tests.handlers.conftest import ADMIN, ANN, Harness

BASIC = -500
SUPER = -100600


async def test_migration_service_message_moves_the_group(harness: Harness) -> None:
    harness.api.add_group(BASIC, "Old Harriers", admins=[ADMIN], members=[ANN], chat_type="group")
    assert "Saved" in await harness.say(ADMIN, "/set day thu", chat=BASIC)
    assert "You're in" in await harness.say(ANN, "/in early", chat=BASIC)
    harness.api.migrate_to_supergroup(BASIC, SUPER)
    # A member writes in the new chat before the migration message is processed.
    await harness.say(ANN, "/settings", chat=SUPER)
    await harness.feed(
        {
            "update_id": 90_000,
            "message": {
                "message_id": 1,
                "date": 1_795_000_000,
                "chat": {"id": SUPER, "type": "supergroup", "title": "Old Harriers"},
                "from": {"id": ADMIN, "is_bot": False, "first_name": "Coach"},
                "migrate_from_chat_id": BASIC,
            },
        }
    )
    moved = await groups.get_group(harness.services.db, SUPER)
    assert moved is not None and moved.weekday == 3
    assert await groups.get_group(harness.services.db, BASIC) is None
    session = await sessions.next_session(harness.services.db, SUPER, harness.clock.now)
    board = await rsvps.board(harness.services.db, session.id)
    assert board is not None and [e.note for e in board.entries] == ["early"]
    assert "day: Thursday" in await harness.say(ANN, "/settings", chat=SUPER)


async def test_a_send_to_the_old_id_follows_the_migration(harness: Harness) -> None:
    harness.api.add_group(BASIC, "Old Harriers", admins=[ADMIN], members=[ANN], chat_type="group")
    assert "Saved" in await harness.say(ADMIN, "/set day thu", chat=BASIC)
    harness.api.migrate_to_supergroup(BASIC, SUPER)
    session = await sessions.next_session(harness.services.db, BASIC, harness.clock.now)
    posted = await post_announcement(harness.app.bot, harness.services, session.id)
    assert posted is not None
    assert any("Speed session" in t for t in harness.bot_texts(SUPER))
    assert (await groups.get_group(harness.services.db, SUPER)) is not None
    board = await rsvps.board(harness.services.db, session.id)
    assert board is not None and board.announcement_message_id == posted
    assert await post_announcement(harness.app.bot, harness.services, session.id) is None
