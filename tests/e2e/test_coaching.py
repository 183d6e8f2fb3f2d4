"""Coaching against the real bot process: paces, benchmarks, targets, groups, reminders, reports.

Needs the coaching commands registered in handlers/__init__.py. About a minute and a half:
the session is moved to start a minute from now, so the reminder goes out at once and
reports open at the start.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import ANN, BOB, CAT, COACH, GROUP, BotProcess
from tests.e2e.test_weekly_story import say
from tests.fake_api import FakeTelegram, Message

pytestmark = pytest.mark.e2e


def private(api: FakeTelegram, user: int, text: str, expect: str) -> str:
    """A command in the user's private chat; the bot's answer containing ``expect``."""
    return say(api, user, text, expect, chat=user).plain_text or ""


def in_group_then_dm(api: FakeTelegram, user: int, text: str, note: str, expect: str) -> str:
    """A command in the group that is answered privately: the group note, then the DM."""
    mark = api.message_mark(user)
    say(api, user, text, note)
    return api.wait_for_message(user, expect, timeout=15, after_index=mark).plain_text or ""


def test_paces_benchmarks_targets_groups_reminders_and_reports(
    api: FakeTelegram, bot: BotProcess
) -> None:
    # A session three days ahead with a paced workout.
    in_three_days = (datetime.now(UTC) + timedelta(days=3)).strftime("%A").lower()
    say(api, COACH, "/set tz UTC", "Saved")
    say(api, COACH, f"/set day {in_three_days}", "Saved")
    say(api, COACH, "/workout 3x800m @5K r90s + 2x400m @75s r60s", "Read as")
    for user, name in ((ANN, "Ann"), (BOB, "Bob"), (COACH, "Coach")):
        api.user_starts(user, f"g{abs(GROUP)}")
        api.wait_for_message(user, f"Hi {name}", timeout=15)

    # /pace with a profile: VDOT, equivalents, training paces and the age grade.
    private(api, ANN, "/profile born 1980 F", "Profile saved")
    pace = private(api, ANN, "/pace 5K 20:00", "VDOT")
    for line in ("VDOT 49.8", "10K: 41:28", "T (threshold): 4:16/km", "Age grade (women, age"):
        assert line in pace, pace

    # Benchmarks: privately, and from the group without showing it there.
    assert "5K 20:00" in private(api, ANN, "/benchmark 5K 20:00", "Benchmark saved")
    bob = in_group_then_dm(api, BOB, "/benchmark 5K 22:30", "Benchmark saved for Bob", "22:30")
    assert "VDOT" in bob
    private(api, ANN, "/remind on", "reminders are on")
    for user in (ANN, BOB, CAT):
        say(api, user, "/in", "You're in")

    # /targets: a runner's own, privately; a runner who never started the bot is told how.
    mine = in_group_then_dm(api, ANN, "/targets", "sent you your targets", "Your targets")
    assert "• 3 × 800 m @5K: 3:12 (4:00/km)" in mine and "• 2 × 400 m @75s: 1:15" in mine
    assert "open one with me" in (say(api, CAT, "/targets", "private chat").plain_text or "")
    # A coach gets everyone who is in, and the pace groups.
    table = in_group_then_dm(api, COACH, "/targets", "everyone who's in", "Targets (3 in)")
    assert "Ann (5K 20:00" in table and "Bob (5K 22:30" in table
    assert "No benchmark (1): Cat" in table
    groups = in_group_then_dm(api, COACH, "/groups", "pace groups", "Pace groups")
    assert "Group 1 (4:00/km): Ann 4:00" in groups and "Group 2 (4:30/km): Bob 4:30" in groups

    # The session moves to a minute from now: the reminder is due at once, with Ann's targets.
    start = (datetime.now(UTC) + timedelta(seconds=100)).replace(second=0, microsecond=0)
    mark = api.message_mark(ANN)
    say(api, COACH, f"/move {start:%Y-%m-%d %H:%M}", "Moved")
    reminder = api.wait_for_message(ANN, "⏰", timeout=20, after_index=mark).plain_text or ""
    assert "🎯 Your targets (from 5K 20:00):" in reminder
    assert "• 3 × 800 m @5K: 3:12 (4:00/km)" in reminder

    # After the start, reports are compared with the targets rep by rep.
    while datetime.now(UTC) < start + timedelta(seconds=2):
        time.sleep(0.5)
    report = private(api, ANN, "/report 3:12 3:05 3:20 75 77", "Against your targets")
    assert "2. 3:05 vs 3:12: ⚡ too fast by 7.0 s (−3.6 %)" in report
    assert "5. 1:17 vs 1:15: 🐢 too slow by 2.0 s (+2.7 %)" in report
    assert "On target: 2 of 5." in report
    mark = api.message_mark(BOB)
    say(api, BOB, "/report 3:25 3:24 3:40 80 79", "sent you the splits against the targets")
    compared = api.wait_for_message(BOB, "Against your targets", timeout=15, after_index=mark)
    assert "1. 3:25 vs 3:36: ⚡ too fast by 11.0 s" in (compared.plain_text or "")

    # Nothing private ever reached the group.
    shown: list[Message] = [m for m in api.messages_in(GROUP) if m.from_bot]
    group_text = "\n".join(m.plain_text or "" for m in shown)
    for secret in ("5K 20:00", "5K 22:30", "1980", "VDOT", " vs ", "4:00/km", "Age grade"):
        assert secret not in group_text, secret
