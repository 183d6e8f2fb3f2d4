"""Start-up without a token, flood answers (429), and the bot removed from its group."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

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


def test_every_message_is_delivered_once_and_in_order_through_429s(
    api: FakeTelegram, bot: BotProcess
) -> None:
    for method in ("sendMessage", "editMessageText", "answerCallbackQuery"):
        api.fail_randomly(method, 0.3, status=429, retry_after=1, seed=7)
    say(
        api,
        COACH,
        "/set day tue",
        "Saved",
    )
    say(api, COACH, "/set place The track", "Saved")
    say(api, COACH, "/workout 6x800m @5K r90s", "Read as")
    say(api, COACH, "/announce", "Speed session")
    announcement = announcements(api)[0]
    assert press(api, ANN, announcement, "in").startswith("You're in")
    assert press(api, BOB, announcement, "maybe").startswith("Marked as maybe")
    assert press(api, CAT, announcement, "out").startswith("You're out")
    api.wait_until(
        lambda: (
            "In (1): Ann" in (api.message(GROUP, announcement.message_id).plain_text or "")
            and "Maybe (1): Bob" in (api.message(GROUP, announcement.message_id).plain_text or "")
            and "Out (1): Cat" in (api.message(GROUP, announcement.message_id).plain_text or "")
        ),
        30,
        "the final announcement",
    )
    rejected = [c for c in api.calls if c.status == 429]
    assert rejected, "the fault injection did not trigger"
    texts = [m.plain_text or "" for m in api.messages_in(GROUP) if m.from_bot]
    saved = [t for t in texts if t.startswith("✅ Saved.")]
    assert len(saved) == 2 and "day: Tuesday" in saved[0] and "place: The track" in saved[1]
    assert len([t for t in texts if t.startswith("🏋️ Workout for")]) == 1
    assert len(announcements(api)) == 1
    # Order per chat: the replies came in the order the commands were sent.
    order = [i for i, t in enumerate(texts) if t.startswith(("✅ Saved.", "🏋️ Workout for", "🏃"))]
    assert order == sorted(order) and len(order) == 4


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
