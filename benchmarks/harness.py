"""The real application on the stub Bot API, as the benchmarks start and stop it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from benchmarks.stub_api import BOT_USER, StubBotApi
from bot import build_application, on_shutdown, on_startup, on_stop, services_of
from config.settings import Settings
from handlers.context import BotApplication
from handlers.services import Services

TOKEN = "123456:BENCHMARK"


def settings(database_url: str, **overrides: Any) -> Settings:
    """Production defaults (edit interval, sweep...), a benchmark token and database."""
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=database_url,
        telegram_base_url="http://stub.invalid/bot",
        default_timezone="UTC",
        **overrides,
    )


@asynccontextmanager
async def running_bot(
    config: Settings, stub: StubBotApi, *, start_jobs: bool = False
) -> AsyncIterator[tuple[BotApplication, Services]]:
    """The bot as `python bot.py` builds it (flood limits on), started up on the stub.

    `start_jobs` starts the JobQueue too, so scheduled posts fire on their own.
    """
    app = build_application(config, request=stub)
    await app.initialize()
    await on_startup(app)
    if start_jobs:
        await app.start()
    try:
        yield app, services_of(app)
    finally:
        if start_jobs:
            await app.stop()
        await on_stop(app)
        await app.shutdown()
        await on_shutdown(app)


def button_press(
    update_id: int, user_id: int, chat_id: int, message_id: int, data: str
) -> dict[str, Any]:
    """A callback-query update as Telegram sends it when a member taps a button."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": {"id": user_id, "is_bot": False, "first_name": f"Runner{user_id}"},
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "supergroup", "title": "Club"},
                "from": BOT_USER,
                "text": "Speed session",
            },
        },
    }
