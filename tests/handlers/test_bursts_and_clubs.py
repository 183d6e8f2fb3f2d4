"""Bursts of taps are coalesced into few edits with an exact final text; clubs stay apart."""

from __future__ import annotations

import asyncio

from telegram import Update

from db import rsvps, sessions
from handlers import render
from jobs.refresh import AnnouncementRefresher
from tests.handlers.conftest import ADMIN, ANN, GROUP, Harness
from tests.handlers.test_session_flow import announce, set_up

OTHER = -100900
RUNNERS = range(1000, 1040)


async def test_a_burst_of_taps_costs_few_edits_and_ends_exact(harness: Harness) -> None:
    services = harness.services
    services.refresher = AnnouncementRefresher(harness.app.bot, services, interval=1.0)
    await set_up(harness)
    message_id = await announce(harness)
    session = await sessions.next_session(services.db, GROUP, harness.clock.now)
    for user in RUNNERS:
        harness.api.add_user(user, f"R{user}")
    edits_before = len(harness.api.calls_of("editMessageText"))
    updates = [
        harness.api.user_presses(user, GROUP, message_id, data=f"rsvp:{session.id}:{answer}")
        for user in RUNNERS
        for answer in (("in", "out")[user % 2], ("in", "maybe")[user % 3 == 0])
    ]
    await asyncio.gather(
        *(harness.app.process_update(Update.de_json(u, harness.app.bot)) for u in updates)
    )
    await services.refresher.settle()
    edits = len(harness.api.calls_of("editMessageText")) - edits_before
    assert 1 <= edits <= 4, edits
    for update in updates:
        assert harness.api.callback_answers_for(update["callback_query"]["id"])
    board = await rsvps.board(services.db, session.id)
    assert board is not None and len(board.entries) == len(RUNNERS)
    # Whatever order the taps were applied in, the announcement shows the committed state.
    shown = harness.api.message(GROUP, message_id)
    assert shown.text == render.announcement_text(board, harness.clock.now)


async def test_two_clubs_have_their_own_settings_sessions_and_answers(harness: Harness) -> None:
    harness.api.add_group(OTHER, "Thursday Striders", admins=[ANN], members=[ADMIN])
    await set_up(harness)
    assert "Saved" in await harness.say(ANN, "/set day thu", chat=OTHER)
    assert "Only coaches" in await harness.say(ADMIN, "/set day fri", chat=OTHER)
    assert "Only coaches" in await harness.say(ANN, "/set day fri")
    assert "You're in for Tue" in await harness.say(ANN, "/in")
    assert "You're in for Thu" in await harness.say(ANN, "/in", chat=OTHER)
    first = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    second = await sessions.next_session(harness.services.db, OTHER, harness.clock.now)
    assert first.id != second.id
    for session in (first, second):
        board = await rsvps.board(harness.services.db, session.id)
        assert board is not None and [e.person.user_id for e in board.entries] == [ANN]
