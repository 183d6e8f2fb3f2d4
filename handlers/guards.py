"""Checks shared by coach-only commands: in a group, and asked by a coach."""

from __future__ import annotations

from telegram import Update

from handlers.auth import is_coach
from handlers.common import is_group, reply
from handlers.context import BotContext

COACH_ONLY = (
    "Only coaches can do that. Group admins are coaches; an admin can add others with /coach add."
)


async def coach_in_group(update: Update, context: BotContext, command: str) -> bool:
    """True when the command may go ahead; otherwise the user has been told why not."""
    if not is_group(update.effective_chat):
        await reply(update, f"Please use /{command} in your club's group.")
        return False
    if not await is_coach(update, context):
        await reply(update, COACH_ONLY)
        return False
    return True
