"""/results: a session's results board, in the group or (for the home group) in private."""

from __future__ import annotations

import re
from datetime import date

from telegram import Update

from db import boards
from db.views import Refusal
from handlers import render, render_results
from handlers.common import argument_text, group_of, reply
from handlers.context import BotContext

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> date | None:
    """``2026-12-01`` as a date; None for anything else."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def show_results(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    group = await group_of(update, context)
    if group is None:
        await reply(update, render.refusal(Refusal.NO_HOME_GROUP))
        return
    text = argument_text(message)
    on_date = parse_date(text) if text else None
    if text and on_date is None:
        await reply(
            update, "🤔 Please give the date as year-month-day.\n" + render_results.RESULTS_USAGE
        )
        return
    services = context.services
    try:
        board = await boards.board_for(services.db, group.chat_id, services.now(), on_date)
    except boards.BoardRefused as refused:
        await reply(update, render_results.no_board_text(refused, group.timezone, on_date))
        return
    await reply(update, render_results.board_text(board))
