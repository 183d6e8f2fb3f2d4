"""The bot joining or leaving a group: greet and start, or stop posting there."""

from __future__ import annotations

from telegram import ChatMember, Update

from db import groups
from handlers.context import BotContext
from jobs.delivery import send
from jobs.scheduler import sync_group, unschedule_group

WELCOME = (
    "👋 Hi! I post your weekly speed session, collect In / Maybe / Out and remind everyone.\n"
    "An admin can start with /setup (or /set day tuesday and /set time 18:30).\n"
    "/help lists everything."
)


async def on_my_membership(update: Update, context: BotContext) -> None:
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    services = context.services
    status = change.new_chat_member.status
    if status in (ChatMember.LEFT, ChatMember.BANNED):
        await groups.set_active(services.db, chat.id, False)
        if context.job_queue is not None:
            unschedule_group(context.job_queue, chat.id)
        return
    if chat.type not in (chat.GROUP, chat.SUPERGROUP):
        return
    was_in = change.old_chat_member.status not in (ChatMember.LEFT, ChatMember.BANNED)
    await groups.ensure_group(
        services.db, chat.id, chat.title or "", services.settings.default_timezone, services.now()
    )
    await groups.set_active(services.db, chat.id, True)
    await sync_group(context.job_queue, services, chat.id)
    if not was_in:
        await send(context.bot, services, chat.id, WELCOME)


async def on_migration(update: Update, context: BotContext) -> None:
    """A group was upgraded to a supergroup: carry its data over to the new chat id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    services = context.services
    if await groups.migrate_group(services.db, old, new):
        if context.job_queue is not None:
            unschedule_group(context.job_queue, old)
        await sync_group(context.job_queue, services, new)
