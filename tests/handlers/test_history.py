"""/me, /pb, /progress, /race and /private through the real Application and fake Bot API.

Reports are saved through the real use cases (the weeks of `tests.db.test_history`):
Ann has six reported sessions and one no-show, Bob a few faster ones.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
from contextlib import closing
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from db import history as history_db
from db.history import RepView, SessionResult
from handlers import render_history as render
from handlers.errors import SORRY
from tests.db.test_history import Block, train
from tests.fake_api.models import Message
from tests.handlers.conftest import ADMIN, ANN, BOB, CAT, GROUP, Harness
from tests.handlers.support import HOSTILE_ARGUMENTS as SHARED_HOSTILE_ARGUMENTS
from tests.handlers.test_session_flow import announce, set_up

COMMANDS = ("me", "pb", "progress", "race", "private")


@pytest.fixture
async def h(harness: Harness) -> Harness:
    """The harness (the commands are registered by handlers/__init__.py)."""
    return harness


async def trained(h: Harness) -> Block:
    block = await train(h.services.db, chat=GROUP, ann=ANN, bob=BOB)
    h.clock.now = block.after  # a day in January 2027, after the last session
    return block


def last_bot_message(h: Harness, chat: int) -> Message:
    sent = [m for m in h.api.messages_in(chat) if m.from_bot]
    assert sent
    return sent[-1]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def no_apologies(h: Harness, *chats: int) -> None:
    for chat in chats:
        assert not [t for t in h.bot_texts(chat) if SORRY in t], h.bot_texts(chat)
    failed = [c for c in h.api.calls if not c.ok and c.method != "getUpdates"]
    assert not failed, [(c.method, c.description) for c in failed]


# --- /me ----------------------------------------------------------------------------------


async def test_me_in_private_shows_recent_sessions_with_splits_averages_and_notes(
    h: Harness,
) -> None:
    await trained(h)
    text = await h.say(ANN, "/me", chat=ANN)
    assert text.startswith("📒 Your last 6 sessions"), text
    # Newest first: the last 4x(400m, 200m), then the complete 6x800m week.
    assert text.index("Tue 12 Jan") < text.index("Tue 29 Dec 2026") < text.index("Tue 1 Dec 2026")
    assert "4 × (400 m + 200 m)" in text
    assert "1:16 36 1:15 35.5 1:15 35 1:14 35.2" in text
    assert "avg 400 m 1:15 (3:08/km) · 200 m 35.4 (2:57/km)" in text
    assert "2:45 2:44 2:43 2:42 2:41 2:40" in text
    assert "avg 2:42.5 · 3:23/km · very even" in text
    assert "2:44 2:43 x 2:41 2:40 2:39" in text and "1 skipped" in text  # the skipped rep
    assert "📝 calf" in text and "📝 steep one" in text and "📝 first one back" in text
    assert "10 × 200 m hills" in text
    assert "2:20" not in text and "1:10" not in text  # Bob's times
    assert "Tue 5 Jan" not in text  # the no-show week
    no_apologies(h, ANN)


async def test_me_in_the_group_is_short_and_names_the_member(h: Harness) -> None:
    await trained(h)
    text = await h.say(ANN, "/me")
    lines = text.splitlines()
    assert lines[0] == "📒 Ann's last 3 sessions"
    assert lines[1].startswith("Tue 12 Jan · 4 × (400 m + 200 m) · avg 400 m 1:15")
    assert lines[2].startswith("Tue 29 Dec 2026 · 6 × 800 m · avg 2:42.5")
    assert lines[3].startswith("Tue 22 Dec 2026 · 6 × 800 m · avg 2:41.4")
    assert "private chat" in lines[4] and len(lines) == 5
    assert "calf" not in text and "2:44 2:43" not in text  # no notes or splits in the group
    no_apologies(h, GROUP)


async def test_me_with_nothing_reported_yet(h: Harness) -> None:
    await trained(h)
    assert "no reported sessions yet" in await h.say(CAT, "/me", chat=CAT)
    assert "Cat has no reported sessions yet" in await h.say(CAT, "/me")
    assert "/me needs nothing after it" in await h.say(ANN, "/me please", chat=ANN)


# --- /private -----------------------------------------------------------------------------


async def test_private_mode_keeps_a_members_times_out_of_the_group(h: Harness) -> None:
    await trained(h)
    db = h.services.db
    assert "Private mode is off" in await h.say(ANN, "/private", chat=ANN)
    on = await h.say(ANN, "/private on", chat=ANN)
    assert on.startswith("🙈 Private mode is on") and await history_db.is_private(db, ANN)
    assert "already on" in await h.say(ANN, "/private yes")
    for command in ("/me", "/pb", "/progress", "/progress 800", "/race"):
        reply = await h.say(ANN, command)
        assert "private mode" in reply and "private chat" in reply, (command, reply)
        assert "2:4" not in reply and "Ann" not in reply
    raw = last_bot_message(h, GROUP).text or ""
    assert 'href="https://t.me/' in raw
    assert not [m for m in h.api.messages_in(GROUP) if m.photo is not None]
    # In the private chat everything still works.
    assert "Your last 6 sessions" in await h.say(ANN, "/me", chat=ANN)
    off = await h.say(ANN, "/private off", chat=ANN)
    assert off.startswith("👋 Private mode is off") and not await history_db.is_private(db, ANN)
    assert (await h.say(ANN, "/me")).startswith("📒 Ann's last 3")
    for bad in ("/private maybe", "/private on off", "/private " + "on" * 50):
        assert "Example: /private on" in await h.say(ANN, bad, chat=ANN), bad
    assert not await history_db.is_private(db, ANN)
    no_apologies(h, GROUP, ANN)


# --- /pb ----------------------------------------------------------------------------------


async def test_pb_lists_rep_and_set_bests_and_races(h: Harness) -> None:
    await trained(h)
    text = await h.say(ANN, "/pb", chat=ANN)
    assert text.startswith("🏆 Your personal bests")
    assert "200 m: 35 (2:55/km) · Tue 12 Jan" in text  # not the 34 s hill reps
    assert "400 m: 1:14 (3:05/km) · Tue 12 Jan" in text
    assert "800 m: 2:39 (3:19/km) · Tue 22 Dec 2026" in text  # from the skipped-rep week
    assert "6 × 800 m: 2:42.5 · Tue 29 Dec 2026 · best of 2" in text
    assert "4 × (400 m + 200 m): 55.2 · Tue 12 Jan · best of 2" in text
    assert "10 × 200 m hills: 34.1 · Tue 15 Dec 2026" in text
    assert "Races" not in text
    await h.say(ANN, "/race 5K 19:45 2026-10-04", chat=ANN)
    await h.say(ANN, "/race 5K 20:30 2026-11-01", chat=ANN)
    with_races = await h.say(ANN, "/pb", chat=ANN)
    assert "Races\n5K: 19:45 (3:57/km) · Sun 4 Oct 2026; latest 20:30 · Sun 1 Nov 2026" in (
        with_races
    )
    in_group = await h.say(ANN, "/pb")
    assert in_group.startswith("🏆 Ann's personal bests") and "800 m: 2:39" in in_group
    assert "no personal bests yet" in await h.say(CAT, "/pb", chat=CAT)
    assert "/pb needs nothing after it" in await h.say(ANN, "/pb 800", chat=ANN)
    no_apologies(h, GROUP, ANN, CAT)


# --- /progress ----------------------------------------------------------------------------


async def test_progress_sends_a_png_chart(h: Harness) -> None:
    await trained(h)
    for command, start in (
        ("/progress", "📈 Average pace by rep distance: 5 sessions, from Tue 1 Dec 2026"),
        ("/progress 800", "📈 800 m reps: average pace over 3 sessions"),
        ("/progress 400m", "📈 400 m reps: average pace over 2 sessions"),
        ("/progress 0.8 km", "📈 800 m reps: average pace over 3 sessions"),
    ):
        caption = await h.say(ANN, command, chat=ANN)
        message = last_bot_message(h, ANN)
        assert message.created_by == "sendPhoto" and message.photo is not None, command
        content = message.photo.content
        assert content is not None
        width, height = png_size(content)
        assert width >= 400 and height >= 250 and len(content) < 5 * 1024 * 1024
        assert caption.startswith(start), caption
        if command == "/progress":
            assert caption.splitlines()[1:] == [
                "200 m: best 2:57/km (Tue 12 Jan), latest 2:57/km",
                "400 m: best 3:08/km (Tue 12 Jan), latest 3:08/km",
                "800 m: best 3:22/km (Tue 22 Dec 2026), latest 3:23/km",
            ]
    # The 5-of-6 week was the fastest on average: pace counts every timed rep.
    assert caption.endswith(
        "Best 3:22/km (Tue 22 Dec 2026); latest 3:23/km.\n5 s/km faster than the first."
    )
    in_group = await h.say(ANN, "/progress 800")
    assert in_group.startswith("📈 Ann · 800 m reps") and last_bot_message(h, GROUP).photo
    no_apologies(h, GROUP, ANN)


async def test_progress_with_too_little_data_says_what_would_work(h: Harness) -> None:
    await trained(h)
    none = await h.say(ANN, "/progress 1000", chat=ANN)
    assert "No sessions with timed 1000 m reps yet" in none
    assert "You have times for 200 m, 400 m and 800 m reps. Example: /progress 200m" in none
    assert "a chart needs two" in await h.say(BOB, "/progress 1mi", chat=BOB)
    fresh = await h.say(CAT, "/progress", chat=CAT)
    assert "No timed reps on the flat yet" in fresh and "/report" in fresh
    for bad, hint in (
        ("/progress banana", "couldn't read “banana” as a rep distance"),
        ("/progress 5", "Is that 5 km or 5 miles?"),
        ("/progress 20", "Is that 20 km or 20 miles?"),
        ("/progress 10m", "Reps from 50 m up"),
        ("/progress 100km", "up to the marathon"),
        ("/progress 800 400", "couldn't read"),
        ("/progress " + "8" * 500, "too long"),
        ("/progress \uff18\uff10\uff10", None),  # full-width digits are read as 800
    ):
        reply = await h.say(ANN, bad, chat=ANN)
        if hint is None:
            assert reply.startswith("📈 800 m reps"), reply
        else:
            assert hint in reply and "Example" in reply, (bad, reply)
    no_apologies(h, ANN, BOB, CAT)


# --- /race --------------------------------------------------------------------------------


async def test_race_logs_lists_and_undoes(h: Harness) -> None:
    h.clock.now = h.clock.now.replace(hour=23, minute=30)  # Wed 25 Nov 2026, 23:30 UTC
    assert "no races logged yet" in await h.say(ANN, "/race", chat=ANN)
    saved = await h.say(ANN, "/race 5K 19:45 2026-10-04", chat=ANN)
    assert saved.startswith("🏁 Race saved: 5K in 19:45 (3:57/km) on Sun 4 Oct")
    assert "Your first 5K" in saved
    faster = await h.say(ANN, "/race 5k 19:30", chat=ANN)  # today (UTC: no home group)
    assert "5K in 19:30 (3:54/km) on Wed 25 Nov" in faster
    assert "🎉 A new best 5K, 15 s faster than 19:45 (Sun 4 Oct)" in faster
    assert "already logged" in await h.say(ANN, "/race 5K 19:30 today", chat=ANN)
    assert "Your best 5K is still 19:30" in await h.say(ANN, "/race 5K 20:00 2026-11-01", chat=ANN)
    half = await h.say(ANN, "/race half marathon 1:35:00 yesterday", chat=ANN)
    assert "half marathon in 1:35:00 (4:30/km) on Tue 24 Nov" in half
    assert "10 mi in 1:05:10" in await h.say(ANN, "/race 10 miles in 65:10 2026-09-20", chat=ANN)
    assert "mile in 5:30" in await h.say(ANN, "/race 5:30 mile 2026-06-01", chat=ANN)
    listed = await h.say(ANN, "/race", chat=ANN)
    assert listed.startswith("🏁 Your races (6)")
    order = [
        "5K in 19:30",
        "half marathon in 1:35",
        "5K in 20:00",
        "5K in 19:45",
        "10 mi in 1:05:10",
        "mile in 5:30",
    ]
    assert [listed.index(item) for item in order] == sorted(listed.index(item) for item in order)
    undone = await h.say(ANN, "/race undo", chat=ANN)
    assert undone == "↩️ Removed mile in 5:30 (3:25/km) on Mon 1 Jun."  # the one logged last
    assert "(5)" in await h.say(ANN, "/race list", chat=ANN)
    in_group = await h.say(ANN, "/race")
    assert in_group.startswith("🏁 Ann's races (5)")
    saved_in_group = await h.say(ANN, "/race 10K 41:00 2026-11-08")
    assert saved_in_group.startswith("🏁 Race saved for Ann: 10K in 41:00")
    await h.say(ANN, "/private on", chat=ANN)
    private = await h.say(ANN, "/race 10K 40:30 2026-11-15")
    assert private.startswith("🏁 Race saved: 10K in 40:30") and "Ann" not in private
    no_apologies(h, ANN, GROUP)


async def test_race_dates_default_to_the_home_groups_zone(h: Harness) -> None:
    for command in ("/set day tue", "/set tz Pacific/Auckland"):
        assert (await h.say(ADMIN, command)).startswith("✅ Saved."), command
    assert "You're in" in await h.say(ANN, "/in")  # Ann's home group: the Auckland club
    # 25 Nov 12:00 UTC is already 26 Nov in Auckland.
    assert "on Thu 26 Nov" in await h.say(ANN, "/race 5K 19:45", chat=ANN)
    tomorrow = await h.say(ANN, "/race 5K 19:45 2026-11-27", chat=ANN)
    assert "in the future" in tomorrow


@pytest.mark.parametrize(
    ("command", "hint"),
    [
        ("/race 5K", "Please give the race distance and your time"),
        ("/race banana split", "as a race distance"),
        ("/race 5K banana", "as a time"),
        ("/race 5K 9:00", "world record"),
        ("/race 5K 3:30:00", "slower than walking"),
        ("/race 5 19:45", "Is that 5 km or 5 miles?"),
        ("/race 100 19:45", "Races from 800 m up"),
        ("/race 100K 9:00:00", "up to the marathon"),
        ("/race 5K 19:45 2027-12-01", "in the future"),
        ("/race 5K 19:45 2019-01-01", "last 5 years"),
        ("/race 5K 19:45 2026-02-30", "There is no date “2026-02-30”"),
        ("/race 5K 19:45 04/10/2026", "as year-month-day"),
        ("/race 5K 19:61", "below 60"),
        ("/race 5\u041a 19:45", "as a race distance"),  # a Cyrillic Ka
        ("/race " + "5K 19:45 " * 30, "too long"),
        ("/race undo now", "as a"),
    ],
)
async def test_bad_race_input_gets_an_example_and_changes_nothing(
    h: Harness, command: str, hint: str
) -> None:
    await h.say(ANN, "/race 10K 41:00 2026-06-07", chat=ANN)
    before = races_table(h)
    reply = await h.say(ANN, command, chat=ANN)
    assert hint in reply, reply
    assert "e.g." in reply or "Example" in reply, reply
    assert races_table(h) == before
    no_apologies(h, ANN)


async def test_an_edited_race_message_changes_nothing(h: Harness) -> None:
    await h.say(ANN, "/race 5K 19:45 2026-10-04", chat=ANN)
    update = h.api.user_sends(ANN, ANN, "/race 5K 18:45 2026-10-04")
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = update["edited_message"]["date"] + 5
    before = races_table(h)
    await h.feed(update)
    assert "not edits" in h.bot_texts(ANN)[-1]
    assert races_table(h) == before and len(before[0]) == 1
    assert "No races to remove" not in await h.say(ANN, "/race undo", chat=ANN)
    assert "no races to remove" in await h.say(ANN, "/race undo", chat=ANN)


# --- the longest texts still fit in a message ---------------------------------------------


async def test_the_longest_histories_still_fit_in_one_valid_message(h: Harness) -> None:
    """200-rep sessions with the longest notes, dozens of bests: under 4096, valid HTML."""
    today = date(2026, 12, 31)
    reps = tuple(RepView(i, 61_234 + i, 400.0 + (i % 20) * 100, True) for i in range(200))
    note = "<b>&" * 50  # 200 characters that all need escaping
    sessions = [
        SessionResult(i, -i, "<Club> & co " * 20, today, None, None, note, 3_600_000, reps)
        for i in range(history_db.MAX_RECENT)
    ]
    many = history_db.PersonalBests(
        reps=tuple(history_db.RepRecord(100.0 * i, 20_000 * i, today, 999) for i in range(1, 200)),
        sets=tuple(
            history_db.SetRecord("4x(400m, 200m, 300m, 500m, 600m, 700m) " * 4, 60_000, today, 9)
            for _ in range(100)
        ),
        races=(),
    )
    h.api.start_private(ANN)
    for text in (
        render.me_text(sessions, today),
        render.me_group_text(sessions[:3], today, "<Ann>" * 40),
        render.pb_text(many, today, "<Ann>" * 40),
    ):
        assert len(text) < 4096
        await h.app.bot.send_message(ANN, text, parse_mode="HTML")  # the fake checks the HTML
    me_text, pb_text = render.me_text(sessions, today), render.pb_text(many, today)
    assert "earlier." in me_text and pb_text.endswith("…")  # cut at whole sessions and lines


# --- hostile input ------------------------------------------------------------------------

# The shared hostile arguments plus race-shaped ones for /race.
HOSTILE_ARGUMENTS = (
    *SHARED_HOSTILE_ARGUMENTS,
    "'; DROP TABLE races; --",
    "inf km",
    "5K 1e309",
    "5K -19:45",
    "5K 19:45 9999-99-99",
    "99999999999999999999K 19:45",
    "5K 19:45 0001-01-01",
)
SUCCESS_MARKERS = ("🏁 Race saved", "↩️ Removed", "Private mode is on", "Private mode is off")


def races_table(h: Harness) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every race, and who is in private mode: all that these commands may change."""
    path = make_url(h.services.settings.database_url).database
    assert path
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT * FROM races ORDER BY id").fetchall()
        private = connection.execute("SELECT user_id FROM members WHERE private").fetchall()
    return rows, private


async def test_hostile_input_gets_a_friendly_reply_and_changes_nothing(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await trained(h)
    caplog.set_level(logging.ERROR)
    for chat in (GROUP, ANN):
        for command in COMMANDS:
            for argument in HOSTILE_ARGUMENTS:
                message = f"/{command} {argument}".strip()
                what = f"{message[:50]!r} in {chat}"
                before = races_table(h)
                calls = len(h.api.calls)
                reply = await h.say(ANN, message, chat=chat)
                assert reply.strip(), f"{what}: no reply"
                assert SORRY not in reply, f"{what}: {reply}"
                rejected = [c for c in h.api.calls[calls:] if not c.ok]
                assert not rejected, (what, [(c.method, c.description) for c in rejected])
                if not any(marker in reply for marker in SUCCESS_MARKERS):
                    assert races_table(h) == before, f"{what}: changed state, said {reply!r}"
                if argument.strip():
                    assert "Example" in reply or "e.g." in reply or "just send" in reply, (
                        what,
                        reply,
                    )
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


async def test_private_mode_takes_the_name_off_the_announcement_at_once(harness: Harness) -> None:
    await set_up(harness)
    message_id = await announce(harness)
    await harness.say(ANN, "/in")
    assert "Ann" in (harness.api.message(GROUP, message_id).plain_text or "")
    harness.api.user_starts(ANN)
    await harness.feed(harness.api.user_sends(ANN, ANN, "/private on"))
    shown = harness.api.message(GROUP, message_id).plain_text or ""
    assert "Ann" not in shown and "In (1): —" not in shown and "In (1): 1 runner" in shown
