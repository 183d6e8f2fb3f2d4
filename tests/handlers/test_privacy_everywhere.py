"""A member in private mode never appears in anything the bot sends to the group.

Two weeks run through the real Application with the bot's own jobs firing on the harness
clock (`support.run_jobs`): announcements and their edits, reminders, "How did it go?",
nudges, results boards. Two private members take part in everything: one never started
the bot (so every "tell them" falls back to the group), one did. They answer by command
and by button, bring a guest, are waitlisted and promoted, see the session moved,
cancelled and reinstated, ask for /next, /targets, /me, /pb, report splits (the second
week faster: personal bests), and a coach reports and marks no-shows for them. Then every
message the bot sent to the group, every earlier version of every edited one, and every
Bot API call addressed to the group is searched for their first name, last name,
username and a tg://user link to their id. The same search must find a public member
who did the same things, so the test can fail.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from db import sessions
from handlers.errors import SORRY
from tests.handlers.conftest import ADMIN, BOB, GROUP, Harness
from tests.handlers.support import announcement_id, run_jobs

HIDDEN = 41  # private, never started the bot
SHY = 42  # private, started the bot
OPEN = 43  # the public control
PEOPLE = {
    HIDDEN: ("Zephyrine", "Quillfeather", "zquill"),
    SHY: ("Ottoline", "Brackenbury", "obrack"),
    OPEN: ("Bartholomew", "Wigglesworth", "bwiggle"),
}
SWEEP = timedelta(hours=6)
WEEK1 = "2:50 2:49 2:48 2:47 2:46 2:45"
WEEK2 = "2:40 2:39 2:38 2:37 2:36 2:35"  # faster on every rep: personal bests


def group_texts(h: Harness) -> list[str]:
    """Everything the group was shown by the bot: every message, every version, every call."""
    texts: list[str] = []
    for message in h.api.messages_in(GROUP, include_deleted=True):
        if message.from_bot:
            texts += [message.text or "", message.plain_text or "", message.caption or ""]
            texts += [f"{v.text or ''}\n{v.caption or ''}" for v in message.history]
            texts.append(str(message.reply_markup or ""))
    for call in h.api.calls:
        if call.params.get("chat_id") == GROUP:
            texts.append(str(call.params))
    return texts


def appearances(h: Harness, user: int) -> list[str]:
    """The group texts naming `user` (any of their names, their username, a link to them)."""
    first, last, username = PEOPLE[user]
    needles = (first.lower(), last.lower(), username.lower(), f"tg://user?id={user}")
    return [t for t in group_texts(h) if any(needle in t.lower() for needle in needles)]


async def said(h: Harness, user: int, text: str, chat: int = GROUP) -> str:
    h.clock.advance(minutes=1)  # one thing at a time: the waitlist queues by the minute
    reply = await h.say(user, text, chat)
    assert reply and SORRY not in reply, (text, reply)
    return reply


async def tap(h: Harness, user: int, action: str) -> str:
    h.clock.advance(minutes=1)
    session = await sessions.next_session(h.services.db, GROUP, h.clock.now)
    answer = await h.press(user, announcement_id(h), f"rsvp:{session.id}:{action}")
    assert answer and SORRY not in answer, (action, answer)
    return answer


async def until(h: Harness, when: datetime) -> list[str]:
    """Let the bot's jobs run up to `when`; the names of those that ran."""
    return [fired.name.split(":")[0] for fired in await run_jobs(h, when, SWEEP)]


async def week(h: Harness, splits: str) -> None:
    """One week: answers, changes, reminder, the session, reports, nudges, the board."""
    db = h.services.db
    session = await sessions.next_session(db, GROUP, h.clock.now)
    await said(h, HIDDEN, "/in early bird")  # before the announcement
    assert "announce" in await until(h, session.announce_at)
    await tap(h, OPEN, "in")  # In (2/2): the list is full
    assert "waitlist" in await tap(h, SHY, "in")
    assert "waitlist" in await tap(h, BOB, "in")
    await tap(h, HIDDEN, "guest+")
    await tap(h, HIDDEN, "guest-")
    await tap(h, OPEN, "out")  # Shy is promoted (told privately)
    await tap(h, HIDDEN, "out")  # Bob is promoted (told in the group)
    assert "waitlist" in await tap(h, HIDDEN, "in")
    await said(h, BOB, "/out")  # Hidden is promoted: she can't be told privately
    assert "waitlist" in await tap(h, OPEN, "in")
    await said(h, HIDDEN, "/maybe running late")
    await said(h, HIDDEN, "/in running late")
    await said(h, ADMIN, "/move wed 19:00")
    await said(h, ADMIN, "/cancel rain")
    await said(h, ADMIN, "/move tue 18:30")  # reinstated
    for command in ("/next", "/settings", "/targets", "/me", "/pb", "/results"):
        await said(h, HIDDEN, command)
        await said(h, SHY, command)
    session = await sessions.next_session(db, GROUP, h.clock.now)
    assert "remind" in await until(h, session.reminder_at)
    assert "prompt" in await until(h, session.ends_at)
    await said(h, ADMIN, "/report @zquill noshow")
    for user in (HIDDEN, SHY, OPEN):
        await said(h, user, f"/report {splits} # windy")
    await said(h, ADMIN, f"/report @obrack {splits}")
    await said(h, ADMIN, "/report @obrack undo")
    await said(h, SHY, f"/report {splits}", chat=SHY)
    await said(h, HIDDEN, f"/report {splits.replace('2:3', '2:2', 1)}")  # a correction
    later = await until(h, session.starts_at + timedelta(days=1, hours=12))
    assert {"nudge", "board"} <= set(later), later
    for user in (HIDDEN, SHY, OPEN, ADMIN):
        await said(h, user, "/results")
    for command in ("/attendance", "/groups", "/targets"):
        await said(h, ADMIN, command)


@pytest.fixture
def h(harness: Harness, caplog: pytest.LogCaptureFixture) -> Harness:
    caplog.set_level(logging.WARNING)
    for user, (first, last, username) in PEOPLE.items():
        harness.api.add_user(user, first, username, last)
    harness.api.chats[GROUP].members.update(PEOPLE)
    return harness


async def test_a_private_member_is_never_named_in_the_group_all_week(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    for command in (
        "/set day tue",
        "/set time 18:30",
        "/set place The track",
        "/set capacity 2",
        "/set guests on",
        "/workout 6x800m @5K r90s",
        "/workout 2026-12-08 6x800m @5K r90s",
    ):
        reply = await said(h, ADMIN, command)
        assert reply.startswith(("✅ Saved.", "🏋️ Workout for")), (command, reply)
    await said(h, HIDDEN, "/private on")
    h.api.user_starts(SHY)
    for command in ("/start", "/private on", "/remind on", "/benchmark 5k 20:00"):
        await said(h, SHY, command, chat=SHY)
    for user in (HIDDEN, OPEN):
        await said(h, user, "/benchmark 5k 19:30")
    await week(h, WEEK1)
    await week(h, WEEK2)
    group = "\n".join(h.bot_texts(GROUP))
    assert group.count("📊 Results") >= 2 and "🏅" in group  # the boards, with personal bests
    assert "private" in group  # the private members were counted on them
    errors = [r.getMessage() for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors
    assert appearances(h, HIDDEN) == []
    assert appearances(h, SHY) == []
    # The same search finds the public member all over the group's messages.
    assert len(appearances(h, OPEN)) > 10
