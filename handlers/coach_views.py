"""/attendance and /export: a coach's view of the season (see `db.attendance`).

In the group a coach gets attendance with private members counted but not named, and
the CSV files in a private chat (they name everyone, so they never go to the group).
In a private chat a coach of their home group gets everything there.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.error import BadRequest, Forbidden

from db import attendance, export, members
from db.views import GroupSettings, Refusal
from handlers import render, render_results
from handlers.auth import is_admin
from handlers.common import argument_text, group_of, is_group, reply
from handlers.context import BotContext
from handlers.guards import COACH_ONLY, coach_in_group

_YEAR = re.compile(r"[0-9]{4}")


async def _coach_scope(
    update: Update, context: BotContext, command: str
) -> tuple[GroupSettings, bool] | None:
    """The group a coach asks about and whether they asked in it; None when refused."""
    chat, user = update.effective_chat, update.effective_user
    if user is None:
        return None
    if is_group(chat):
        if not await coach_in_group(update, context, command):
            return None
        group = await group_of(update, context)
        return (group, True) if group is not None else None
    group = await group_of(update, context)
    if group is None:
        await reply(update, render.refusal(Refusal.NO_HOME_GROUP))
        return None
    db = context.services.db
    if not (
        await members.is_coach(db, group.chat_id, user.id)
        or await is_admin(context, group.chat_id, user.id)
    ):
        await reply(update, COACH_ONLY)
        return None
    return group, False


async def _year(
    update: Update, context: BotContext, group: GroupSettings, command: str
) -> int | None:
    """The season asked for: this year by default, or `/<command> 2025`."""
    message = update.effective_message
    assert message is not None
    text = argument_text(message)
    current = attendance.season_year(context.services.now(), group.timezone)
    if not text:
        return current
    if _YEAR.fullmatch(text) and attendance.FIRST_SEASON <= int(text) <= current:
        return int(text)
    await reply(
        update,
        f"🤔 Give a season as a year up to {current}, e.g. /{command} {current - 1}. "
        f"Without one: this year ({current}).",
    )
    return None


async def _season_request(
    update: Update, context: BotContext, command: str
) -> tuple[GroupSettings, bool, int] | None:
    """A coach's group, whether asked in the group, and the season; None once refused."""
    scope = await _coach_scope(update, context, command)
    if scope is None:
        return None
    group, in_group = scope
    year = await _year(update, context, group, command)
    return None if year is None else (group, in_group, year)


async def show_attendance(update: Update, context: BotContext) -> None:
    request = await _season_request(update, context, "attendance")
    if request is None:
        return
    group, in_group, year = request
    services = context.services
    season = await attendance.season_attendance(services.db, group.chat_id, services.now(), year)
    assert season is not None
    await reply(update, render_results.attendance_text(season, name_private=not in_group))


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:30].strip("-")
    return f"{slug}-" if slug else ""


async def export_csv(update: Update, context: BotContext) -> None:
    request = await _season_request(update, context, "export")
    if request is None:
        return
    group, in_group, year = request
    user = update.effective_user
    assert user is not None
    services = context.services
    now = services.now()
    season = await attendance.season_attendance(services.db, group.chat_id, now, year)
    assert season is not None
    reps = await export.season_reps(services.db, group.chat_id, year, now)
    prefix = _slug(group.title)
    runners = len({row.member_id for row in reps})
    files = (
        (
            f"{prefix}results-{year}.csv",
            export.results_csv(reps),
            f"📤 Results {year}: {len(reps)} rep(s) by {runners} runner(s), one row per rep.",
        ),
        (
            f"{prefix}attendance-{year}.csv",
            export.attendance_csv(season),
            f"📤 Attendance {year}: {len(season.sessions)} session(s), "
            f"{len(season.members)} member(s).",
        ),
    )
    try:
        for filename, content, caption in files:
            await context.bot.send_document(
                user.id, document=content, filename=filename, caption=caption
            )
    except (Forbidden, BadRequest) as error:
        if not in_group or (
            isinstance(error, BadRequest) and "chat not found" not in error.message.lower()
        ):
            raise
        link = f"https://t.me/{context.bot.username}?start=g{abs(group.chat_id)}"
        await reply(
            update,
            "The export names everyone, so I send it privately. "
            f'<a href="{link}">Open a chat with me</a>, press Start, then send /export again.',
        )
        return
    if in_group:
        await reply(update, f"📤 I've sent you the {year} export privately.")
