"""Hostile input: every bad input gets a friendly reply and changes nothing; nothing crashes.

Every registered command is sent, in the group and in a private chat, by an admin and
by a plain member, with arguments that are empty, huge, oddly encoded, injection-shaped
or numerically extreme; then every /set key, /move, /workout and /coach with bad values;
then arbitrary arguments and arbitrary button data from hypothesis. After each one:

- the bot answered with a non-empty message that is not the generic apology;
- nothing was logged at ERROR (the error handler logs every update that failed);
- every sendMessage / editMessageText / answerCallbackQuery was accepted by the fake
  (it rejects malformed HTML and over-long texts with Telegram's 400s);
- unless the reply says something was saved, the database is exactly as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import CommandHandler

from db import rsvps, sessions
from handlers.setup import STEPS
from tests.handlers.conftest import ADMIN, ANN, BOB, DAN, GROUP, Harness
from tests.handlers.support import (
    COMMANDS,
    EVE,
    FRED,
    FRED_NAME,
    GROUP2,
    GROUP2_TITLE,
    HOSTILE_ARGUMENTS,
    WHO,
    Watch,
    announcement_id,
    prepare,
    state,
    succeeded,
)


def has_example(reply: str) -> bool:
    return any(hint in reply for hint in ("e.g.", "Example", "Usage", "like America/New_York"))


@pytest.fixture
def watch(harness: Harness, caplog: pytest.LogCaptureFixture) -> Iterator[Watch]:
    caplog.set_level(logging.WARNING)
    w = Watch(harness, caplog)
    yield w
    w.check_clean("at the end")


# --- the command list is the registered one ------------------------------------------------


async def test_every_registered_command_is_covered(harness: Harness) -> None:
    registered = {
        command
        for handler in harness.app.handlers[0]
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    assert registered == set(COMMANDS)


# --- every command x every hostile argument x every kind of sender -------------------------


@pytest.mark.parametrize(
    ("user", "chat"), WHO, ids=["admin-group", "member-group", "admin-private", "member-private"]
)
async def test_hostile_arguments_to_every_command_get_a_friendly_reply(
    watch: Watch, user: int, chat: int
) -> None:
    await prepare(watch)
    for command in COMMANDS:
        for argument in HOSTILE_ARGUMENTS:
            await watch.say(user, f"/{command} {argument}" if argument else f"/{command}", chat)
        await watch.say(user, f"/{command}@SpeedSessionBot", chat)


# --- every /set key, /move, /workout, /coach and /remind with bad values -------------------

BAD_SETTINGS = {
    "day": ("funday", "t", "mon tue", "8", "-1", "99999999999999999999", "<b>tue</b>", "nan"),
    "time": ("25:00", "18:60", "24:00", "1830", "6pm", "18:30:00", "-1", "1e309", "nan"),
    "tz": ("Mars/Olympus", "London", "UTC+25", "../../etc/passwd", "x" * 5000, "<b>", "%s"),
    "place": ("\x00\x07 gate", "\u202eevil gate", "x" * 201),
    "location": ("91,0", "0,181", "nan,nan", "1e309,0", "abc", "51.5", "-1", "inf,inf"),
    "announce": ("0", "-1", "1e309", "nan", "7d", "30s", "1h", "99999999999999999999h", "1.5m"),
    "reminder": ("0", "-1h", "48h", "6d", "nan", "1e309", "99999999999999999999m"),
    "duration": ("0", "30s", "9h", "90", "-90m", "nan", "1e309", "99999999999999999999m"),
    "capacity": ("-1", "501", "99999999999999999999", "1e309", "nan", "ten", "1.5", "0x10"),
    "guests": ("maybe", "2", "-1", "nan", "<b>on</b>", "on off"),
}

BAD_MOVES = (
    "thu",
    "thu 25:00",
    "thu 7pm",
    "funday 19:00",
    "yesterday 19:00",
    "2026-11-24 19:00",  # yesterday
    "2026-11-25 11:00",  # earlier today (it is 12:00 in London)
    "today 12:00",  # right now
    "2026-02-30 19:00",
    "0000-01-01 19:00",
    "2027-12-01 19:00",  # more than a year ahead
    "9999-12-31 19:00",
    "-1 -1",
    "nan nan",
    "99999999999999999999 99999999999999999999",
    "1e309 19:00",
    "thu 19:00 please",
)

BAD_WORKOUTS = (
    "2026-11-24 6x800m @5K r90s",  # yesterday
    "2026-02-30 6x800m @5K r90s",
    "0000-00-00 6x800m",
    "2027-12-31 6x800m",  # more than a year ahead
    "2026-11-26 6x800m",  # a Thursday: not a session day
    "2026-12-01",  # a date but no workout
    "2026-12-01 \x00\x01",
    "\x00\x01\x07",
    "6x800m " * 60,  # too long
)

BAD_COACH = (
    "add 123456789",  # nobody on Telegram
    "add 0",
    "add -5",
    "add 99999999999999999999",
    "add ²",
    "add abc",
    "add @ann",
    "add",  # not a reply to anyone
    "remove 123456789",
    "promote 2",
    "add 2 3",
    "add 999000",  # the bot itself
    f"add {EVE}",  # not in this group
)


async def test_set_with_every_key_and_bad_values_explains_and_saves_nothing(
    watch: Watch,
) -> None:
    await prepare(watch)
    for key, values in BAD_SETTINGS.items():
        for value in values:
            reply = await watch.say(ADMIN, f"/set {key} {value}")
            assert not succeeded(reply) and has_example(reply), (key, value, reply)
    for command in ("/set colour red", "/set days tuesday", "/set <b> x", "/set ²³ 4", "/set day"):
        reply = await watch.say(ADMIN, command)
        assert not succeeded(reply) and has_example(reply), (command, reply)
    assert "Only coaches" in await watch.say(ANN, "/set day friday")
    assert "in your club's group" in await watch.say(ADMIN, "/set day friday", ADMIN)


async def test_move_with_bad_days_times_and_past_dates_explains_and_moves_nothing(
    watch: Watch,
) -> None:
    await prepare(watch)
    for argument in BAD_MOVES:
        reply = await watch.say(ADMIN, f"/move {argument}")
        assert not succeeded(reply) and has_example(reply), (argument, reply)
    assert "Only coaches" in await watch.say(ANN, "/move thu 19:00")
    # A cancelled session is not brought back by a move that fails.
    watch.undo_cancel = False
    assert "Cancelled" in await watch.say(ADMIN, "/cancel rain")
    for argument in ("2026-11-24 19:00", "thu 25:00", "thu"):
        assert has_example(await watch.say(ADMIN, f"/move {argument}")), argument
    session = await sessions.next_session(watch.h.services.db, GROUP, watch.h.clock.now)
    assert session.cancelled and session.cancel_reason == "rain"


async def test_workout_with_past_or_bad_dates_explains_and_saves_nothing(watch: Watch) -> None:
    await prepare(watch)
    for argument in BAD_WORKOUTS:
        reply = await watch.say(ADMIN, f"/workout {argument}")
        assert not succeeded(reply) and has_example(reply), (argument, reply)
    unreadable = await watch.say(ADMIN, "/workout 6x800m @5K r90s ))(( <b>&")
    assert "couldn't read it as notation" in unreadable and "/help workout" in unreadable
    session = await sessions.next_session(watch.h.services.db, GROUP, watch.h.clock.now)
    assert session.workout is None and session.workout_text == "6x800m @5K r90s ))(( <b>&"
    announcement = watch.h.api.message(GROUP, watch.ids["announcement"]).plain_text or ""
    assert "))(( <b>&" in announcement  # shown as typed, not as markup


async def test_coach_with_bogus_user_ids_explains_and_adds_nobody(watch: Watch) -> None:
    await prepare(watch)
    for argument in BAD_COACH:
        reply = await watch.say(ADMIN, f"/coach {argument}")
        assert not succeeded(reply) and has_example(reply), (argument, reply)
    assert "Only group admins" in await watch.say(ANN, f"/coach add {BOB}")
    assert "now a coach" in await watch.say(ADMIN, f"/coach add {BOB}")


async def test_remind_with_anything_but_on_or_off_changes_nothing(watch: Watch) -> None:
    await prepare(watch)
    for argument in ("maybe", "on please", "onn", "1", "yes", "<b>on</b>", "on\x00"):
        reply = await watch.say(ANN, f"/remind {argument}", ANN)
        assert "Usage: /remind on" in reply, (argument, reply)
    assert "Private reminders are on" in await watch.say(ANN, "/remind ON", ANN)
    group_reply = await watch.say(ANN, "/remind maybe")
    assert "private chat" in group_reply


async def test_markup_in_names_titles_notes_and_places_is_shown_as_typed(
    watch: Watch,
) -> None:
    await prepare(watch)
    h = watch.h
    assert "You're in" in await watch.say(FRED, "/in <i>late</i> & tired")
    announcement = h.api.message(GROUP, watch.ids["announcement"]).plain_text or ""
    assert f"{FRED_NAME} *_[`" in announcement and "<i>late</i> & tired" in announcement
    assert "The <track> & field" in announcement
    assert f"Hi {FRED_NAME}!" in await watch.say(FRED, "/start", FRED)
    await h.feed(h.api.user_sends(FRED, GROUP, "hello"))  # a plain message, to reply to
    fred_says = h.api.messages_in(GROUP)[-1].message_id
    added = await watch.say(ADMIN, "/coach add", reply_to=fred_says)
    assert f"{FRED_NAME} *_[` is now a coach" in added
    assert "(<b>storm</b> & </a>)" in await watch.say(FRED, "/cancel <b>storm</b> & </a>")
    assert "cancelled (<b>storm</b> & </a>)" in h.bot_texts(ANN)[-1]  # told privately
    linked = await watch.say(ANN, "/start g100777", ANN)
    assert f"You're linked to {GROUP2_TITLE}." in linked
    assert GROUP2_TITLE in await watch.say(ANN, "/settings", ANN)


async def test_hidden_control_characters_in_notes_and_reasons_are_refused(
    watch: Watch,
) -> None:
    """They would be stored and echoed into the group (PostgreSQL refuses NUL outright)."""
    await prepare(watch)
    for hidden in ("\x00", "\x07", "\x1b[31m", "\u202e", "\u2066"):
        for command in ("/in", "/maybe", "/out"):
            for user, chat in ((DAN, GROUP), (ANN, ANN)):
                reply = await watch.say(user, f"{command} late {hidden}ly", chat)
                assert "control characters" in reply and has_example(reply), (command, hidden)
        reply = await watch.say(ADMIN, f"/cancel storm{hidden}")
        assert "control characters" in reply and has_example(reply), hidden
    assert "You're in" in await watch.say(DAN, "/in running\n  late")
    board = await rsvps.board(watch.h.services.db, watch.ids["this"])
    assert board is not None
    assert {e.person.user_id: e.note for e in board.entries}[DAN] == "running late"


# --- buttons: old announcements, other groups, anything at all ------------------------------


async def test_buttons_of_a_replaced_announcement_are_refused(watch: Watch) -> None:
    await prepare(watch)
    h = watch.h
    old = watch.ids["announcement"]
    this = watch.ids["this"]
    late_tap = h.api.user_presses(DAN, GROUP, old, data=f"rsvp:{this}:in")  # arrives late
    await watch.say(ADMIN, "/announce")
    assert h.api.message(GROUP, old).deleted
    before = state(h)
    assert "out of date" in await watch.feed_press(late_tap)
    watch.check_clean("late tap")
    assert state(h) == before
    # Too old to delete: the copy stays visible, and its buttons still do nothing.
    kept = announcement_id(h)
    h.api.fail_next("deleteMessage", 400, "Bad Request: message can't be deleted for everyone")
    await watch.say(ADMIN, "/announce")
    assert not h.api.message(GROUP, kept).deleted and announcement_id(h) != kept
    for data in (f"rsvp:{this}:in", f"rsvp:{this}:out", f"rsvp:{this}:guest+"):
        assert "out of date" in await watch.press(DAN, kept, data)
    assert "You're in" in await watch.press(DAN, announcement_id(h), f"rsvp:{this}:in")


async def test_buttons_for_another_groups_session_are_refused(watch: Watch) -> None:
    await prepare(watch)
    here, there = watch.ids["announcement"], watch.ids["announcement2"]
    for action in ("in", "maybe", "out", "guest+", "guest-"):
        answer = await watch.press(ANN, there, f"rsvp:{watch.ids['this']}:{action}", GROUP2)
        assert "doesn't belong" in answer
        answer = await watch.press(ANN, here, f"rsvp:{watch.ids['other']}:{action}")
        assert "doesn't belong" in answer
        answer = await watch.press(ANN, here, f"rsvp:{watch.ids['next']}:{action}")
        assert "out of date" in answer


# --- hypothesis: arbitrary arguments and arbitrary button data -----------------------------

SAMPLED_COMMANDS = (
    "in",
    "out",
    "set",
    "move",
    "workout",
    "cancel",
    "coach",
    "remind",
    "start",
    "report",
    "race",
    "pace",
    "benchmark",
    "profile",
)
FUZZ = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(
    command=st.sampled_from(SAMPLED_COMMANDS),
    sender=st.sampled_from(WHO),
    argument=st.one_of(
        st.text(max_size=80),
        st.builds(  # past the first word, where the parsers are
            lambda word, rest: f"{word} {rest}",
            st.sampled_from(
                (*BAD_SETTINGS, "add", "remove", "on", "thu", "today", "2026-12-01", "g100500")
            ),
            st.text(max_size=40),
        ),
    ),
)
async def test_arbitrary_arguments_never_break_anything(
    watch: Watch, command: str, sender: tuple[int, int], argument: str
) -> None:
    if not watch.ids:
        await prepare(watch)
    user, chat = sender
    await watch.say(user, f"/{command} {argument}", chat)


SETUP_VALUES = sorted({value for step in STEPS for _, value in step.choices} | {"skip"})
PLACEHOLDERS = ("{this}", "{next}", "{other}", "{gone}")
session_ids = st.one_of(
    st.sampled_from(PLACEHOLDERS),
    st.integers(-3, 10**13).map(str),
    st.sampled_from(("", "²", "\u0661", "0x1", " 1", "1.0", "99999999999999999999")),
)
actions = st.sampled_from(("in", "maybe", "out", "guest+", "guest-", "IN", "in ", "yes", ""))
button_data = st.one_of(
    st.builds(lambda i, a: f"rsvp:{i}:{a}", session_ids, actions),
    st.builds(
        lambda n, v: f"setup:{n}:{v}",
        st.one_of(st.integers(-1, 9).map(str), st.sampled_from(("²", "", "1" * 20))),
        st.one_of(st.sampled_from(SETUP_VALUES), st.text(max_size=8)),
    ),
    st.text(min_size=1, max_size=64),
).filter(lambda data: 1 <= len(data.encode()) <= 64)


@FUZZ
@given(data=button_data, user=st.sampled_from((ANN, DAN, EVE)))
async def test_arbitrary_button_data_never_breaks_anything(
    watch: Watch, data: str, user: int
) -> None:
    if not watch.ids:
        await prepare(watch)
    for name in ("this", "next", "other", "gone"):
        data = data.replace("{" + name + "}", str(watch.ids[name]))
    await watch.press(user, watch.ids["announcement"], data)
