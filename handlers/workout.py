"""/workout: the coach sets the week's workout in compact notation (or free text)."""

from __future__ import annotations

import re

from telegram import Update

from db import sessions
from db.views import Refused
from domain import notation, schedule
from domain.errors import InputProblem
from handlers import render
from handlers.common import argument_text, group_of, reply
from handlers.context import BotContext
from handlers.guards import coach_in_group

MAX_WORKOUT_CHARS = 300
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
USAGE = (
    "Usage: /workout &lt;notation&gt;, e.g. /workout 6x800m @5K r90s\n"
    "For a later session: /workout 2026-12-08 4x(400m,200m) @mile r200m jog\n"
    "See /help workout for the notation."
)


def _clean(text: str) -> str:
    """Free text as it will be shown: printable characters, single spaces."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())


async def set_workout(update: Update, context: BotContext) -> None:
    if not await coach_in_group(update, context, "workout"):
        return
    message = update.effective_message
    assert message is not None
    text = argument_text(message)
    group = await group_of(update, context)
    assert group is not None
    services = context.services
    on_date = None
    first, _, rest = text.partition(" ")
    if _DATE.match(first):
        try:
            on_date = schedule.parse_session_date(first, group.timezone, services.now())
        except InputProblem as problem:
            await reply(update, render.problem(problem))
            return
        text = rest.strip()
    text = _clean(text)
    if not text:
        await reply(update, USAGE)
        return
    if len(text) > MAX_WORKOUT_CHARS:
        await reply(
            update,
            f"🤔 That workout is too long: please keep it under {MAX_WORKOUT_CHARS} "
            f"characters.\n{USAGE}",
        )
        return
    try:
        workout = notation.parse_workout(text)
        structure = notation.workout_to_dict(workout)
        reading = f"Read as: {render.esc(notation.render_workout(workout))}"
    except InputProblem as problem:
        structure = None
        reading = (
            f"I couldn't read it as notation ({render.esc(problem.message)}), so I saved it "
            "as free text. See /help workout for the notation."
        )
    try:
        session = await sessions.set_workout(
            services.db, group.chat_id, text, structure, services.now(), on_date
        )
    except Refused as refused:
        await reply(update, render.refusal(refused.reason, group, refused.detail))
        return
    if services.refresher is not None:
        services.refresher.mark(session.id)
    await reply(
        update,
        f"🏋️ Workout for <b>{render.esc(render.when(session.starts_at, group.timezone))}</b>:\n"
        f"{render.esc(text)}\n{reading}",
    )
