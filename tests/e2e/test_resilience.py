"""Start-up without a token, flood answers (429), and the bot removed from its group."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import ANN, BOB, CAT, COACH, GROUP, REPO, BotProcess
from tests.e2e.test_weekly_story import announcements, press, say
from tests.fake_api import DEFAULT_TOKEN, FakeTelegram

pytestmark = pytest.mark.e2e


def test_missing_token_stops_with_the_botfather_hint(tmp_path) -> None:
    env = {**os.environ, "BOT_TOKEN": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run(
        [sys.executable, "bot.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "/newbot" in result.stderr
    assert "Traceback" not in result.stderr


def _bot_texts(api: FakeTelegram, chat: int) -> list[str]:
    return [m.plain_text or "" for m in api.messages_in(chat) if m.from_bot]


def test_every_message_is_delivered_once_and_in_order_through_429s(
    api: FakeTelegram, bot: BotProcess
) -> None:
    api.user_starts(ANN)
    api.wait_for_message(ANN, "Hi Ann", timeout=15)
    for method in ("sendMessage", "editMessageText", "answerCallbackQuery"):
        api.fail_randomly(method, 0.3, status=429, retry_after=1, seed=7)
    # Bursts: every command is sent before the first reply, in the group and in private.
    # The session is 3 days away: only /announce posts the announcement.
    day = (datetime.now(UTC) + timedelta(days=3)).strftime("%A")
    places = [f"/set place Track {n}" for n in range(1, 7)]
    for text in [f"/set day {day}", *places, "/workout 6x800m @5K r90s", "/announce"]:
        api.user_sends(COACH, GROUP, text)
    times = [f"20:0{n}" for n in range(1, 6)]
    for time_ in times:
        api.user_sends(ANN, ANN, f"/pace 5k {time_}")
    expected = [
        f"✅ Saved. day: {day}",
        *(f"✅ Saved. place: Track {n}" for n in range(1, 7)),
        "🏋️ Workout for",
        "🏃",
    ]
    api.wait_until(lambda: len(_bot_texts(api, GROUP)) >= len(expected), 60, "the replies")
    api.wait_until(lambda: len(_bot_texts(api, ANN)) >= 1 + len(times), 60, "the paces")
    group = _bot_texts(api, GROUP)
    assert len(group) == len(expected), group
    assert all(text.startswith(prefix) for text, prefix in zip(group, expected, strict=True)), group
    paces = [text.splitlines()[0] for text in _bot_texts(api, ANN)[1:]]
    assert [line.split(" in ")[1].split(" ")[0] for line in paces] == times, paces

    announcement = announcements(api)[0]
    taps = {ANN: "in", BOB: "maybe", CAT: "out"}
    replies = {user: press(api, user, announcement, action) for user, action in taps.items()}
    assert replies[ANN].startswith("You're in") and replies[BOB].startswith("Marked as maybe")
    assert replies[CAT].startswith("You're out")

    def final() -> bool:
        shown = api.message(GROUP, announcement.message_id).plain_text or ""
        return "In (1): Ann" in shown and "Maybe (1): Bob" in shown and "Out (1): Cat" in shown

    api.wait_until(final, 30, "the final announcement")
    assert any(c.status == 429 for c in api.calls), "the fault injection did not trigger"
    # Each press was answered exactly once (Telegram refuses a second answer anyway).
    presses = [q for q in api.callback_queries.values() if q.message_id == announcement.message_id]
    assert len(presses) == 3 and all(len(q.answers) == 1 for q in presses)
    assert len(_bot_texts(api, GROUP)) == len(expected)


def _group_active(bot: BotProcess) -> bool | None:
    path = bot.env["DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT active FROM groups WHERE chat_id = ?", (GROUP,)).fetchone()
    return None if row is None else bool(row[0])


def test_bot_removed_from_group_stops_posting_there(api: FakeTelegram, bot: BotProcess) -> None:
    say(api, COACH, "/set day tue", "Saved")
    assert _group_active(bot) is True
    api.bot_removed_from_group(GROUP, COACH)
    api.wait_until(lambda: _group_active(bot) is False, 15, "the group marked inactive")
    mark = api.message_mark(GROUP)
    api.bot_added_to_group(GROUP, COACH)
    api.wait_for_message(GROUP, "Hi!", timeout=15, after_index=mark)
    api.wait_until(lambda: _group_active(bot) is True, 15, "the group active again")


def test_check_reports_configuration_database_and_telegram(
    api: FakeTelegram, bot: BotProcess
) -> None:
    result = subprocess.run(
        [sys.executable, "bot.py", "check"],
        cwd=REPO,
        env=bot.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Telegram: @SpeedSessionBot answers" in result.stdout
    assert "(up to date)" in result.stdout and "All good." in result.stdout
    assert DEFAULT_TOKEN.split(":")[1] not in result.stdout  # the secret is never printed


def test_invalid_configuration_is_explained_without_a_traceback(tmp_path) -> None:
    env = {**os.environ, "BOT_TOKEN": "1:x", "DEFAULT_TIMEZONE": "Mars/Olympus"}
    result = subprocess.run(
        [sys.executable, "bot.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr and "Traceback" not in result.stderr
