"""Who may coach: group admins (asked from Telegram, cached briefly) and added coaches."""

from __future__ import annotations

import time

from telegram import ChatMember, Update
from telegram.error import TelegramError

from db import members
from handlers.context import BotContext

ADMIN_CACHE_SECONDS = 60.0
_ADMIN_STATUSES = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
_CACHE_KEY = "admin_cache"


async def is_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    cache: dict[tuple[int, int], tuple[float, bool]] = context.bot_data.setdefault(_CACHE_KEY, {})
    cached = cache.get((chat_id, user_id))
    if cached is not None and time.monotonic() - cached[0] < ADMIN_CACHE_SECONDS:
        return cached[1]
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    admin = member.status in _ADMIN_STATUSES
    cache[(chat_id, user_id)] = (time.monotonic(), admin)
    return admin


async def is_coach(update: Update, context: BotContext) -> bool:
    """True for group admins (anonymous admins included) and coaches added with /coach."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or user is None:
        return False
    if (
        message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == chat.id
    ):
        return True  # an anonymous admin posting as the group
    if await members.is_coach(context.services.db, chat.id, user.id):
        return True
    return await is_admin(context, chat.id, user.id)
