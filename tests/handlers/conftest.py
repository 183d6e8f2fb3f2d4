"""The real Application, wired to the in-memory fake Bot API, fed real Update objects.

The application is initialised and its start-up hook run (migrations, menus,
schedules), but the JobQueue is not started: scheduled callbacks are invoked
directly with a controlled clock, so nothing fires behind a test's back.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot import build_application, on_shutdown, on_startup, on_stop, services_of
from config.settings import Settings
from handlers.context import BotApplication
from handlers.services import Services
from tests.fake_api import DEFAULT_TOKEN, FakeTelegram
from tests.fake_api.request import FakeRequest

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
GROUP = -100500
ADMIN, ANN, BOB, CAT, DAN = 1, 2, 3, 4, 5


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Harness:
    app: BotApplication
    api: FakeTelegram
    clock: Clock

    @property
    def services(self) -> Services:
        return services_of(self.app)

    async def feed(self, update: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await self.settle()

    async def settle(self) -> None:
        """Let coalesced announcement edits run (the interval is 0 in tests)."""
        refresher = self.services.refresher
        assert refresher is not None
        for _ in range(5):
            await refresher.settle()

    async def say(
        self, user: int, text: str, chat: int = GROUP, reply_to: int | None = None
    ) -> str:
        """A user sends a message; returns the text of the bot's last message in that chat."""
        seen = max(
            (m.message_id for m in self.api.messages_in(chat, include_deleted=True)), default=0
        )
        await self.feed(self.api.user_sends(user, chat, text, reply_to=reply_to))
        new = [m for m in self.api.messages_in(chat) if m.from_bot and m.message_id > seen]
        return new[-1].plain_text or "" if new else ""

    async def press(self, user: int, message_id: int, data: str, chat: int = GROUP) -> str:
        """A user taps a button; returns the text the callback query was answered with."""
        update = self.api.user_presses(user, chat, message_id, data=data)
        await self.feed(update)
        answers = self.api.callback_answers_for(update["callback_query"]["id"])
        assert answers, "the button press was not answered"
        return str(answers[-1].get("text", ""))

    def bot_texts(self, chat: int = GROUP) -> list[str]:
        return [m.plain_text or "" for m in self.api.messages_in(chat) if m.from_bot]


@pytest.fixture
def api() -> FakeTelegram:
    api = FakeTelegram()
    for user_id, name in ((ADMIN, "Coach"), (ANN, "Ann"), (BOB, "Bob"), (CAT, "Cat"), (DAN, "Dan")):
        api.add_user(user_id, name)
    api.add_group(GROUP, "Harriers", admins=[ADMIN], members=[ANN, BOB, CAT, DAN])
    return api


@pytest.fixture
async def harness(
    api: FakeTelegram, sqlite_template: Path, tmp_path: Path
) -> AsyncIterator[Harness]:
    database = tmp_path / "bot.db"
    shutil.copy(sqlite_template, database)
    settings = Settings(
        _env_file=None,
        bot_token=DEFAULT_TOKEN,
        database_url=f"sqlite+aiosqlite:///{database}",
        default_timezone="Europe/London",
        announcement_edit_interval=0.0,
    )
    clock = Clock(NOW)
    app = build_application(settings, request=FakeRequest(api), clock=clock, flood_limits=False)
    await app.initialize()
    await on_startup(app)
    try:
        yield Harness(app, api, clock)
    finally:
        await on_stop(app)
        await app.shutdown()
        await on_shutdown(app)
