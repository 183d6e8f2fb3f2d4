"""A real PTB Application polls the fake and reacts to simulated users."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fake_api import DEFAULT_TOKEN, FakeTelegram
from tests.fake_api.harness import fake_builder, polling
from tests.fake_api.http_server import FakeBotApiServer

from .conftest import ANN, BEN, GROUP

AnyApp = Application[Any, Any, Any, Any, Any, Any]
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("In", callback_data="in"),
            InlineKeyboardButton("Out", callback_data="out"),
        ]
    ]
)


async def _session(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Tuesday track: 0 in", reply_markup=KEYBOARD)


async def _rsvp(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await query.answer("Counted")
    await query.edit_message_text(f"Tuesday track: {query.from_user.first_name} {query.data}")


def _with_handlers(builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any]) -> AnyApp:
    app = builder.build()
    app.add_handler(CommandHandler("session", _session))
    app.add_handler(CallbackQueryHandler(_rsvp))
    return app


async def _script(tg: FakeTelegram) -> None:
    """Ann asks for a session, Ben taps In; the bot answers and edits."""
    tg.user_sends(ANN, GROUP, "/session@SpeedSessionBot")
    announcement = await tg.async_wait_for_message(GROUP, "Tuesday track", timeout=5)
    assert announcement.reply_to_message_id is not None
    press = tg.user_presses(BEN, GROUP, announcement.message_id, text="In")
    await tg.async_wait_for_message(GROUP, "Ben in", timeout=5)
    await tg.async_wait_until(lambda: bool(tg.callback_answers_for(press["update_id"])), 5)
    assert tg.callback_answers_for(press["update_id"]) == [{"show_alert": False, "text": "Counted"}]
    assert tg.message(GROUP, announcement.message_id).buttons == []  # edit dropped the keyboard


async def test_polling_over_http(tg: FakeTelegram, server: FakeBotApiServer) -> None:
    builder = Application.builder().token(DEFAULT_TOKEN).base_url(server.base_url)
    async with polling(_with_handlers(builder), poll_timeout=10):
        await _script(tg)
    assert [c.method for c in tg.calls[:3]] == ["getMe", "deleteWebhook", "getUpdates"]


async def test_polling_in_process(tg: FakeTelegram) -> None:
    async with polling(_with_handlers(fake_builder(tg)), poll_timeout=10):
        await _script(tg)
        await tg.async_settle(quiet=0.05)
    assert tg.pending_updates == []


def test_run_polling_in_a_thread_like_the_real_bot(
    tg: FakeTelegram, server: FakeBotApiServer
) -> None:
    """run_polling owns its loop; stop it from outside the way a signal would."""
    app = _with_handlers(Application.builder().token(DEFAULT_TOKEN).base_url(server.base_url))
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        app.run_polling(stop_signals=None, close_loop=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        tg.wait_for_polling(timeout=5)
        tg.user_sends(ANN, GROUP, "/session")
        msg = tg.wait_for_message(GROUP, "Tuesday track", timeout=5)
        assert msg.created_by == "sendMessage"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
    assert not thread.is_alive()
    last = tg.calls_of("getUpdates")[-1]
    assert last.params.get("timeout") == 0  # PTB's shutdown call confirms the offset
