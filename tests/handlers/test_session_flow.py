"""The weekly story through the real Application: set up, workout, announce, answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import on_startup, on_stop
from db import claims, rsvps, sessions
from db.sessions import ANNOUNCEMENT
from jobs import posts
from tests.handlers.conftest import ADMIN, ANN, BOB, CAT, DAN, GROUP, Harness


async def set_up(h: Harness, *extra: str) -> None:
    for command in ("/set day tue", "/set time 18:30", "/set place The track", *extra):
        reply = await h.say(ADMIN, command)
        assert reply.startswith("✅ Saved."), reply


async def announce(h: Harness) -> int:
    await h.say(ADMIN, "/announce")
    announcement = [
        m
        for m in h.api.messages_in(GROUP)
        if m.from_bot and "Speed session ·" in (m.plain_text or "")
    ]
    assert announcement, h.bot_texts()
    return announcement[-1].message_id


async def test_set_echoes_the_next_announcement_reminder_and_session(harness: Harness) -> None:
    reply = await harness.say(ADMIN, "/set day tuesday")
    assert "day: Tuesday" in reply
    assert "Next session: Tue 1 Dec, 18:30" in reply
    assert "Announcement: Sun 29 Nov, 18:30" in reply
    assert "Reminder: Tue 1 Dec, 15:30" in reply
    reply = await harness.say(ADMIN, "/set tz America/New_York")
    assert "Next session: Tue 1 Dec, 18:30" in reply  # local wall time is kept


async def test_members_cannot_change_settings_and_bad_values_change_nothing(
    harness: Harness,
) -> None:
    await set_up(harness)
    refused = await harness.say(ANN, "/set day friday")
    assert "Only coaches" in refused
    bad = await harness.say(ADMIN, "/set time 25:99")
    assert "18:30" in bad  # the example
    settings = await harness.say(ANN, "/settings")
    assert "day: Tuesday" in settings and "time: 18:30" in settings


async def test_workout_is_read_back_and_free_text_is_accepted(harness: Harness) -> None:
    await set_up(harness)
    reply = await harness.say(ADMIN, "/workout 6x800m @5K r90s")
    assert "Read as:" in reply and "800" in reply
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    assert session.workout is not None and session.workout_text == "6x800m @5K r90s"
    free = await harness.say(ADMIN, "/workout fartlek in the park, coach's choice")
    assert "free text" in free
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    assert session.workout is None and session.workout_text == "fartlek in the park, coach's choice"
    assert "Only coaches" in await harness.say(BOB, "/workout 10x400m")


async def test_taps_are_answered_and_the_announcement_shows_the_names(harness: Harness) -> None:
    await set_up(harness)
    await harness.say(ADMIN, "/workout 6x800m @5K r90s")
    message_id = await announce(harness)
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    assert (
        await harness.press(ANN, message_id, f"rsvp:{session.id}:in")
        == "You're in for Tue 1 Dec, 18:30 ✅"
    )
    assert "maybe" in (await harness.press(BOB, message_id, f"rsvp:{session.id}:maybe")).lower()
    assert "out" in (await harness.press(CAT, message_id, f"rsvp:{session.id}:out")).lower()
    text = harness.api.message(GROUP, message_id).plain_text or ""
    assert "In (1): Ann" in text and "Maybe (1): Bob" in text and "Out (1): Cat" in text
    assert "6 × 800" in text and "The track" in text


async def test_reannounce_replaces_the_copy_and_old_buttons_are_refused(harness: Harness) -> None:
    await set_up(harness)
    first = await announce(harness)
    second = await announce(harness)
    assert second != first
    assert harness.api.message(GROUP, first).deleted
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    assert (
        await claims.claim(harness.services.db, session.id, ANNOUNCEMENT, GROUP, harness.clock.now)
        is False
    )
    answer = await harness.press(ANN, second, f"rsvp:{session.id}:in")
    assert "You're in" in answer


async def test_forged_button_data_is_refused_politely(harness: Harness) -> None:
    await set_up(harness)
    message_id = await announce(harness)
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    for data in (
        f"rsvp:{session.id + 999}:in",
        "rsvp:abc:in",
        f"rsvp:{session.id}:yes",
        "x" * 64,
        "setup:99:tue",
    ):
        answer = await _press_forged(harness, ANN, message_id, data)
        assert answer, data
    board = await rsvps.board(harness.services.db, session.id)
    assert board is not None and board.entries == ()


async def _press_forged(h: Harness, user: int, message_id: int, data: str) -> str:
    """A press on a real message whose callback data was tampered with on the way."""
    first_button = h.api.message(GROUP, message_id).buttons[0]
    update = h.api.user_presses(user, GROUP, message_id, data=first_button["callback_data"])
    update["callback_query"]["data"] = data
    await h.feed(update)
    answers = h.api.callback_answers_for(update["callback_query"]["id"])
    return str(answers[-1].get("text", "")) if answers else ""


async def test_commands_answer_with_notes_and_private_chat_uses_the_home_group(
    harness: Harness,
) -> None:
    await set_up(harness)
    assert "don't know your club" in await harness.say(DAN, "/in", chat=DAN)
    reply = await harness.say(DAN, "/in running late")
    assert reply == "You're in for Tue 1 Dec, 18:30 ✅"
    assert "out" in (await harness.say(DAN, "/out", chat=DAN)).lower()
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    board = await rsvps.board(harness.services.db, session.id)
    assert board is not None
    assert [(e.person.first_name, e.reply.answer.value) for e in board.entries] == [("Dan", "out")]


async def test_waitlist_promotion_is_told_privately_or_by_mention(harness: Harness) -> None:
    await set_up(harness, "/set capacity 1")
    message_id = await announce(harness)
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    await harness.press(ANN, message_id, f"rsvp:{session.id}:in")
    waiting = await harness.press(BOB, message_id, f"rsvp:{session.id}:in")
    assert "#1 on the waitlist" in waiting
    await harness.press(CAT, message_id, f"rsvp:{session.id}:in")
    harness.api.user_starts(BOB)
    await harness.feed(harness.api.user_sends(BOB, BOB, "/start"))
    await harness.press(ANN, message_id, f"rsvp:{session.id}:out")
    assert any("a place freed up" in t for t in harness.bot_texts(BOB))
    await harness.press(BOB, message_id, f"rsvp:{session.id}:out")  # Cat has not started the bot
    assert any("a place freed up" in t and "Cat" in t for t in harness.bot_texts(GROUP))


async def test_cancel_edits_the_announcement_and_tells_in_and_maybe(harness: Harness) -> None:
    await set_up(harness)
    message_id = await announce(harness)
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    await harness.press(ANN, message_id, f"rsvp:{session.id}:in")
    await harness.press(BOB, message_id, f"rsvp:{session.id}:out")
    assert "Only coaches" in await harness.say(ANN, "/cancel")
    reply = await harness.say(ADMIN, "/cancel heavy thunderstorms")
    assert "Cancelled" in reply and "heavy thunderstorms" in reply and "1 member" in reply
    announcement = harness.api.message(GROUP, message_id)
    assert "CANCELLED" in (announcement.plain_text or "") and not announcement.reply_markup
    assert any("Ann" in t and "cancelled" in t for t in harness.bot_texts(GROUP))
    assert "cancelled" in await harness.say(BOB, "/in")


async def test_move_retimes_and_tells(harness: Harness) -> None:
    await set_up(harness)
    message_id = await announce(harness)
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    await harness.press(ANN, message_id, f"rsvp:{session.id}:maybe")
    assert "Usage" in await harness.say(ADMIN, "/move")
    assert "🤔" in await harness.say(ADMIN, "/move someday 19:00")
    reply = await harness.say(ADMIN, "/move thu 19:00")
    assert "Thu 26 Nov, 19:00" in reply
    assert "Thu 26 Nov, 19:00" in (harness.api.message(GROUP, message_id).plain_text or "")


async def test_coach_added_by_reply_can_then_post_workouts(harness: Harness) -> None:
    await set_up(harness)
    await harness.say(ANN, "hello")  # privacy mode: the bot doesn't see it, but it exists
    ann_message = harness.api.messages_in(GROUP)[-1].message_id
    assert "Only group admins" in await harness.say(BOB, "/coach add", reply_to=ann_message)
    assert "now a coach" in await harness.say(ADMIN, "/coach add", reply_to=ann_message)
    assert "Read as" in await harness.say(ANN, "/workout 3x1mi @T r2:00")
    assert "no longer a coach" in await harness.say(ADMIN, f"/coach remove {ANN}")
    assert "Only coaches" in await harness.say(ANN, "/workout 3x1mi @T r2:00")


async def test_reminder_posts_once_in_group_and_privately_to_opted_in(harness: Harness) -> None:
    await set_up(harness)
    await announce(harness)
    await harness.say(ANN, "/in")
    harness.api.user_starts(ANN)
    await harness.feed(harness.api.user_sends(ANN, ANN, "/remind on"))
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    harness.clock.now = session.reminder_at
    await posts.post_reminder(harness.app.bot, harness.services, session.id)
    await posts.post_reminder(harness.app.bot, harness.services, session.id)
    reminders = [t for t in harness.bot_texts(GROUP) if t.startswith("⏰ Reminder")]
    assert len(reminders) == 1 and "Ann" in reminders[0]
    private = [t for t in harness.bot_texts(ANN) if t.startswith("⏰")]
    assert len(private) == 1


async def test_scheduled_announcement_is_posted_once_and_restart_catches_up(
    harness: Harness,
) -> None:
    await set_up(harness)
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    jobs = {job.name: job for job in harness.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert f"announce:{GROUP}" in jobs and f"remind:{GROUP}" in jobs and f"rollover:{GROUP}" in jobs
    assert jobs[f"announce:{GROUP}"].job.trigger.run_date == session.announce_at
    harness.clock.now = session.announce_at + timedelta(hours=3)  # the bot was down
    from jobs.scheduler import rebuild

    await rebuild(harness.app.job_queue, harness.services)
    due = {job.name: job for job in harness.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert due[f"announce:{GROUP}"].job.trigger.run_date == harness.clock.now
    first = await posts.post_announcement(harness.app.bot, harness.services, session.id)
    again = await posts.post_announcement(harness.app.bot, harness.services, session.id)
    assert first is not None and again is None
    assert len([t for t in harness.bot_texts(GROUP) if "Speed session ·" in t]) == 1


async def test_bot_removed_from_group_stops_its_schedule(harness: Harness) -> None:
    await set_up(harness)
    await harness.feed(harness.api.bot_removed_from_group(GROUP, ADMIN))
    assert await sessions.plan_all(harness.services.db, harness.clock.now) == []
    assert not [j for j in harness.app.job_queue.jobs() if j.name and str(GROUP) in j.name]  # type: ignore[union-attr]


async def test_menus_are_registered_per_scope(harness: Harness) -> None:
    scopes = {str(call.params.get("scope")) for call in harness.api.calls_of("setMyCommands")}
    assert len(scopes) == 3


async def test_location_adds_a_map_pin_once(harness: Harness) -> None:
    await set_up(harness, "/set location 51.5560,-0.1510")
    await announce(harness)
    await announce(harness)  # a re-post does not pin again
    venues = harness.api.calls_of("sendVenue")
    assert len(venues) == 1
    assert venues[0].params["latitude"] == pytest.approx(51.556)
    assert venues[0].params["title"] == "The track"


async def test_guests_count_towards_capacity(harness: Harness) -> None:
    await set_up(harness, "/set capacity 2", "/set guests on")
    message_id = await announce(harness)
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    assert "Tap In first" in await harness.press(ANN, message_id, f"rsvp:{session.id}:guest+")
    await harness.press(ANN, message_id, f"rsvp:{session.id}:in")
    assert "1 guest" in await harness.press(ANN, message_id, f"rsvp:{session.id}:guest+")
    assert "waitlist" in await harness.press(BOB, message_id, f"rsvp:{session.id}:in")
    text = harness.api.message(GROUP, message_id).plain_text or ""
    assert "In (2/2): Ann (+1)" in text and "Waitlist (1): Bob" in text
    await harness.press(ANN, message_id, f"rsvp:{session.id}:guest-")
    assert any("a place freed up" in t and "Bob" in t for t in harness.bot_texts(GROUP))


async def test_an_answer_committed_just_before_a_stop_reaches_the_announcement_at_start_up(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await set_up(harness)
    message_id = await announce(harness)
    refresher = harness.services.refresher
    assert refresher is not None
    # The process dies after the commit and before the edit: the edit never happens.
    monkeypatch.setattr(refresher, "mark", lambda session_id: None)
    harness.clock.advance(minutes=1)
    session = await sessions.next_session(harness.services.db, GROUP, harness.clock.now)
    assert (await harness.press(ANN, message_id, f"rsvp:{session.id}:in")).startswith("You're in")
    assert "Ann" not in (harness.api.message(GROUP, message_id).plain_text or "")
    monkeypatch.undo()
    await on_startup(harness.app)  # the next start
    await harness.settle()
    assert "Ann" in (harness.api.message(GROUP, message_id).plain_text or "")
    edits = len(harness.api.calls_of("editMessageText"))
    await on_stop(harness.app)  # a clean stop records what the announcements show
    await on_startup(harness.app)  # nothing missed now: no further edit
    await harness.settle()
    assert len(harness.api.calls_of("editMessageText")) == edits
