"""/report: members report their splits; coaches report for others or mark no-shows.

A report whose number of splits differs from the workout's reps is not saved
straight away: the runner is shown the expected shape and confirms with a
button. The pending report lives in the runner's user_data only until then
(they were not told it was saved, so a restart losing it loses nothing promised).
"""

from __future__ import annotations

import secrets

from telegram import InlineKeyboardMarkup, Update, User

from db import history, members, results
from db.views import Person, Refusal, Refused
from domain.errors import InputProblem
from domain.report import parse_report
from handlers import coaching, render, render_report
from handlers.auth import is_coach
from handlers.common import argument_text, is_group, person_of, reply
from handlers.context import BotContext
from jobs.delivery import send

PENDING_KEY = "pending_report"
MAX_NAME_CHARS = 60


async def _group_id(update: Update, context: BotContext, user: User) -> int | None:
    chat = update.effective_chat
    if is_group(chat) and chat is not None:
        return chat.id
    return await members.home_group(context.services.db, user.id)


async def _subject(
    update: Update, context: BotContext, group_id: int, words: list[str]
) -> tuple[Person | None, list[str]]:
    """Whom the report is for (None: the sender) and the words left for the splits."""
    message = update.effective_message
    assert message is not None
    if words and words[0].startswith("@") and len(words[0]) > 1:
        name = words[0][1:][:MAX_NAME_CHARS]
        known = await members.find_by_username(context.services.db, group_id, name)
        return known or members.offline_runner(group_id, name), words[1:]
    replied = message.reply_to_message
    if (
        is_group(update.effective_chat)
        and replied is not None
        and replied.from_user is not None
        and not replied.from_user.is_bot
        and replied.from_user.id != (update.effective_user.id if update.effective_user else 0)
    ):
        return person_of(replied.from_user), words
    return None, words


async def report(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = context.services
    group_id = await _group_id(update, context, user)
    if group_id is None:
        await reply(update, render.refusal(Refusal.NO_HOME_GROUP))
        return
    words = argument_text(message).split()
    if not words:
        await reply(update, render_report.USAGE)
        return
    subject, words = await _subject(update, context, group_id, words)
    if subject is not None and not (
        is_group(update.effective_chat) and await is_coach(update, context)
    ):
        await reply(update, "Only coaches can report for someone else (in the group).")
        return
    runner = subject or person_of(user)
    action = words[0].lower() if len(words) == 1 else ""
    try:
        if action == "undo":
            await results.undo_report(
                services.db, group_id, runner.user_id, user.id, services.now()
            )
            # Through _respond: a private-mode runner is never named in the group.
            await _respond(
                update,
                context,
                runner,
                f"🗑 Removed the report of {render.esc(runner.display_name)}.",
            )
            return
        if action in {"noshow", "no-show"} and subject is not None:
            session = await results.mark_no_show(
                services.db, group_id, runner, user.id, services.now()
            )
            tz = (await results.report_target(services.db, group_id, services.now())).group.timezone
            await _respond(
                update,
                context,
                runner,
                f"Marked {render.esc(runner.display_name)} as a no-show for "
                f"{render.esc(render.when(session.starts_at, tz))}.",
            )
            return
        parsed = parse_report(" ".join(words))
        target = await results.report_target(services.db, group_id, services.now())
        checked = results.check(target, parsed)
    except Refused as refused:
        await reply(update, render.refusal(refused.reason))
        return
    except InputProblem as problem:
        await reply(update, render.problem(problem))
        return
    if checked.mismatch is not None:
        token = secrets.token_urlsafe(6)
        assert context.user_data is not None
        context.user_data[PENDING_KEY] = (token, group_id, runner, " ".join(words))
        await _respond(
            update,
            context,
            runner,
            render_report.mismatch_text(checked, checked.mismatch),
            render_report.confirm_keyboard(token),
        )
        return
    await _save(update, context, group_id, runner, " ".join(words), subject is not None)


async def _save(
    update: Update, context: BotContext, group_id: int, runner: Person, text: str, for_other: bool
) -> None:
    user = update.effective_user
    assert user is not None
    services = context.services
    try:
        saved = await results.save_report(
            services.db, group_id, runner, user.id, parse_report(text), services.now()
        )
    except Refused as refused:
        await reply(update, render.refusal(refused.reason))
        return
    except InputProblem as problem:
        await reply(update, render.problem(problem))
        return
    comparison = await coaching.report_lines(update, context, group_id, runner, saved)
    await _respond(
        update,
        context,
        runner,
        render_report.saved_text(saved, runner.display_name if for_other else None, comparison),
    )


async def _respond(
    update: Update,
    context: BotContext,
    runner: Person,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Reply; but a private-mode runner's times never go to the group: they go privately."""
    user = update.effective_user
    assert user is not None
    services = context.services
    if not is_group(update.effective_chat) or not await history.is_private(
        services.db, runner.user_id
    ):
        await reply(update, text, reply_markup=markup)
        return
    if await send(context.bot, services, user.id, text, markup) is not None:
        await reply(update, "✅ Got it: the details went to you privately.")
        return
    link = f"https://t.me/{context.bot.username}?start=report_{abs(update.effective_chat.id)}"  # type: ignore[union-attr]
    await reply(
        update,
        "Private mode is on, so I don't show times here. "
        f'<a href="{link}">Open a chat with me</a> and send your report there.',
    )


async def on_confirm(update: Update, context: BotContext) -> None:
    """The "Save as it is" / "Cancel" buttons under a count-mismatch question."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    pending = (context.user_data or {}).get(PENDING_KEY)
    if len(parts) != 3 or pending is None or pending[0] != parts[2]:
        await query.answer("That report has expired: please send it again.", show_alert=True)
        return
    assert context.user_data is not None
    del context.user_data[PENDING_KEY]
    _, group_id, runner, text = pending
    if parts[1] != "save":
        await query.answer("Not saved.")
        await query.edit_message_reply_markup(None)
        return
    await query.answer("Saving…")
    await query.edit_message_reply_markup(None)
    await _save(update, context, group_id, runner, text, runner.user_id != query.from_user.id)
