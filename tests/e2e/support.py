"""Shared pieces of the reliability tests: users tapping in bursts, and what was promised.

A tap is *acknowledged* when the fake Bot API received the bot's answerCallbackQuery for
it with a text confirming the answer. Each user keeps at most one tap in flight, so a
user's taps take effect in the order they were made (a tap in flight when the bot dies
is either delivered again to the next run or, once that run's poll confirmed it, lost
with the run). The database must then hold the user's last acknowledged answer, or the
answer of a later tap that was never acknowledged (saved, but the bot died before it
could say so).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tests.fake_api import Call, FakeTelegram, Message

ANSWERS = ("in", "maybe", "out")
ANNOUNCEMENT_MARK = "Speed session ·"


def acknowledged(reply: str) -> str | None:
    """The answer a tap's reply confirms as saved; None when it confirms nothing."""
    if reply.startswith(("You're in", "You're already in", "The session is full")):
        return "in"
    if reply.startswith(("Marked as maybe", "You're already a maybe")):
        return "maybe"
    if reply.startswith("You're out"):
        return "out"
    return None


def announcements(api: FakeTelegram, chat: int) -> list[Message]:
    """The announcements the bot posted in a chat (deleted ones too)."""
    return [
        m
        for m in api.messages_in(chat, include_deleted=True)
        if m.from_bot and ANNOUNCEMENT_MARK in (m.text or "")
    ]


def announcement_sends(api: FakeTelegram, chat: int) -> list[Call]:
    """Answered sendMessage calls that posted an announcement in the chat, to see which run
    sent it; a call whose answer was lost is not here, so count `announcements` instead."""
    return [
        c
        for c in api.calls_of("sendMessage")
        if c.ok and c.params.get("chat_id") == chat and ANNOUNCEMENT_MARK in str(c.params["text"])
    ]


def sqlite_rows(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    """Committed rows, read the way another process would (the bot may be running)."""
    with closing(sqlite3.connect(path, timeout=10)) as connection:
        return list(connection.execute(sql, args))


def committed_answers_sqlite(path: Path, chat: int) -> dict[int, str]:
    rows = sqlite_rows(
        path,
        "SELECT r.user_id, r.answer FROM rsvps r JOIN sessions s ON s.id = r.session_id"
        " WHERE s.group_id = ?",
        chat,
    )
    return {int(str(user)): str(answer) for user, answer in rows}


@dataclass
class Tap:
    user: int
    answer: str
    query_id: str
    update_id: int
    reply: str | None = None  # the text of the bot's answer, once it arrived
    lost: bool = False  # the run that confirmed it died without answering

    @property
    def resolved(self) -> bool:
        return self.reply is not None or self.lost

    @property
    def acked(self) -> bool:
        return self.reply is not None and acknowledged(self.reply) == self.answer


class TapLedger:
    """Users tapping In / Maybe / Out on one announcement, at most one tap in flight each."""

    def __init__(
        self, api: FakeTelegram, chat: int, message_id: int, users: Iterable[int], seed: int = 0
    ) -> None:
        self.api = api
        self.chat = chat
        self.message_id = message_id
        self.rng = random.Random(seed)
        self.taps: dict[int, list[Tap]] = {user: [] for user in users}
        buttons = api.message(chat, message_id).buttons
        self.data = {
            action: next(
                str(b["callback_data"])
                for b in buttons
                if str(b["callback_data"]).endswith(f":{action}")
            )
            for action in ANSWERS
        }

    def tap_idle(self) -> None:
        """Every user without a tap in flight taps a different answer than last time."""
        for user, taps in self.taps.items():
            if taps and not taps[-1].resolved:
                continue
            choices = [a for a in ANSWERS if not taps or a != taps[-1].answer]
            answer = self.rng.choice(choices)
            update = self.api.user_presses(user, self.chat, self.message_id, self.data[answer])
            taps.append(Tap(user, answer, update["callback_query"]["id"], update["update_id"]))

    def in_flight(self) -> list[Tap]:
        return [taps[-1] for taps in self.taps.values() if taps and not taps[-1].resolved]

    def collect(self) -> bool:
        """Take in the answers that arrived; True when no tap is in flight any more.

        Cheap enough for a wait predicate (it runs under the fake's lock)."""
        for tap in self.in_flight():
            record = self.api.callback_queries.get(tap.query_id)
            if record is not None and record.answers:
                tap.reply = str(record.answers[0].get("text", ""))
        return not self.in_flight()

    def after_kill(self) -> None:
        """The run is dead: a tap whose update its poll confirmed will never be answered."""
        self.collect()
        pending = self.api.pending_update_ids()
        for tap in self.in_flight():
            if tap.update_id not in pending:
                tap.lost = True

    def all_taps(self) -> list[Tap]:
        return [tap for taps in self.taps.values() for tap in taps]

    def acknowledged_count(self) -> int:
        return sum(tap.acked for tap in self.all_taps())

    def unexpected_replies(self, allowed: Iterable[str] = ()) -> list[str]:
        """Answers that neither confirm the tap nor are an expected refusal."""
        return [
            f"user {tap.user} tapped {tap.answer}, bot said {tap.reply!r}"
            for tap in self.all_taps()
            if tap.reply is not None and not tap.acked and tap.reply not in allowed
        ]

    def violations(self, committed: dict[int, str]) -> list[str]:
        """Users whose saved answer is neither the last acknowledged one nor a later one."""
        problems = []
        for user, taps in self.taps.items():
            last = max((i for i, tap in enumerate(taps) if tap.acked), default=None)
            later = taps if last is None else taps[last:]
            possible = {tap.answer for tap in later}
            saved = committed.get(user)
            if saved not in possible and not (last is None and saved is None):
                shown = [(t.answer, t.reply, t.lost) for t in taps[-4:]]
                problems.append(f"user {user}: saved {saved!r}, last taps {shown}")
        return problems
