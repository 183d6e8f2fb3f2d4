"""Crash: the real bot SIGKILLed at 20 named moments and restarted each time.

Eight runners keep tapping In / Maybe / Out on group A's announcement (each with one tap
in flight, all at once); meanwhile group B's announcement falls due while the bot runs
and group C's while it is down. After every kill, before the restart, the SQLite file
must hold each runner's last acknowledged answer (see `tests/e2e/support.py`); at the
end each group has exactly one announcement, C's posted by a run started after it fell
due.

Most moments are keyed to a Bot API call as the fake receives it: *arriving* kills the
bot before the call takes effect, *done* right after it took effect (only the response
is lost). Not tested here, on purpose: a kill after Telegram accepted a post and before
the bot recorded it. No API has an idempotency key, so a restart has to post again: that
window is pinned by `test_a_kill_between_sending_and_recording_posts_twice`, and every
moment below only fires while each accepted announcement is already recorded.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory

from db.migrate import alembic_config
from tests.e2e.conftest import ANN, BOB, CAT, COACH, DAN, GROUP, BotProcess
from tests.e2e.support import (
    ANNOUNCEMENT_MARK,
    TapLedger,
    acknowledged,
    announcement_sends,
    announcements,
    committed_answers_sqlite,
    sqlite_rows,
)
from tests.e2e.test_weekly_story import say
from tests.fake_api import FakeTelegram
from tests.fake_api.faults import Tripwire
from tests.fake_api.http_server import FakeBotApiServer

pytestmark = pytest.mark.e2e

GROUP_B, GROUP_C = -1001234567891, -1001234567892
EVE, FAY, GUS, HAL = 106, 107, 108, 109
RUNNERS = (ANN, BOB, CAT, DAN, EVE, FAY, GUS, HAL)
CLAIM_EXPIRY = 10  # seconds; a dead run's claim is taken over after this
PACE = 0.2  # seconds between two rounds of taps

MOMENTS = (
    "migration: during the first start's schema migration",
    "start-up: registering the command menus (setMyCommands arriving)",
    "start-up: jobs planned, right before the first poll (deleteWebhook arriving)",
    "A falls due: its announcement's sendMessage arriving",
    "A taken over from the dead run: that sendMessage arriving",
    "burst: right after the first tap was acknowledged",
    "burst: a tap saved, its answerCallbackQuery arriving",
    "burst: an announcement edit arriving",
    "burst: an announcement edit done",
    "burst: right after the 10th acknowledged tap of the run",
    "burst: a poll confirming delivered taps (getUpdates arriving)",
    "burst: right after the 25th acknowledged tap of the run",
    "B falls due mid-burst: its sendMessage arriving",
    "burst: a tap acknowledged while the dead run still holds B's claim",
    "burst: the first tap acknowledged after B was taken over and posted",
    "burst: right after the 50th acknowledged tap of the run",
    "restart: the first tap the new run acknowledges",
    "burst: a tap acknowledged just before C falls due; down until it has",
    "start-up: the missed C announcement's sendMessage arriving",
    "burst: right after the 100th acknowledged tap of the run",
)


def announcement_text(params: dict[str, Any], chat: int) -> bool:
    return params.get("chat_id") == chat and ANNOUNCEMENT_MARK in str(params.get("text", ""))


class Crashes:
    """The bot under test, the runners' taps, and the moments that killed it."""

    def __init__(self, api: FakeTelegram, bot: BotProcess, db_path: Path) -> None:
        self.api = api
        self.bot = bot
        self.db_path = db_path
        self.ledger: TapLedger | None = None
        self.fired: list[str] = []

    # -- what the database and the fake say ------------------------------------------

    def recorded(self, chat: int) -> bool:
        rows = sqlite_rows(
            self.db_path,
            "SELECT 1 FROM posts WHERE kind = 'announcement' AND chat_id = ? AND sent_at"
            " IS NOT NULL",
            chat,
        )
        return bool(rows)

    def claimed_unsent(self, chat: int) -> bool:
        rows = sqlite_rows(
            self.db_path,
            "SELECT 1 FROM posts WHERE kind = 'announcement' AND chat_id = ? AND sent_at IS NULL",
            chat,
        )
        return bool(rows)

    def outside_send_window(self) -> bool:
        """Every announcement Telegram accepted is recorded: a kill now cannot duplicate."""
        return all(
            self.recorded(chat)
            for chat in (GROUP, GROUP_B, GROUP_C)
            if announcements(self.api, chat)
        )

    # -- moments ---------------------------------------------------------------------

    def arm(
        self,
        moment: int,
        method: str,
        match: Callable[[dict[str, Any]], bool] | None = None,
        after_effect: bool = False,
    ) -> Tripwire:
        """Kill the bot at MOMENTS[moment] (numbered from 1), when `method` arrives."""
        name = MOMENTS[moment - 1]
        assert len(self.fired) == moment - 1, f"moments out of order: {self.fired}"

        def springs(params: dict[str, Any]) -> bool:
            return (match is None or match(params)) and self.outside_send_window()

        def kill() -> None:
            self.fired.append(name)
            self.bot.kill_now(self.api)

        return self.api.add_tripwire(method, kill, after_effect=after_effect, match=springs)

    def arm_after_taps(
        self, moment: int, count: int, also: Callable[[], bool] | None = None
    ) -> Tripwire:
        """Kill right after the `count`-th acknowledged tap from now (and `also` holds)."""
        seen = [0]

        def counted(params: dict[str, Any]) -> bool:
            if not self.first_answer(params):
                return False
            seen[0] += 1
            return seen[0] >= count and (also is None or also())

        return self.arm(moment, "answerCallbackQuery", counted, after_effect=True)

    def first_answer(self, params: dict[str, Any]) -> bool:
        """An answer Telegram will take (a press answered before a restart is refused)."""
        record = self.api.callback_queries.get(str(params.get("callback_query_id")))
        return record is not None and not record.answers

    # -- driving ---------------------------------------------------------------------

    def tap_until(self, done: Callable[[], bool], what: str, timeout: float = 120) -> None:
        """Rounds of taps (every idle runner at once) until `done`."""
        ledger = self.ledger
        assert ledger is not None
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"timed out tapping until {what}"
            if self.bot.alive():
                ledger.tap_idle()
            self.api.wait_until(
                lambda: ledger.collect() or done() or not self.bot.alive(), 30, what
            )
            time.sleep(PACE)

    def killed(self, wire: Tripwire, timeout: float = 120) -> None:
        """Wait for `wire` to kill the bot (tapping if the burst is on), then check."""
        if self.ledger is None:
            self.api.wait_until(lambda: wire.fired, timeout, f"moment {len(self.fired) + 1}")
        else:
            self.tap_until(lambda: wire.fired, f"moment {len(self.fired) + 1}", timeout)
        self.bot.reap()
        self.check()

    def check(self) -> None:
        """Every acknowledged answer is saved (the run is dead, nothing moves)."""
        if self.ledger is None:
            return
        self.ledger.after_kill()
        problems = self.ledger.violations(committed_answers_sqlite(self.db_path, GROUP))
        assert not problems, f"after {self.fired[-1]!r}: {problems}"

    def restart(self) -> None:
        self.bot.start(self.api)


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def schema_revision(path: Path) -> str | None:
    """The committed schema revision; None before the first migration step is."""
    if not path.exists():
        return None
    try:
        rows = sqlite_rows(path, "SELECT version_num FROM alembic_version")
    except sqlite3.OperationalError:  # no such table yet
        return None
    return str(rows[0][0]) if rows else None


def next_minute(at_least: timedelta) -> datetime:
    """The first whole minute at least `at_least` from now."""
    soon = datetime.now(UTC) + at_least + timedelta(minutes=1)
    return soon.replace(second=0, microsecond=0)


def configure(api: FakeTelegram, chat: int, start: datetime, *settings: str) -> None:
    for line in ("/set tz UTC", *settings, f"/set time {start:%H:%M}"):
        say(api, COACH, line, "Saved", chat=chat)
    say(api, COACH, f"/set day {start.strftime('%A').lower()}", "Saved", chat=chat)


@pytest.fixture
def crashes(server: FakeBotApiServer, api: FakeTelegram, tmp_path: Path) -> Crashes:
    for user, name in ((EVE, "Eve"), (FAY, "Fay"), (GUS, "Gus"), (HAL, "Hal")):
        api.add_user(user, name)
    for chat, title in ((GROUP_B, "Hill Harriers"), (GROUP_C, "Canal Runners")):
        api.add_group(chat, title, admins=[COACH])
    database = tmp_path / "bot.db"
    bot = BotProcess(server.base_url, f"sqlite+aiosqlite:///{database}", tmp_path / "bot.log")
    bot.env |= {"CLAIM_EXPIRY_SECONDS": str(CLAIM_EXPIRY), "SWEEP_INTERVAL": "2"}
    return Crashes(api, bot, database)


def test_acknowledged_taps_and_due_announcements_survive_20_kills(
    api: FakeTelegram, crashes: Crashes
) -> None:
    bot, db_path = crashes.bot, crashes.db_path
    url = bot.env["DATABASE_URL"]

    # 1. The very first start is killed while it migrates the empty database.
    head = head_revision(url)
    bot.launch()
    deadline = time.monotonic() + 60
    while (revision := schema_revision(db_path)) is None:
        assert time.monotonic() < deadline and bot.alive(), "the migration did not start"
        time.sleep(0.002)
    bot.kill(api)
    crashes.fired.append(MOMENTS[0])
    assert revision != head and schema_revision(db_path) != head, "migrated before the kill"

    # 2-3. Start-up, after the migration and before the first poll.
    for moment, method in ((2, "setMyCommands"), (3, "deleteWebhook")):
        wire = crashes.arm(moment, method)
        bot.launch()
        crashes.killed(wire)
    crashes.restart()
    assert schema_revision(db_path) == head

    # 4-5. Group A's announcement falls due (the lead becomes 6 days) and dies with the
    # run sending it; the next run takes the dead claim over after CLAIM_EXPIRY and dies
    # too; the third run posts it once.
    start_a = next_minute(timedelta(minutes=20))
    configure(api, GROUP, start_a, "/set reminder 1m", "/set announce 2m")
    wire = crashes.arm(4, "sendMessage", lambda p: announcement_text(p, GROUP))
    api.user_sends(COACH, GROUP, "/set announce 6d")
    crashes.killed(wire)
    wire = crashes.arm(5, "sendMessage", lambda p: announcement_text(p, GROUP))
    bot.launch()
    crashes.killed(wire)
    crashes.restart()
    api.wait_until(lambda: crashes.recorded(GROUP), 60, "A's announcement")
    (announcement,) = announcements(api, GROUP)
    crashes.ledger = TapLedger(api, GROUP, announcement.message_id, RUNNERS, seed=20)

    # 6-12. The burst.
    burst: list[tuple[int, Callable[[], Tripwire]]] = [
        (6, lambda: crashes.arm_after_taps(6, 1)),
        (7, lambda: crashes.arm(7, "answerCallbackQuery", crashes.first_answer)),
        (8, lambda: crashes.arm(8, "editMessageText", lambda p: p.get("chat_id") == GROUP)),
        (
            9,
            lambda: crashes.arm(
                9, "editMessageText", lambda p: p.get("chat_id") == GROUP, after_effect=True
            ),
        ),
        (10, lambda: crashes.arm_after_taps(10, 10)),
        (11, lambda: crashes.arm(11, "getUpdates", lambda p: bool(api.pending_update_ids()))),
        (12, lambda: crashes.arm_after_taps(12, 25)),
    ]
    for _, arm in burst:
        crashes.killed(arm())
        crashes.restart()

    # 13-16. B falls due at a whole minute while the runners tap.
    due_b = next_minute(timedelta(seconds=10))
    configure(api, GROUP_B, due_b + timedelta(hours=1), "/set reminder 30m", "/set announce 60m")
    wire = crashes.arm(13, "sendMessage", lambda p: announcement_text(p, GROUP_B))
    crashes.killed(wire)
    wire = crashes.arm_after_taps(14, 1, lambda: crashes.claimed_unsent(GROUP_B))
    crashes.restart()
    crashes.killed(wire)
    crashes.restart()
    crashes.tap_until(lambda: crashes.recorded(GROUP_B), "B taken over and posted")
    crashes.killed(crashes.arm_after_taps(15, 1))
    crashes.restart()
    crashes.killed(crashes.arm_after_taps(16, 50))

    # 17. The next run's first acknowledgement (often a tap delivered again).
    wire = crashes.arm_after_taps(17, 1)
    bot.launch()
    crashes.killed(wire)

    # 18-19. C falls due while the bot is down; the run that sends it at start-up dies.
    due_c = next_minute(timedelta(seconds=25))
    crashes.restart()
    configure(api, GROUP_C, due_c + timedelta(hours=1), "/set reminder 30m", "/set announce 60m")
    crashes.tap_until(
        lambda: datetime.now(UTC) >= due_c - timedelta(seconds=4), "C almost due", timeout=90
    )
    crashes.killed(crashes.arm_after_taps(18, 1))
    while datetime.now(UTC) < due_c + timedelta(seconds=1):
        time.sleep(0.2)
    assert not announcements(api, GROUP_C)
    wire = crashes.arm(19, "sendMessage", lambda p: announcement_text(p, GROUP_C))
    bot.launch()
    crashes.killed(wire)
    down_runs = bot.runs
    crashes.restart()

    # 20. The burst goes on while C is taken over.
    crashes.killed(crashes.arm_after_taps(20, 100))
    crashes.restart()
    ledger = crashes.ledger
    crashes.tap_until(lambda: crashes.recorded(GROUP_C), "C taken over and posted")

    # The end: a last round everyone sees answered, then a clean stop.
    api.wait_until(ledger.collect, 30, "the taps in flight")
    ledger.tap_idle()
    api.wait_until(ledger.collect, 30, "the last round")
    last = {user: taps[-1].answer for user, taps in ledger.taps.items()}
    assert all(taps[-1].acked for taps in ledger.taps.values())

    def shows_last_round() -> bool:
        lines = (api.message(GROUP, announcement.message_id).plain_text or "").splitlines()
        shown = {
            answer: next((line for line in lines if label in line), "")
            for answer, label in (("in", "In ("), ("maybe", "Maybe ("), ("out", "Out ("))
        }
        return all(api.users[user].first_name in shown[answer] for user, answer in last.items())

    api.wait_until(shows_last_round, 15, "the announcement showing the last round")
    log = bot.log()  # before the stop: SIGTERM during a job is logged by APScheduler
    bot.stop()
    assert committed_answers_sqlite(db_path, GROUP) == last

    assert crashes.fired == list(MOMENTS)
    assert not ledger.unexpected_replies()
    for chat in (GROUP, GROUP_B, GROUP_C):
        assert len(announcements(api, chat)) == 1, (chat, announcement_sends(api, chat))
    (c_send,) = announcement_sends(api, GROUP_C)
    assert c_send.client is not None and int(c_send.client.rsplit("-", 1)[1]) > down_runs
    assert "Traceback" not in log, log[-5000:]
    print(f"{bot.runs} runs, {ledger.acknowledged_count()} acknowledged taps")


def test_a_kill_between_sending_and_recording_posts_twice(
    api: FakeTelegram, crashes: Crashes
) -> None:
    """The window no test above kills in: Telegram accepted the announcement, the bot died
    before recording it. The next run cannot know it went out and posts it again, once;
    buttons on the first copy are refused, so its taps cannot go astray."""
    bot = crashes.bot
    bot.start(api)
    start = next_minute(timedelta(minutes=20))
    configure(api, GROUP, start, "/set reminder 1m", "/set announce 2m")
    wire = api.add_tripwire(
        "sendMessage",
        lambda: bot.kill_now(api),
        after_effect=True,
        match=lambda p: announcement_text(p, GROUP),
    )
    api.user_sends(COACH, GROUP, "/set announce 6d")
    api.wait_until(lambda: wire.fired, 30, "the kill")
    bot.reap()
    assert not crashes.recorded(GROUP) and crashes.claimed_unsent(GROUP)

    bot.start(api)
    api.wait_until(lambda: crashes.recorded(GROUP), CLAIM_EXPIRY + 30, "the second copy")
    ghost, posted = announcements(api, GROUP)
    (recorded,) = sqlite_rows(
        crashes.db_path, "SELECT message_id FROM posts WHERE kind = 'announcement'"
    )
    assert recorded == (posted.message_id,)
    ledger = TapLedger(api, GROUP, posted.message_id, (ANN,))
    ghost_tap = api.user_presses(BOB, GROUP, ghost.message_id, data=ledger.data["in"])
    ledger.tap_idle()
    api.wait_until(ledger.collect, 15, "the tap on the posted copy")
    query = ghost_tap["callback_query"]["id"]
    api.wait_until(lambda: bool(api.callback_queries[query].answers), 15, "the ghost's answer")
    assert ledger.all_taps()[0].acked
    assert acknowledged(str(api.callback_queries[query].answers[0].get("text", ""))) is None
    bot.stop()
    assert len(announcements(api, GROUP)) == 2
