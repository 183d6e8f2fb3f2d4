"""/setup: the same settings as /set, one button-driven question at a time."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from db import groups
from domain import values
from domain.errors import InputProblem
from handlers import render
from handlers.auth import is_coach
from handlers.common import group_of, reply, upcoming
from handlers.context import BotContext
from handlers.guards import COACH_ONLY, coach_in_group
from jobs.scheduler import sync_group


@dataclass(frozen=True)
class Step:
    key: str
    question: str
    choices: tuple[tuple[str, str], ...]  # (label, value given to /set)
    per_row: int = 4


STEPS: tuple[Step, ...] = (
    Step(
        "day",
        "Which day is the session?",
        tuple((d.capitalize(), d) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
    ),
    Step(
        "time",
        "What time does it start?",
        tuple(
            (t, t)
            for t in (
                "06:00",
                "06:30",
                "07:00",
                "12:00",
                "17:30",
                "18:00",
                "18:30",
                "19:00",
                "19:30",
                "20:00",
            )
        ),
    ),
    Step(
        "announce",
        "How long before the start should I post the announcement?",
        (("1 day", "24h"), ("2 days", "48h"), ("3 days", "72h"), ("5 days", "5d")),
    ),
    Step(
        "reminder",
        "How long before the start should I send the reminder?",
        (("1 h", "1h"), ("2 h", "2h"), ("3 h", "3h"), ("6 h", "6h")),
    ),
    Step(
        "duration",
        "How long does a session last?",
        (("60 min", "60m"), ("75 min", "75m"), ("90 min", "90m"), ("2 h", "2h")),
    ),
    Step(
        "capacity",
        "Is there a limit on places?",
        (("No limit", "off"), ("10", "10"), ("15", "15"), ("20", "20"), ("30", "30"), ("40", "40")),
    ),
    Step("guests", "May members bring guests (+1 button)?", (("No", "off"), ("Yes", "on"))),
)


def step_markup(index: int) -> InlineKeyboardMarkup:
    step = STEPS[index]
    buttons = [
        InlineKeyboardButton(label, callback_data=f"setup:{index}:{value}")
        for label, value in step.choices
    ]
    rows = [buttons[i : i + step.per_row] for i in range(0, len(buttons), step.per_row)]
    rows.append([InlineKeyboardButton("Skip", callback_data=f"setup:{index}:skip")])
    return InlineKeyboardMarkup(rows)


def step_text(index: int, timezone: str) -> str:
    return (
        f"🛠 <b>Set-up {index + 1}/{len(STEPS)}</b>\n{STEPS[index].question}\n\n"
        f"<i>Time zone: {render.esc(timezone)} (change with /set tz America/New_York). "
        "Place: /set place The track.</i>"
    )


async def start_setup(update: Update, context: BotContext) -> None:
    if not await coach_in_group(update, context, "setup"):
        return
    group = await group_of(update, context)
    assert group is not None
    await reply(update, step_text(0, group.timezone), reply_markup=step_markup(0))


def parse_setup(data: str | None) -> tuple[int, str] | None:
    parts = (data or "").split(":", 2)  # the value may hold a colon itself: setup:1:18:30
    if len(parts) != 3 or parts[0] != "setup" or not (parts[1].isascii() and parts[1].isdigit()):
        return None
    index = int(parts[1])
    if index >= len(STEPS):
        return None
    allowed = {value for _, value in STEPS[index].choices} | {"skip"}
    return (index, parts[2]) if parts[2] in allowed else None


async def on_setup_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    parsed = parse_setup(query.data)
    message = query.message
    if parsed is None or message is None:
        await query.answer("That button isn't valid any more.")
        return
    if not await is_coach(update, context):
        await query.answer(COACH_ONLY, show_alert=True)
        return
    index, value = parsed
    services = context.services
    group = await group_of(update, context)
    assert group is not None
    if value != "skip":
        try:
            saved = await groups.set_setting(
                services.db, group.chat_id, STEPS[index].key, value, services.now()
            )
        except InputProblem as problem:
            await query.answer(problem.message[:200], show_alert=True)
            return
        group = saved.settings
        await sync_group(context.job_queue, services, group.chat_id)
        if services.refresher is not None:
            for session in saved.retimed:
                services.refresher.mark(session.id)
    await query.answer("Saved" if value != "skip" else "Skipped")
    if index + 1 < len(STEPS):
        await query.edit_message_text(
            step_text(index + 1, group.timezone),
            parse_mode=ParseMode.HTML,
            reply_markup=step_markup(index + 1),
        )
        return
    if not group.configured:  # finishing /setup starts the weekly posts, even if all skipped
        saved = await groups.set_setting(
            services.db,
            group.chat_id,
            "day",
            values.weekday_name(group.weekday),
            services.now(),
        )
        group = saved.settings
        await sync_group(context.job_queue, services, group.chat_id)
    await query.edit_message_text(
        "✅ <b>All set!</b>\n\n" + render.settings_text(group, await upcoming(context, group)),
        parse_mode=ParseMode.HTML,
    )
