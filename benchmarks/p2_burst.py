"""P2: a burst of 200 taps on one announcement, against Telegram's per-group flood limit.

The real application (flood limits on, the default 3 s between two edits of one
announcement) runs on an SQLite file and on a stub Bot API that answers 429 beyond 20
messages per minute into one group, as Telegram does. One group's announcement is
posted, then 200 members tap In, Maybe or Out, spread evenly over 10 s, each tap a real
callback-query update handled concurrently. Counted: taps answered, edits of the
announcement, 429 answers, and whether the announcement's final text and buttons are
exactly what the renderer makes of the committed database state.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from benchmarks.harness import button_press, running_bot, settings
from benchmarks.measurement import Measurement
from benchmarks.stub_api import Limits, StubBotApi
from db import groups, rsvps, sessions
from db.migrate import upgrade_to_head_async
from handlers import render
from jobs.posts import post_announcement

NAME = "P2 Burst"
CHAT = -1_002_000_000
TAPS = 200
SPREAD_S = 10.0
ACTIONS = ("in", "maybe", "out")
MAX_EDITS = 5


def _markup(value: Any) -> Any:
    """The keyboard as sent: PTB hands the stub a dict or its JSON text."""
    return json.loads(value) if isinstance(value, str) else value


async def run(quick: bool) -> list[Measurement]:
    """Quick or not, the burst is the same: it is small and takes about 15 s."""
    now = datetime.now(UTC)
    stub = StubBotApi(limits=Limits(per_minute_per_group=20), keep_log=True)
    rng = random.Random(2)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'p2.db'}"
        await upgrade_to_head_async(url)
        async with running_bot(settings(url), stub) as (app, services):
            await groups.ensure_group(services.db, CHAT, "Harriers", "UTC", now)
            day = (now + timedelta(days=3)).strftime("%A").lower()
            await groups.set_setting(services.db, CHAT, "day", day, now)
            session_id = (await sessions.next_session(services.db, CHAT, now)).id
            message_id = await post_announcement(app.bot, services, session_id)
            assert message_id is not None, "the announcement was not posted"
            taps = {user_id: rng.choice(ACTIONS) for user_id in range(100_001, 100_001 + TAPS)}

            async def tap(number: int, user_id: int, action: str) -> None:
                await asyncio.sleep(number * SPREAD_S / TAPS)
                data = f"rsvp:{session_id}:{action}"
                update = button_press(number + 1, user_id, CHAT, message_id, data)
                await app.process_update(Update.de_json(update, app.bot))

            await asyncio.gather(
                *(tap(number, user, action) for number, (user, action) in enumerate(taps.items()))
            )
            assert services.refresher is not None
            await services.refresher.settle()
            board = await rsvps.board(services.db, session_id)
            assert board is not None
            expected_text = render.announcement_text(board, services.now())
            keyboard = render.announcement_keyboard(board, services.now())
            committed = {entry.person.user_id: entry.reply.answer.value for entry in board.entries}
    edits = [
        call
        for call in stub.log
        if call.method == "editMessageText" and int(call.params.get("message_id", 0)) == message_id
    ]
    answered = {
        str(call.params.get("callback_query_id"))
        for call in stub.log
        if call.method == "answerCallbackQuery"
    }
    exact = bool(edits) and (
        edits[-1].params.get("text") == expected_text
        and _markup(edits[-1].params.get("reply_markup"))
        == (keyboard.to_dict() if keyboard else None)
    )
    kept = sum(1 for user_id, action in taps.items() if committed.get(user_id) == action)
    rejected = sum(stub.rejected.values())
    return [
        Measurement(NAME, "taps answered", len(answered), "", f"= {TAPS}", len(answered) == TAPS),
        Measurement(NAME, "taps committed as tapped", kept, "", f"= {TAPS}", kept == TAPS),
        Measurement(
            NAME,
            "edits of the announcement",
            len(edits),
            "",
            f"≤ {MAX_EDITS}",
            0 < len(edits) <= MAX_EDITS,
        ),
        Measurement(NAME, "answers 429 (flood limit)", rejected, "", "0", rejected == 0),
        Measurement(
            NAME,
            "final announcement = committed state",
            None,
            "",
            "exact",
            exact,
            "exact, text and buttons" if exact else "differs",
        ),
    ]
