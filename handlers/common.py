"""Small helpers shared by the thin handlers: who is asking, where, and replying."""

from __future__ import annotations

from telegram import Chat, Message, Update, User
from telegram.constants import ParseMode

from db import groups, members, sessions
from db.views import GroupSettings, Person, Refused, SessionView
from handlers.context import BotContext


def person_of(user: User) -> Person:
    return Person(
        user_id=user.id,
        first_name=user.first_name or "",
        last_name=user.last_name,
        username=user.username,
    )


def is_group(chat: Chat | None) -> bool:
    return chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def argument_text(message: Message) -> str:
    """Everything after the command word, whitespace-trimmed (newlines kept)."""
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def command_arguments(update: Update) -> tuple[str, User]:
    """The text after the command and who sent it."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    return argument_text(message), user


async def reply(update: Update, text: str, **kwargs: object) -> Message | None:
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(
        text,
        parse_mode=ParseMode.HTML,
        do_quote=False,
        disable_web_page_preview=True,
        **kwargs,  # type: ignore[arg-type]
    )


async def group_of(update: Update, context: BotContext) -> GroupSettings | None:
    """The group a command is about: this group, or in private the member's home group."""
    chat = update.effective_chat
    services = context.services
    if chat is None:
        return None
    if is_group(chat):
        return await groups.ensure_group(
            services.db,
            chat.id,
            chat.title or "",
            services.settings.default_timezone,
            services.now(),
        )
    user = update.effective_user
    if user is None:
        return None
    home = await members.home_group(services.db, user.id)
    return await groups.get_group(services.db, home) if home is not None else None


async def upcoming(context: BotContext, group: GroupSettings) -> SessionView | None:
    """The group's next session, or None while it has no weekly slot."""
    if not group.configured:
        return None
    try:
        return await sessions.next_session(
            context.services.db, group.chat_id, context.services.now()
        )
    except Refused:
        return None
