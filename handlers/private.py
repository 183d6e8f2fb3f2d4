"""/start, /help and /remind: getting to know a member, in private or in the group."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.error import TelegramError

from db import groups, members
from handlers import render, texts
from handlers.common import argument_text, is_group, person_of, reply
from handlers.context import BotContext

REMIND_USAGE = "Usage: /remind on or /remind off (in a private chat with me)."


REPORT_PREFIX = "report_"


def _group_from_payload(payload: str) -> int | None:
    """`g<digits>` (/help) or `report_<digits>` ("How did it go?") -> the group's chat id."""
    for prefix in ("g", REPORT_PREFIX):
        digits = payload.removeprefix(prefix)
        if (
            payload.startswith(prefix)
            and digits.isascii()
            and digits.isdigit()
            and len(digits) <= 20
        ):
            return -int(digits)
    return None


async def _is_member(context: BotContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    return member.status not in (ChatMember.LEFT, ChatMember.BANNED)


async def start(update: Update, context: BotContext) -> None:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert message is not None
    if is_group(chat) or user is None:
        await help_command(update, context)
        return
    services = context.services
    payload = argument_text(message)
    home = _group_from_payload(payload)
    group = await groups.get_group(services.db, home) if home is not None else None
    if group is not None and not await _is_member(context, group.chat_id, user.id):
        group = None  # a link passed on to someone outside the group links nobody
    await members.started_private_chat(
        services.db, person_of(user), services.now(), group.chat_id if group else None
    )
    linked = (
        f"\n\nYou're linked to <b>{render.esc(group.title)}</b>." if group and group.title else ""
    )
    if group is not None and payload.startswith(REPORT_PREFIX):
        await reply(
            update,
            f"Hi {render.esc(user.first_name)}! Send me your splits for the latest session of "
            f"<b>{render.esc(group.title)}</b>, e.g. /report 2:45 2:43 2:41 "
            "(x for a skipped rep, # for a note).",
        )
        return
    await reply(
        update,
        f"Hi {render.esc(user.first_name)}! I run your club's weekly speed session.{linked}\n"
        "Send /remind on for a private reminder before each session.\n\n"
        + texts.MEMBER_HELP
        + texts.PRIVATE_HELP,
    )


async def help_command(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message is not None
    topic = argument_text(message).lower()
    if topic.startswith("workout") or topic.startswith("notation"):
        await reply(update, texts.workout_help())
        return
    if is_group(chat) and chat is not None:
        await reply(update, texts.group_help(context.bot.username, chat.id))
    else:
        await reply(update, texts.MEMBER_HELP + texts.PRIVATE_HELP)


async def remind(update: Update, context: BotContext) -> None:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert message is not None
    if user is None:
        return
    if is_group(chat):
        await reply(
            update,
            f'Private reminders are set in a private chat: <a href="https://t.me/{context.bot.username}">'
            "open one with me</a> and send /remind on.",
        )
        return
    choice = argument_text(message).lower()
    if choice not in {"on", "off"}:
        await reply(update, REMIND_USAGE)
        return
    services = context.services
    await members.set_private_reminders(
        services.db, person_of(user), choice == "on", services.now()
    )
    if choice == "on":
        home = await members.home_group(services.db, user.id)
        where = (
            ""
            if home is not None
            else (" Answer once in your club's group so I know which sessions to remind you of.")
        )
        await reply(update, f"🔔 Private reminders are on.{where}")
    else:
        await reply(update, "🔕 Private reminders are off.")
