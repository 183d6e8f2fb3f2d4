"""/pace, /benchmark, /targets, /groups, /profile, and targets in reminders and reports.

Through the real Application on the fake Bot API. Privacy is checked throughout: a
runner's benchmark, birth year and targets reach only the runner (and coaches) in private
chats; the group only ever hears that something was sent.
"""

# ruff: noqa: RUF001  (en dashes in ranges and the typographic apostrophe are what is shown)

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from db import sessions
from handlers import coaching
from handlers.errors import SORRY
from handlers.guards import COACH_ONLY
from jobs import posts
from tests.fake_api import BOT_USERNAME
from tests.handlers.conftest import ADMIN, ANN, BOB, CAT, DAN, GROUP, Harness
from tests.handlers.support import HOSTILE_ARGUMENTS
from tests.handlers.test_session_flow import set_up

COMMANDS = {
    "pace": coaching.pace,
    "benchmark": coaching.benchmark,
    "targets": coaching.targets,
    "groups": coaching.groups,
    "profile": coaching.profile,
}
WORKOUT = "6x800m @5K r90s + 2x400m @75s r60s"
ANN_800 = "3:12"  # 800 m at the 5K pace of a 20:00 5K
LINK = f"https://t.me/{BOT_USERNAME}?start=g{abs(GROUP)}"


@pytest.fixture
def h(harness: Harness) -> Harness:
    """The harness (the commands are registered by handlers/__init__.py)."""
    return harness


async def start(h: Harness, *users: int) -> None:
    """The users open a private chat with the bot (linked to the group)."""
    for user in users:
        await h.feed(h.api.user_starts(user, f"g{abs(GROUP)}"))


def dm(h: Harness, user: int) -> str:
    texts = h.bot_texts(user)
    return texts[-1] if texts else ""


def group_texts(h: Harness) -> str:
    return "\n".join(h.bot_texts(GROUP))


async def week(h: Harness, workout: str = WORKOUT) -> None:
    """A set-up group with the next session's workout."""
    await set_up(h)
    assert "Read as" in await h.say(ADMIN, f"/workout {workout}")


# --- /pace --------------------------------------------------------------------------------


async def test_pace_shows_vdot_equivalents_and_training_paces(h: Harness) -> None:
    reply = await h.say(ANN, "/pace 5K 20:00", chat=ANN)
    assert reply.startswith("🏃 5K in 20:00 · VDOT 49.8"), reply
    for line in (
        "800 m: 2:44",
        "1500 m: 5:25",
        "Mile: 5:51",
        "3K: 11:35",
        "5K: 20:00",
        "10K: 41:28",
        "Half marathon: 1:31:50",
        "Marathon: 3:11:17",
        "E (easy): 4:54–5:35/km · 7:54–8:59/mi",
        "M (marathon): 4:32/km · 7:18/mi",
        "T (threshold): 4:16/km · 6:52/mi",
        "I (interval): 3:56/km · 6:19/mi",
        "R (repetition): 3:41/km · 5:55/mi",
        "/profile born 1985 F",
    ):
        assert line in reply, line
    assert (await h.say(ANN, "/pace 24:30 5K", chat=ANN)).startswith("🏃 5K in 24:30")
    half = await h.say(ANN, "/pace half marathon 1:45:00", chat=ANN)
    assert half.startswith("🏃 Half marathon in 1:45:00 · VDOT 42.6")


async def test_pace_age_grades_with_a_profile_but_only_in_private(h: Harness) -> None:
    saved = await h.say(ANN, "/profile born 1980 F", chat=ANN)
    assert saved.startswith("✅ Profile saved: born 1980, female")
    private = await h.say(ANN, "/pace 5K 20:00", chat=ANN)
    assert "Age grade (women, age 46): 79.1 %" in private
    assert "Age-graded time: 5K in 18:38" in private
    in_group = await h.say(ANN, "/pace 5K 20:00")
    assert "VDOT 49.8" in in_group and "79.1" not in in_group and "46" not in in_group
    assert "private chat" in in_group
    men = await h.say(ANN, "/profile born 1960 M", chat=ANN)
    assert men.startswith("✅ Profile saved: born 1960, male")
    assert "Age grade (men, age 66)" in await h.say(ANN, "/pace 800 2:30", chat=ANN)


@pytest.mark.parametrize(
    ("argument", "fragment"),
    [
        ("", "Usage: /pace"),
        ("5K", "distance and a time"),
        ("5 20:00", "5 km or 5 miles"),
        ("5K 9:00", "world record"),
        ("5K 20:00 2026-01-01", "No date"),
        ("banana 20:00", "race distance"),
        ("5K 20:61", "below 60"),
        ("x" * 500, "too long"),
    ],
)
async def test_pace_refuses_bad_input_with_an_example(
    h: Harness, argument: str, fragment: str
) -> None:
    reply = await h.say(ANN, f"/pace {argument}".strip(), chat=ANN)
    assert fragment in reply and ("Example" in reply or "Usage" in reply), reply


# --- /benchmark ---------------------------------------------------------------------------


async def test_benchmark_is_saved_shown_and_cleared_privately(h: Harness) -> None:
    await set_up(h)
    await start(h, ANN)
    reply = await h.say(ANN, "/benchmark 5K 20:00", chat=ANN)
    assert reply.startswith("✅ Benchmark saved: 5K 20:00 · benchmark on 25 Nov 2026 · VDOT 49.8")
    shown = await h.say(ANN, "/benchmark", chat=ANN)
    assert shown.startswith("🎯 Your benchmark: 5K 20:00")
    older = await h.say(ANN, "/benchmark 10K 40:00 2026-06-01", chat=ANN)
    assert "stale (25 weeks old)" in older and "/race" in older
    assert "🗑 Benchmark removed" in await h.say(ANN, "/benchmark clear", chat=ANN)
    assert "haven't set a benchmark" in await h.say(ANN, "/benchmark clear", chat=ANN)
    assert "no benchmark yet" in await h.say(ANN, "/benchmark", chat=ANN)


async def test_benchmark_in_the_group_is_never_echoed_there(h: Harness) -> None:
    await set_up(h)
    await start(h, BOB)
    reply = await h.say(BOB, "/benchmark 10K 44:00 2026-06-01")
    assert reply == "✅ Benchmark saved for Bob. I sent you the details privately."
    assert "10K 44:00" in dm(h, BOB) and "stale" in dm(h, BOB)
    cat = await h.say(CAT, "/benchmark 5K 25:00")  # Cat never started the bot
    assert cat == "✅ Benchmark saved for Cat. Details: /benchmark in a private chat."
    shown = await h.say(CAT, "/benchmark")
    assert "open one with me" in shown
    assert LINK in (h.api.messages_in(GROUP)[-1].text or "")
    assert "📬 Bob, I sent you your benchmark" in await h.say(BOB, "/benchmark")
    assert "44:00" not in group_texts(h) and "25:00" not in group_texts(h)


@pytest.mark.parametrize(
    ("argument", "fragment"),
    [
        ("5K 20:00 2027-01-01", "in the future"),
        ("5K 20:00 2025-01-01", "last year"),
        ("5K 20:00 31/12/2025", "year-month-day"),
        ("5K 20:00 2026-02-30", "no date"),
        ("5K", "distance and a time"),
        ("20:00", "distance and a time"),
        ("5K twenty", "couldn't read"),
        ("marathon 1:00:00", "world record"),
    ],
)
async def test_bad_benchmarks_are_refused_and_nothing_is_saved(
    h: Harness, argument: str, fragment: str
) -> None:
    reply = await h.say(ANN, f"/benchmark {argument}", chat=ANN)
    assert reply.startswith("🤔") and fragment in reply and "/benchmark 5K 24:30" in reply, reply
    assert "no benchmark yet" in await h.say(ANN, "/benchmark", chat=ANN)


# --- /targets -----------------------------------------------------------------------------


async def test_a_runner_gets_their_targets_privately(h: Harness) -> None:
    await week(h)
    await start(h, ANN)
    await h.say(ANN, "/in")
    await h.say(ANN, "/benchmark 5K 20:00", chat=ANN)
    reply = await h.say(ANN, "/targets")
    assert reply == "📬 Ann, I sent you your targets in a private message."
    targets = dm(h, ANN)
    assert targets.startswith("🎯 Your targets · Tue 1 Dec, 18:30")
    assert f"• 6 × 800 m @5K: {ANN_800} (4:00/km)" in targets
    assert "• 2 × 400 m @75s: 1:15 (3:08/km)" in targets
    assert "From: 5K 20:00 · benchmark on 25 Nov 2026" in targets
    assert "within ±2 %" in targets and "stale" not in targets
    assert await h.say(ANN, "/targets", chat=ANN) == targets
    assert ANN_800 not in group_texts(h)


async def test_targets_without_a_benchmark_stale_ones_and_unstarted_runners(h: Harness) -> None:
    await week(h)
    await start(h, DAN, BOB)
    none = await h.say(DAN, "/targets", chat=DAN)
    assert "• 6 × 800 m @5K: needs a benchmark" in none
    assert "• 2 × 400 m @75s: 1:15" in none and "/benchmark 5K 24:30" in none
    await h.say(BOB, "/benchmark 10K 44:00 2026-06-01", chat=BOB)
    stale = await h.say(BOB, "/targets", chat=BOB)
    assert "• 6 × 800 m @5K: 3:24 (4:15/km) ⚠️ stale" in stale
    assert "• 2 × 400 m @75s: 1:15 (3:08/km)\n" in stale  # an explicit pace never goes stale
    assert "older than 12 weeks" in stale
    unstarted = await h.say(CAT, "/targets")
    assert unstarted.startswith("🔒 Cat, I send your targets only in a private chat")
    assert LINK in (h.api.messages_in(GROUP)[-1].text or "")
    assert "Usage: /targets" in await h.say(ANN, "/targets for everyone")


@pytest.mark.parametrize(
    ("workout", "fragment"),
    [
        (None, "No workout is set"),
        ("fartlek in the park, coach's choice", "isn't written in notation"),
        ("10x200m hills r200m jog", "has no paces"),
    ],
)
async def test_targets_explain_when_there_are_none(
    h: Harness, workout: str | None, fragment: str
) -> None:
    await set_up(h)
    if workout:
        await h.say(ADMIN, f"/workout {workout}")
    await start(h, ANN)
    assert fragment in await h.say(ANN, "/targets", chat=ANN)


async def test_targets_need_a_club(h: Harness) -> None:
    assert "don't know your club" in await h.say(DAN, "/targets", chat=DAN)
    assert "no weekly session yet" in await h.say(ANN, "/targets")
    assert "no weekly session yet" in await h.say(ADMIN, "/groups")


async def test_a_coach_gets_everyone_ins_targets_and_their_own_with_me(h: Harness) -> None:
    await week(h)
    await start(h, ADMIN, ANN, BOB)
    for user in (ANN, BOB, CAT):
        await h.say(user, "/in")
    await h.say(DAN, "/out")
    await h.say(ANN, "/benchmark 5K 20:00", chat=ANN)
    await h.say(BOB, "/benchmark 10K 44:00 2026-06-01", chat=BOB)
    await h.say(DAN, "/benchmark 5K 19:00")
    reply = await h.say(ADMIN, "/targets")
    assert reply == "📬 Coach, I sent you the targets of everyone who's in in a private message."
    table = dm(h, ADMIN)
    assert table.startswith("🎯 Targets (3 in) · Tue 1 Dec, 18:30")
    assert f"Ann (5K 20:00, 25 Nov): 800 m @5K {ANN_800} · 400 m @75s 1:15" in table
    assert "Bob (10K 44:00, 1 Jun ⚠️ stale): 800 m @5K 3:24 ⚠️ stale · 400 m @75s 1:15" in table
    assert "Cat (no benchmark): 400 m @75s 1:15" in table
    assert "No benchmark (1): Cat." in table and "Dan" not in table
    assert await h.say(ADMIN, "/targets", chat=ADMIN) == table  # privately: the home group
    own = await h.say(ADMIN, "/targets me", chat=ADMIN)
    assert own.startswith("🎯 Your targets") and "needs a benchmark" in own
    assert "Only coaches" not in own
    assert ANN_800 not in group_texts(h) and "3:24" not in group_texts(h)


# --- /groups ------------------------------------------------------------------------------


async def test_pace_groups_go_privately_to_coaches_only(h: Harness) -> None:
    await week(h)
    assert await h.say(ANN, "/groups") == COACH_ONLY
    assert "Usage: /groups" in await h.say(ADMIN, "/groups now")
    unstarted = await h.say(ADMIN, "/groups")
    assert unstarted.startswith("🔒 Coach, I send the pace groups only in a private chat")
    await start(h, ADMIN)
    for user, five_k in ((ANN, "20:00"), (BOB, "20:20"), (CAT, "23:00")):
        await h.say(user, "/in")
        await h.say(user, f"/benchmark 5K {five_k}")
    await h.say(DAN, "/in")
    assert await h.say(ADMIN, "/groups") == (
        "📬 Coach, I sent you the pace groups in a private message."
    )
    shown = dm(h, ADMIN)
    assert "By 5K pace, at most 10 s/km apart (/set spread 10)." in shown
    assert "Group 1 (4:00–4:04/km): Ann 4:00, Bob 4:04" in shown
    assert "Group 2 (4:36/km): Cat 4:36" in shown
    assert "No benchmark (1): Dan." in shown
    assert (await h.say(ADMIN, "/set spread 3")).startswith("✅ Saved.")
    narrow = await h.say(ADMIN, "/groups", chat=ADMIN)
    assert "Group 3" in narrow and "at most 3 s/km" in narrow
    assert "4:04" not in group_texts(h)


# --- /profile -----------------------------------------------------------------------------


async def test_profile_set_show_clear_and_private_in_the_group(h: Harness) -> None:
    await start(h, ANN)
    assert "No profile yet" in await h.say(ANN, "/profile", chat=ANN)
    for text in ("/profile born 1980 female", "/profile 1980 w", "/profile woman 1980"):
        assert "born 1980, female" in await h.say(ANN, text, chat=ANN)
    assert "Born 1980, female" in await h.say(ANN, "/profile", chat=ANN)
    in_group = await h.say(ANN, "/profile born 1979 F")
    assert in_group.startswith("✅ Profile saved.") and "1979" not in in_group
    assert "sent you your profile" in await h.say(ANN, "/profile")
    assert "Born 1979, female" in dm(h, ANN)
    assert "🗑 Profile removed" in await h.say(ANN, "/profile clear")
    assert "no profile to remove" in await h.say(ANN, "/profile clear")
    assert "1979" not in group_texts(h) and "1980" not in group_texts(h)


@pytest.mark.parametrize(
    ("argument", "fragment"),
    [
        ("born 1800 F", "ages 5 to 100"),
        ("born 2024 M", "ages 5 to 100"),
        ("born 1985 X", "F or M"),
        ("born 1985", "birth year and sex"),
        ("born abcd F", "as a birth year"),
        ("1985 F extra", "birth year and sex"),
    ],
)
async def test_bad_profiles_are_refused_and_nothing_is_saved(
    h: Harness, argument: str, fragment: str
) -> None:
    reply = await h.say(ANN, f"/profile {argument}", chat=ANN)
    assert reply.startswith("🤔") and fragment in reply and "/profile born 1985 F" in reply, reply
    assert "No profile yet" in await h.say(ANN, "/profile", chat=ANN)


# --- reports against targets --------------------------------------------------------------


async def after_session(h: Harness) -> None:
    session = await sessions.next_session(h.services.db, GROUP, h.clock.now)
    h.clock.now = session.starts_at + timedelta(minutes=95)


async def test_reported_splits_are_compared_rep_by_rep(h: Harness) -> None:
    await week(h, "3x800m @5K r90s")
    await start(h, ANN, BOB, ADMIN)
    await h.say(ANN, "/benchmark 5K 20:00", chat=ANN)
    await h.say(BOB, "/benchmark 5K 20:00", chat=BOB)
    await h.say(CAT, "/benchmark 5K 20:00")
    await after_session(h)
    private = await h.say(ANN, "/report 3:12 3:05 3:20", chat=ANN)
    assert "🎯 Against your targets (5K 20:00, 25 Nov · ±2 %)" in private
    assert f"1. 3:12 vs {ANN_800}: ✅ on target (±0.0 s)" in private
    assert f"2. 3:05 vs {ANN_800}: ⚡ too fast by 7.0 s (−3.6 %)" in private
    assert f"3. 3:20 vs {ANN_800}: 🐢 too slow by 8.0 s (+4.2 %)" in private
    assert "On target: 1 of 3." in private
    # In the group the comparison goes privately; the group hears only that.
    in_group = await h.say(BOB, "/report 3:12 3:05 3:20")
    assert in_group.startswith("✅ Saved") and " vs " not in in_group
    assert "🎯 Bob, I sent you the splits against the targets privately." in in_group
    assert dm(h, BOB).startswith("📋 Tue 1 Dec, 18:30\n🎯 Against your targets")
    unstarted = await h.say(CAT, "/report 3:12 3:05 3:20")
    assert "splits against targets are private" in unstarted and " vs " not in unstarted
    no_benchmark = await h.say(DAN, "/report 3:12 3:05 3:20")
    assert "set a benchmark" in no_benchmark
    # A wider tolerance changes the verdicts; a coach reporting for Bob gets Bob's.
    await h.say(ADMIN, "/set tolerance 4%")
    await h.say(BOB, "/out")
    bob_message = [m for m in h.api.messages_in(GROUP) if m.from_id == BOB][-1]
    await h.say(ADMIN, "/report 3:12 3:05 3:20", reply_to=bob_message.message_id)
    assert "🎯 Against Bob’s targets (5K 20:00, 25 Nov · ±4 %)" in dm(h, ADMIN)
    assert "On target: 2 of 3." in dm(h, ADMIN)
    assert " vs " not in group_texts(h) and "Against" not in group_texts(h)


async def test_reports_without_paces_have_no_comparison(h: Harness) -> None:
    await week(h, "3x800m r90s")
    await start(h, ANN)
    await h.say(ANN, "/benchmark 5K 20:00", chat=ANN)
    await after_session(h)
    reply = await h.say(ANN, "/report 3:12 3:05 3:20", chat=ANN)
    assert reply.startswith("✅ Saved") and "🎯" not in reply


# --- private reminders --------------------------------------------------------------------


async def test_private_reminders_carry_each_runners_targets(h: Harness) -> None:
    await week(h)
    await start(h, ANN, DAN, BOB)
    for user in (ANN, DAN, BOB):
        await h.say(user, "/in")
        await h.say(user, "/remind on", chat=user)
    await h.say(ANN, "/benchmark 5K 20:00", chat=ANN)
    await h.say(BOB, "/benchmark 10K 44:00 2026-06-01", chat=BOB)
    session = await sessions.next_session(h.services.db, GROUP, h.clock.now)
    h.clock.now = session.reminder_at + timedelta(minutes=1)
    await posts.post_reminder(h.app.bot, h.services, session.id)
    ann = dm(h, ANN)
    assert ann.startswith("⏰ Speed session Tue 1 Dec, 18:30")
    assert "🎯 Your targets (from 5K 20:00):" in ann
    assert f"• 6 × 800 m @5K: {ANN_800} (4:00/km)" in ann
    assert "• 6 × 800 m @5K: 3:24 (4:15/km) ⚠️ stale" in dm(h, BOB)
    dan = dm(h, DAN)
    assert "needs a benchmark" not in dan and "• 2 × 400 m @75s: 1:15" in dan
    assert "set a benchmark, e.g. /benchmark 5K 24:30" in dan
    assert ANN_800 not in group_texts(h)


async def test_private_reminders_without_paces_have_no_targets(h: Harness) -> None:
    await week(h, "10x200m hills")
    await start(h, ANN)
    await h.say(ANN, "/in")
    await h.say(ANN, "/remind on", chat=ANN)
    await h.say(ANN, "/benchmark 5K 20:00", chat=ANN)
    session = await sessions.next_session(h.services.db, GROUP, h.clock.now)
    h.clock.now = session.reminder_at + timedelta(minutes=1)
    await posts.post_reminder(h.app.bot, h.services, session.id)
    assert dm(h, ANN).startswith("⏰ Speed session") and "🎯" not in dm(h, ANN)


# --- /set tolerance and spread ------------------------------------------------------------


async def test_tolerance_and_spread_are_coach_settings(h: Harness) -> None:
    await set_up(h)
    assert (await h.say(ADMIN, "/set tolerance 1.5%")).startswith("✅ Saved.")
    assert (await h.say(ADMIN, "/set spread 15")).startswith("✅ Saved.")
    assert "e.g. 2%" in await h.say(ADMIN, "/set tolerance 50%")
    assert "e.g. 10" in await h.say(ADMIN, "/set spread fast")
    assert "Only coaches" in await h.say(ANN, "/set tolerance 5%")
    with closing(sqlite3.connect(_path(h))) as connection:
        row = connection.execute("SELECT tolerance_percent, pace_spread_s FROM groups").fetchone()
    assert row == (1.5, 15.0)


# --- hostile input ------------------------------------------------------------------------


def _path(h: Harness) -> str:
    path = make_url(h.services.settings.database_url).database
    assert path
    return path


def private_state(h: Harness) -> list[Any]:
    with closing(sqlite3.connect(_path(h))) as connection:
        return [
            connection.execute("SELECT * FROM benchmarks ORDER BY user_id").fetchall(),
            connection.execute(
                "SELECT user_id, birth_year, sex FROM members ORDER BY user_id"
            ).fetchall(),
            connection.execute("SELECT * FROM groups").fetchall(),
            connection.execute("SELECT * FROM rsvps").fetchall(),
        ]


SAVED = ("✅ Benchmark saved", "✅ Profile saved", "🗑 Benchmark removed", "🗑 Profile removed")


async def test_hostile_arguments_get_a_friendly_reply_and_change_nothing(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await week(h)
    await start(h, ANN)
    await h.say(ANN, "/in")
    await h.say(ANN, "/benchmark 5K 20:00", chat=ANN)
    for user, chat in ((ANN, GROUP), (ANN, ANN), (ADMIN, GROUP)):
        for command in COMMANDS:
            for argument in HOSTILE_ARGUMENTS:
                before = private_state(h)
                text = f"/{command} {argument}" if argument else f"/{command}"
                reply = await h.say(user, text, chat=chat)
                what = f"{text[:40]!r} from {user} in {chat}"
                assert reply.strip() and SORRY not in reply, what
                if reply.startswith("🤔"):
                    assert any(hint in reply for hint in ("e.g.", "Example", "Usage")), what
                if not any(marker in reply for marker in SAVED):
                    assert private_state(h) == before, f"{what}: changed state: {reply!r}"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors
    rejected = [c for c in h.api.calls if c.method == "sendMessage" and not c.ok]
    assert not rejected, rejected[:3]
    assert ANN_800 not in group_texts(h) and "20:00" not in group_texts(h)
