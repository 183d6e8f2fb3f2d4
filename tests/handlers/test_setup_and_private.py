"""/setup with buttons, and everything a member does in a private chat with the bot."""

from __future__ import annotations

from datetime import time, timedelta

from db import groups, members, rsvps, sessions
from handlers import texts
from handlers.errors import SORRY
from handlers.guards import COACH_ONLY
from handlers.setup import STEPS
from tests.fake_api import BOT_USERNAME
from tests.fake_api.formatting import visible_html
from tests.handlers.conftest import ADMIN, ANN, BOB, DAN, GROUP, Harness

EVE = 6  # on Telegram, but not in the group


def no_apologies(h: Harness, *chats: int) -> None:
    for chat in chats:
        assert not [t for t in h.bot_texts(chat) if SORRY in t], h.bot_texts(chat)
    failed = [c for c in h.api.calls if not c.ok and c.method != "getUpdates"]
    assert not failed, [(c.method, c.description) for c in failed]


async def start_setup(h: Harness) -> int:
    reply = await h.say(ADMIN, "/setup")
    assert f"Set-up 1/{len(STEPS)}" in reply and "Which day" in reply
    message = h.api.messages_in(GROUP)[-1]
    assert message.from_bot and "setup:0:skip" in message.callback_data
    return message.message_id


def step_of(h: Harness, message_id: int) -> str:
    return h.api.message(GROUP, message_id).plain_text or ""


async def test_setup_walks_every_step_with_buttons_and_saves_each_choice(
    harness: Harness,
) -> None:
    h = harness
    message_id = await start_setup(h)
    choices = ("thu", "19:00", "72h", "2h", "75m", "20", "on")
    assert [step.key for step in STEPS] == [
        "day",
        "time",
        "announce",
        "reminder",
        "duration",
        "capacity",
        "guests",
    ]
    for index, value in enumerate(choices):
        assert f"Set-up {index + 1}/{len(STEPS)}" in step_of(h, message_id)
        assert await h.press(ADMIN, message_id, f"setup:{index}:{value}") == "Saved"
    final = step_of(h, message_id)
    assert "All set" in final and not h.api.message(GROUP, message_id).reply_markup
    for line in (
        "day: Thursday",
        "time: 19:00",
        "announce: 3 days before",
        "reminder: 2 h before",
        "duration: 1 h 15 min",
        "capacity: 20",
        "guests: on",
        "Next session: Thu 26 Nov, 19:00",
    ):
        assert line in final, (line, final)
    group = await groups.get_group(h.services.db, GROUP)
    assert group is not None and group.configured
    assert (group.weekday, group.start_time) == (3, time(19, 0))
    assert (group.announce_lead, group.reminder_lead) == (timedelta(hours=72), timedelta(hours=2))
    assert (group.duration, group.capacity, group.guests_allowed) == (
        timedelta(minutes=75),
        20,
        True,
    )
    jobs = {job.name for job in h.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert f"announce:{GROUP}" in jobs and f"remind:{GROUP}" in jobs
    no_apologies(h, GROUP)


async def test_setup_buttons_are_for_coaches_and_skip_keeps_the_old_value(
    harness: Harness,
) -> None:
    h = harness
    assert (await h.say(ADMIN, "/set time 06:30")).startswith("✅ Saved.")
    assert "Only coaches" in await h.say(ANN, "/setup")
    message_id = await start_setup(h)
    before = await groups.get_group(h.services.db, GROUP)
    shown = step_of(h, message_id)
    for data in ("setup:0:fri", "setup:0:skip"):
        assert await h.press(ANN, message_id, data) == COACH_ONLY
    assert await groups.get_group(h.services.db, GROUP) == before
    assert step_of(h, message_id) == shown  # the question did not move on
    assert await h.press(ADMIN, message_id, "setup:0:fri") == "Saved"
    assert await h.press(ADMIN, message_id, "setup:1:skip") == "Skipped"
    for index in range(2, len(STEPS)):
        assert await h.press(ADMIN, message_id, f"setup:{index}:skip") == "Skipped"
    final = step_of(h, message_id)
    assert "All set" in final and "day: Friday" in final and "time: 06:30" in final
    group = await groups.get_group(h.services.db, GROUP)
    assert before is not None and group is not None
    assert (group.weekday, group.start_time) == (4, time(6, 30))
    assert group.announce_lead == before.announce_lead and group.capacity == before.capacity
    assert not h.api.message(GROUP, message_id).buttons  # a finished set-up has no buttons
    no_apologies(h, GROUP)


async def test_setup_skipping_everything_still_starts_the_weekly_posts(
    harness: Harness,
) -> None:
    """README: automatic posts start once an admin has finished /setup."""
    h = harness
    message_id = await start_setup(h)
    for index in range(len(STEPS)):
        assert await h.press(ADMIN, message_id, f"setup:{index}:skip") == "Skipped"
    final = step_of(h, message_id)
    assert "All set" in final and "Next session: Tue 1 Dec, 18:30" in final
    group = await groups.get_group(h.services.db, GROUP)
    assert group is not None and group.configured
    jobs = {job.name for job in h.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert f"announce:{GROUP}" in jobs


async def test_setup_is_only_for_the_group(harness: Harness) -> None:
    assert "in your club's group" in await harness.say(ADMIN, "/setup", chat=ADMIN)


# --- private chat --------------------------------------------------------------------------


async def set_up_group(h: Harness) -> None:
    for command in ("/set day tue", "/set time 18:30", "/set place The track"):
        assert (await h.say(ADMIN, command)).startswith("✅ Saved."), command


async def test_start_then_help_in_private_shows_the_private_help(harness: Harness) -> None:
    h = harness
    await h.feed(h.api.user_starts(BOB))
    hello = h.bot_texts(BOB)[-1]
    assert hello.startswith("Hi Bob!") and "/remind on" in hello
    assert "You're linked" not in hello
    help_text = await h.say(BOB, "/help", chat=BOB)
    assert "In this private chat" in help_text and "/in, /maybe, /out" in help_text
    assert "t.me/" not in (h.api.messages_in(BOB)[-1].text or "")


async def test_deep_link_links_a_member_to_the_group_and_in_answers_there(
    harness: Harness,
) -> None:
    h = harness
    await set_up_group(h)
    assert await members.home_group(h.services.db, DAN) is None
    assert "don't know your club" in await h.say(DAN, "/in", chat=DAN)
    await h.feed(h.api.user_starts(DAN, f"g{abs(GROUP)}"))
    hello = h.bot_texts(DAN)[-1]
    assert "You're linked to Harriers." in hello
    assert await members.home_group(h.services.db, DAN) == GROUP
    assert await h.say(DAN, "/in running late", chat=DAN) == "You're in for Tue 1 Dec, 18:30 ✅"
    session = await sessions.next_session(h.services.db, GROUP, h.clock.now)
    board = await rsvps.board(h.services.db, session.id)
    assert board is not None
    assert [(e.person.user_id, e.reply.answer.value, e.note) for e in board.entries] == [
        (DAN, "in", "running late")
    ]
    assert "out" in (await h.say(DAN, "/out", chat=DAN)).lower()
    no_apologies(h, GROUP, DAN)


async def test_deep_link_does_not_link_someone_outside_the_group(harness: Harness) -> None:
    h = harness
    await set_up_group(h)
    h.api.add_user(EVE, "Eve")
    for payload in (f"g{abs(GROUP)}", "g1", "g²", "g-100500", "g" + "9" * 30, "x100500"):
        await h.feed(h.api.user_starts(EVE, payload))
        assert "You're linked" not in h.bot_texts(EVE)[-1], payload
    assert await members.home_group(h.services.db, EVE) is None
    assert "don't know your club" in await h.say(EVE, "/in", chat=EVE)
    no_apologies(h, EVE)


async def test_remind_on_and_off_in_private_and_a_pointer_from_the_group(
    harness: Harness,
) -> None:
    h = harness
    await set_up_group(h)
    await h.say(ANN, "/in")
    in_group = await h.say(ANN, "/remind on")
    assert "private chat" in in_group
    raw = h.api.messages_in(GROUP)[-1].text or ""
    assert f'href="https://t.me/{BOT_USERNAME}"' in raw
    session = await sessions.next_session(h.services.db, GROUP, h.clock.now)
    assert await members.private_reminder_audience(h.services.db, session.id) == []
    assert "Private reminders are on" in await h.say(ANN, "/remind on", chat=ANN)
    audience = await members.private_reminder_audience(h.services.db, session.id)
    assert [p.user_id for p in audience] == [ANN]
    assert "Private reminders are off" in await h.say(ANN, "/remind off", chat=ANN)
    assert await members.private_reminder_audience(h.services.db, session.id) == []
    # Someone the bot has never seen in a group is told how to link first.
    assert "Answer once in your club's group" in await h.say(BOB, "/remind on", chat=BOB)
    no_apologies(h, GROUP, ANN, BOB)


async def test_next_and_settings_in_private_use_the_home_group(harness: Harness) -> None:
    h = harness
    await set_up_group(h)
    assert "don't know your club" in await h.say(ANN, "/next", chat=ANN)
    assert "don't know your club" in await h.say(ANN, "/settings", chat=ANN)
    await h.say(ANN, "/in")
    upcoming = await h.say(ANN, "/next", chat=ANN)
    assert "Speed session · Tue 1 Dec, 18:30" in upcoming and "In (1): Ann" in upcoming
    assert "The track" in upcoming
    shown = await h.say(ANN, "/settings", chat=ANN)
    assert "Settings for Harriers" in shown and "day: Tuesday" in shown
    assert "place: The track" in shown and "Next session: Tue 1 Dec, 18:30" in shown
    no_apologies(h, GROUP, ANN)


async def test_help_workout_and_the_group_help_deep_link(harness: Harness) -> None:
    h = harness
    for chat in (GROUP, ANN):
        for topic in ("workout", "notation", "WORKOUT please"):
            reply = await h.say(ANN, f"/help {topic}", chat=chat)
            assert reply.startswith("Workout notation"), (chat, topic, reply)
            assert reply == visible_html(texts.workout_help())
    group_help = await h.say(ANN, "/help")
    assert "For coaches" in group_help and "In this private chat" not in group_help
    raw = h.api.messages_in(GROUP)[-1].text or ""
    assert f'href="https://t.me/{BOT_USERNAME}?start=g{abs(GROUP)}"' in raw
    # /start in the group is the group help too, with the same link.
    await h.say(ANN, "/start")
    assert f"?start=g{abs(GROUP)}" in (h.api.messages_in(GROUP)[-1].text or "")
    no_apologies(h, GROUP, ANN)
