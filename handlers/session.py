"""/next, /announce, /cancel and /move: the next session as a whole."""

from __future__ import annotations

from telegram import Update

from db import rsvps, sessions
from db.views import Refusal, Refused, SessionChange
from domain import schedule
from domain.errors import InputProblem
from domain.text import is_unsafe
from handlers import render
from handlers.common import argument_text, group_of, reply, upcoming
from handlers.context import BotContext
from handlers.guards import coach_in_group
from jobs.notify import tell
from jobs.posts import repost_announcement
from jobs.scheduler import sync_group

MAX_REASON_CHARS = 200
MOVE_USAGE = (
    "Usage: /move &lt;day&gt; &lt;HH:MM&gt; or /move &lt;YYYY-MM-DD&gt; &lt;HH:MM&gt;, "
    "e.g. /move thu 19:00"
)


async def show_next(update: Update, context: BotContext) -> None:
    group = await group_of(update, context)
    if group is None:
        await reply(update, render.refusal(Refusal.NO_HOME_GROUP))
        return
    session = await upcoming(context, group)
    if session is None:
        await reply(update, render.refusal(Refusal.NOT_SET_UP))
        return
    board = await rsvps.board(context.services.db, session.id)
    assert board is not None
    await reply(
        update,
        render.announcement_text(board, context.services.now())
        + "\n\nAnswer with /in, /maybe or /out (a note may follow: /in running late).",
    )


async def announce(update: Update, context: BotContext) -> None:
    if not await coach_in_group(update, context, "announce"):
        return
    group = await group_of(update, context)
    assert group is not None
    session = await upcoming(context, group)
    if session is None:
        await reply(update, render.refusal(Refusal.NOT_SET_UP))
        return
    if session.cancelled:
        await reply(update, render.refusal(Refusal.CANCELLED))
        return
    posted = await repost_announcement(context.bot, context.services, session.id)
    if posted is None:
        await reply(update, "I couldn't post the announcement just now. Please try again.")
    await sync_group(context.job_queue, context.services, group.chat_id)


async def _announce_change(
    context: BotContext, change: SessionChange, private: str, public: str
) -> None:
    services = context.services
    if services.refresher is not None:
        services.refresher.mark(change.session.id)
    await sync_group(context.job_queue, services, change.session.group_id)
    await tell(
        context.bot,
        services,
        change.session.group_id,
        change.to_tell,
        private,
        lambda mentions: f"{mentions}: {public}",
    )


async def cancel(update: Update, context: BotContext) -> None:
    if not await coach_in_group(update, context, "cancel"):
        return
    message = update.effective_message
    assert message is not None
    reason = " ".join(argument_text(message).split())
    if len(reason) > MAX_REASON_CHARS:
        await reply(
            update,
            f"🤔 Please keep the reason under {MAX_REASON_CHARS} characters. "
            "Example: /cancel heavy thunderstorms",
        )
        return
    if any(is_unsafe(char) for char in reason):  # never stored or echoed into the group
        await reply(
            update,
            "🤔 The reason contains hidden control characters. "
            "Example: /cancel heavy thunderstorms",
        )
        return
    group = await group_of(update, context)
    assert group is not None
    services = context.services
    try:
        change = await sessions.cancel_next(
            services.db, group.chat_id, reason or None, services.now()
        )
    except Refused as refused:
        await reply(update, render.refusal(refused.reason))
        return
    at = render.esc(render.when(change.session.starts_at, group.timezone))
    because = f" ({render.esc(reason)})" if reason else ""
    await _announce_change(
        context,
        change,
        f"🚫 The speed session {at} in {render.esc(group.title)} is cancelled{because}.",
        f"the session {at} is cancelled{because}.",
    )
    await reply(
        update,
        f"🚫 Cancelled the session {at}{because}. "
        f"I told the {len(change.to_tell)} member(s) who answered In or Maybe.",
    )


async def move(update: Update, context: BotContext) -> None:
    if not await coach_in_group(update, context, "move"):
        return
    message = update.effective_message
    assert message is not None
    parts = argument_text(message).split()
    if len(parts) != 2:
        await reply(update, MOVE_USAGE)
        return
    group = await group_of(update, context)
    assert group is not None
    services = context.services
    try:
        new_start = schedule.resolve_move(parts[0], parts[1], group.timezone, services.now())
    except InputProblem as problem:
        await reply(update, render.problem(problem) + "\n" + MOVE_USAGE)
        return
    try:
        change = await sessions.move_next(services.db, group.chat_id, new_start, services.now())
    except Refused as refused:
        await reply(update, render.refusal(refused.reason))
        return
    old = render.esc(render.when(change.previous_start, group.timezone))
    new = render.esc(render.when(change.session.starts_at, group.timezone))
    await _announce_change(
        context,
        change,
        f"📅 The speed session in {render.esc(group.title)} moved from {old} to <b>{new}</b>. "
        "Still coming? Your answer stands; change it with /in, /maybe or /out.",
        f"the session moved from {old} to <b>{new}</b>.",
    )
    await reply(
        update,
        f"📅 Moved the session from {old} to <b>{new}</b>. "
        f"I told the {len(change.to_tell)} member(s) who answered In or Maybe.",
    )
