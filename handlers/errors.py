"""The one error handler: log with the update's ids, apologise once, keep running.

A database that is down or restarting is not a bug: the user is asked to try again and
a one-line warning is logged instead of a traceback.
"""

from __future__ import annotations

import logging
import traceback

from asyncpg import PostgresConnectionError  # type: ignore[import-untyped]
from asyncpg.exceptions import OperatorInterventionError  # type: ignore[import-untyped]
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from telegram import Update
from telegram.error import TelegramError

from handlers.context import BotContext

log = logging.getLogger("speedsession.errors")

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
DATABASE_DOWN = "I couldn't save that just now — please try again in a minute."
# Where an OSError means the database connection failed (not a file or Telegram).
_DATABASE_MODULES = ("sqlalchemy.", "asyncpg.", "aiosqlite.")


def database_unavailable(error: BaseException | None) -> bool:
    """True for a failed or lost database connection (down, restarting, locked)."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    if isinstance(error, PoolTimeoutError | PostgresConnectionError | OperatorInterventionError):
        return True
    if isinstance(error, OSError):
        return any(
            str(frame.f_globals.get("__name__", "")).startswith(_DATABASE_MODULES)
            for frame, _ in traceback.walk_tb(error.__traceback__)
        )
    return False


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    down = database_unavailable(error)
    if not isinstance(update, Update):
        if down:
            log.warning("background work failed, the database is unavailable: %r", error)
        else:
            log.error("background work failed: %r", error, exc_info=error)
        return
    chat = update.effective_chat
    chat_id = chat.id if chat else None
    if down:
        log.warning(
            "update %s in chat %s: the database is unavailable: %r",
            update.update_id,
            chat_id,
            error,
        )
    else:
        log.error(
            "update %s in chat %s failed: %r", update.update_id, chat_id, error, exc_info=error
        )
    text = DATABASE_DOWN if down else SORRY
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None and chat is not None:
            await context.bot.send_message(chat.id, text)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
