"""/settings and /set: show and change a group's weekly slot and options."""

from __future__ import annotations

from telegram import Update

from db import groups
from db.views import Refusal
from domain.errors import InputProblem
from domain.values import SETTING_KEYS
from handlers import render
from handlers.common import argument_text, group_of, reply, upcoming
from handlers.context import BotContext
from handlers.guards import coach_in_group
from jobs.scheduler import sync_group

SET_USAGE = (
    "Usage: /set &lt;key&gt; &lt;value&gt;, for example /set day tuesday\nKeys:\n"
    + "\n".join(
        f"• {key}: {render.esc(spec.description)} (e.g. /set {key} {render.esc(spec.example)})"
        for key, spec in SETTING_KEYS.items()
    )
)


async def show_settings(update: Update, context: BotContext) -> None:
    group = await group_of(update, context)
    if group is None:
        await reply(update, render.refusal(Refusal.NO_HOME_GROUP))
        return
    await reply(update, render.settings_text(group, await upcoming(context, group)))


async def set_setting(update: Update, context: BotContext) -> None:
    if not await coach_in_group(update, context, "set"):
        return
    message = update.effective_message
    assert message is not None
    parts = argument_text(message).split(maxsplit=1)
    if len(parts) < 2:
        await reply(update, SET_USAGE)
        return
    key, value = parts
    # Save, re-plan the group's posts, and echo what is now scheduled.
    group = await group_of(update, context)
    assert group is not None
    services = context.services
    try:
        saved = await groups.set_setting(services.db, group.chat_id, key, value, services.now())
    except InputProblem as problem:
        await reply(update, render.problem(problem))
        return
    await sync_group(context.job_queue, services, group.chat_id)
    if services.refresher is not None:
        for session in saved.retimed:
            services.refresher.mark(session.id)
    await reply(
        update,
        render.saved_text(
            saved.settings, saved.key, await upcoming(context, saved.settings), len(saved.kept)
        ),
    )
