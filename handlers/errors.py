"""The one error handler: log with the update's ids, apologise once, keep running."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, OperationalError
from telegram import Update
from telegram.error import TelegramError

from handlers.context import BotContext

log = logging.getLogger("speedsession.errors")

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
DATABASE_DOWN = (
    "I can't reach my database right now: nothing was saved. Please try again in a minute."
)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(update, Update):
        chat = update.effective_chat
        log.error(
            "update %s in chat %s failed: %r",
            update.update_id,
            chat.id if chat else None,
            error,
            exc_info=error,
        )
        text = DATABASE_DOWN if isinstance(error, OperationalError | DBAPIError) else SORRY
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            elif update.effective_message is not None and chat is not None:
                await context.bot.send_message(chat.id, text)
        except TelegramError:
            log.warning("could not tell the user about the error", exc_info=True)
    else:
        log.error("background work failed: %r", error, exc_info=error)
