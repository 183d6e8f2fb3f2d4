"""Sending to Telegram with its everyday errors handled in one place.

- "message is not modified" is success (the text is already right);
- 403 / "chat not found" in a group marks the group inactive, in private marks
  the user as unreachable, instead of retrying forever;
- a group upgraded to a supergroup (ChatMigrated) has its data moved to the
  new chat id, and the message goes there;
- 429 (RetryAfter) is waited out and retried by the flood limiter the
  application is built with (`jobs/flood.py`), so callers never see it unless
  retries run out.
"""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden

from db import groups, members
from handlers.services import Services

log = logging.getLogger(__name__)

_GONE = ("chat not found", "bot was kicked", "bot is not a member", "group chat was deactivated")


async def _unreachable(services: Services, chat_id: int, error: Exception) -> None:
    log.warning("chat %s unreachable: %s", chat_id, error)
    if chat_id < 0:
        await groups.set_active(services.db, chat_id, False)
    else:
        await members.cannot_message(services.db, chat_id)


async def send(
    bot: Bot,
    services: Services,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send an HTML message; None when the chat can no longer be reached."""
    try:
        return await _send(bot, services, chat_id, text, markup)
    except ChatMigrated as migrated:
        # The group became a supergroup: move its data, then send to the new id.
        await groups.migrate_group(services.db, chat_id, migrated.new_chat_id)
        return await _send(bot, services, migrated.new_chat_id, text, markup)


async def _send(
    bot: Bot,
    services: Services,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> Message | None:
    try:
        return await bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
    except Forbidden as error:
        await _unreachable(services, chat_id, error)
    except BadRequest as error:
        if not any(reason in error.message.lower() for reason in _GONE):
            raise
        await _unreachable(services, chat_id, error)
    return None


async def edit(
    bot: Bot,
    services: Services,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> bool:
    """Edit a message in place; False when it no longer exists or cannot be reached."""
    try:
        await bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
        return True
    except BadRequest as error:
        lowered = error.message.lower()
        if "message is not modified" in lowered:
            return True
        if "message to edit not found" in lowered or "message can't be edited" in lowered:
            log.info("announcement %s/%s is gone: %s", chat_id, message_id, error)
            return False
        if any(reason in lowered for reason in _GONE):
            await _unreachable(services, chat_id, error)
            return False
        raise
    except Forbidden as error:
        await _unreachable(services, chat_id, error)
        return False


async def delete_quietly(bot: Bot, chat_id: int, message_id: int) -> None:
    """Remove an outdated message; it may be gone already or too old, which is fine."""
    try:
        await bot.delete_message(chat_id, message_id)
    except (BadRequest, Forbidden) as error:
        log.info("could not delete %s/%s: %s", chat_id, message_id, error)
