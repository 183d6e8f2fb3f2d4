"""/coach: group admins add or remove coaches (by replying to them, or by user id)."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.error import TelegramError

from db import members
from db.views import Person
from handlers import render
from handlers.auth import is_admin
from handlers.common import argument_text, is_group, person_of, reply
from handlers.context import BotContext

USAGE = (
    "Usage: reply to a member's message with /coach add (or /coach remove), "
    "or give their user id: /coach add 123456789"
)


async def _target(update: Update, context: BotContext, words: list[str]) -> Person | None:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    if len(words) == 2:
        if not (words[1].isascii() and words[1].isdigit()) or len(words[1]) > 15:
            return None
        try:
            member = await context.bot.get_chat_member(chat.id, int(words[1]))
        except TelegramError:
            return None
        gone = member.status in (ChatMember.LEFT, ChatMember.BANNED)
        if member.user.is_bot or (gone and words[0].lower() == "add"):
            return None  # a former coach who left can still be removed
        return person_of(member.user)
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
        return person_of(replied.from_user)
    return None


async def coach(update: Update, context: BotContext) -> None:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert message is not None
    if not is_group(chat) or chat is None or user is None:
        await reply(update, "Please use /coach in your club's group.")
        return
    if not await is_admin(context, chat.id, user.id):
        await reply(update, "Only group admins can add or remove coaches.")
        return
    words = argument_text(message).split()
    if not words or words[0].lower() not in {"add", "remove"} or len(words) > 2:
        await reply(update, USAGE)
        return
    target = await _target(update, context, words)
    if target is None:
        await reply(update, "🤔 I couldn't find that member in this group.\n" + USAGE)
        return
    services = context.services
    name = render.esc(target.display_name)
    if words[0].lower() == "add":
        added = await members.add_coach(services.db, chat.id, target, user.id, services.now())
        await reply(
            update, f"🧢 {name} is now a coach." if added else f"{name} is already a coach."
        )
    else:
        removed = await members.remove_coach(services.db, chat.id, target.user_id)
        await reply(
            update,
            f"{name} is no longer a coach."
            if removed
            else f"{name} wasn't a coach (admins always are).",
        )
