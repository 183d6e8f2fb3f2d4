"""SIGTERM while scheduled posts go out: the jobs running finish and record what they
sent, no job starts during the stop, the log stays clean, the exit code is 0, and the next
run posts what was left, once.

Twenty groups' announcements fall due in the same second; the fake Bot API posts each at
once but answers a second later, so SIGTERM lands while Telegram holds posts the bot has
not recorded yet. Group 0's announcement meets a 429 and waits on the flood limiter past
the minute the reminders fall due, so the stop lasts that long: Application.stop() waits
only for the jobs running when it reaches the JobQueue, so reminders used to start
meanwhile and one still sending was cancelled by APScheduler (an ERROR with a traceback)
while PTB's shield let it run on until the closing event loop destroyed it: a post it had
sent would never be recorded, and the next run would post it again.
"""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import COACH, BotProcess
from tests.e2e.support import ANNOUNCEMENT_MARK, sqlite_rows
from tests.e2e.test_crash import next_minute
from tests.e2e.test_weekly_story import say
from tests.fake_api import Call, FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

pytestmark = pytest.mark.e2e

GROUPS = tuple(-1001300000000 - n for n in range(20))
FLOODED = GROUPS[0]
REMINDER_MARK = "Reminder: speed session"
# Telegram's answer comes this late (PTB gives up after 5 s), the post itself at once.
ANNOUNCEMENT_ANSWER = 1.0
REMINDER_ANSWER = 3.0
# Longer than the minute from the announcements to the reminders.
RETRY_AFTER = 65
CLAIM_EXPIRY = 5  # a claim left unrecorded by the first run is taken over this soon


def sends(api: FakeTelegram, mark: str) -> list[Call]:
    """Accepted sendMessage calls that posted `mark` into one of the groups."""
    return [
        c
        for c in api.calls_of("sendMessage")
        if c.ok and c.params.get("chat_id") in GROUPS and mark in str(c.params.get("text"))
    ]


def posted(api: FakeTelegram, mark: str) -> dict[int, list[int]]:
    """Messages holding `mark` that the bot posted in each group (deleted ones too)."""
    return {
        chat: [
            m.message_id
            for m in api.messages_in(chat, include_deleted=True)
            if m.from_bot and mark in (m.text or "")
        ]
        for chat in GROUPS
    }


def recorded(db_path: Path, kind: str) -> dict[int, int]:
    """Posts of `kind` the database holds as sent: chat id -> message id."""
    rows = sqlite_rows(
        db_path,
        "SELECT chat_id, message_id FROM posts WHERE kind = ? AND sent_at IS NOT NULL",
        kind,
    )
    return {int(str(chat)): int(str(message)) for chat, message in rows}


def test_sigterm_while_posts_go_out_finishes_them_and_starts_nothing(
    api: FakeTelegram, server: FakeBotApiServer, tmp_path: Path
) -> None:
    for number, chat in enumerate(GROUPS):
        api.add_group(chat, f"Club {number}", admins=[COACH])
    db_path = tmp_path / "bot.db"
    bot = BotProcess(server.base_url, f"sqlite+aiosqlite:///{db_path}", tmp_path / "bot.log")
    bot.env["CLAIM_EXPIRY_SECONDS"] = str(CLAIM_EXPIRY)
    bot.start(api)

    # Every group's session starts at the same minute; nothing is due yet.
    start = next_minute(timedelta(minutes=30))
    for chat in GROUPS:
        for line in ("/set reminder 1m", "/set announce 2m", f"/set time {start:%H:%M}"):
            say(api, COACH, line, "Saved", chat=chat)
        say(api, COACH, f"/set day {start.strftime('%A').lower()}", "Saved", chat=chat)
    # Then every announcement falls due at the same whole minute, every reminder one later.
    due = next_minute(timedelta(seconds=10))
    lead = int((start - due).total_seconds()) // 60
    for chat in GROUPS:
        say(api, COACH, f"/set announce {lead}m", "Saved", chat=chat)
        say(api, COACH, f"/set reminder {lead - 1}m", "Saved", chat=chat)
    assert not sends(api, ANNOUNCEMENT_MARK)

    api.slow_responses(
        "sendMessage", ANNOUNCEMENT_ANSWER, match=lambda p: ANNOUNCEMENT_MARK in str(p.get("text"))
    )
    api.slow_responses(
        "sendMessage", REMINDER_ANSWER, match=lambda p: REMINDER_MARK in str(p.get("text"))
    )
    api.fail_next("sendMessage", 429, retry_after=RETRY_AFTER, chat_id=FLOODED)

    def flooded() -> bool:
        return any(
            c.status == 429 and c.params.get("chat_id") == FLOODED
            for c in api.calls_of("sendMessage")
        )

    api.wait_until(
        lambda: flooded() and any(posted(api, ANNOUNCEMENT_MARK).values()),
        120,
        "the first announcements posted, group 0's held by the flood limit",
    )
    assert bot.process is not None
    bot.process.send_signal(signal.SIGTERM)
    code = bot.process.wait(timeout=RETRY_AFTER + 60)
    bot.process = None
    log = bot.log()
    assert code == 0, log[-5000:]
    assert "Traceback" not in log and " ERROR " not in log, log[-5000:]

    # The stop waited for every announcement, group 0's flood wait included, and recorded
    # each; no reminder started although they fell due during the stop.
    announced = posted(api, ANNOUNCEMENT_MARK)
    assert all(len(ids) == 1 for ids in announced.values()), announced
    assert recorded(db_path, "announcement") == {chat: ids[0] for chat, ids in announced.items()}
    assert not sends(api, REMINDER_MARK)

    # The next run posts the reminders, once each, and no announcement again.
    bot.start(api)
    api.wait_until(
        lambda: len(recorded(db_path, "reminder")) == len(GROUPS), 60, "every reminder recorded"
    )
    bot.stop()
    reminded = posted(api, REMINDER_MARK)
    assert all(len(ids) == 1 for ids in reminded.values()), reminded
    assert recorded(db_path, "reminder") == {chat: ids[0] for chat, ids in reminded.items()}
    assert posted(api, ANNOUNCEMENT_MARK) == announced
    log = bot.log()
    assert "Traceback" not in log and " ERROR " not in log, log[-5000:]
