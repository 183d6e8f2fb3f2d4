"""A member's own history: /me, /pb, /progress, /race and /private.

These act on the member's own data, whichever chat they are sent in (results and races
belong to the member, not to a group). In a group the replies are short, and a member
in private mode gets a pointer to the private chat instead of their times.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from telegram import InputFile, Update, User
from telegram.constants import ParseMode

from db import history, races, rsvps
from domain.amounts import DISTANCE_UNITS, NUMBER_PATTERN, plain
from domain.errors import InputProblem
from domain.race_distance import RaceDistance, parse_distance_and_time
from domain.text import quoted, tidy
from domain.values import parse_switch
from handlers import charts
from handlers import render_history as render
from handlers.common import command_arguments, is_group, person_of, reply
from handlers.context import BotContext

MAX_RACE_ARGUMENT = 100
MAX_DISTANCE_ARGUMENT = 30
MIN_REP_M = 50.0
MAX_REP_M = 42195.0

_REP_DISTANCE = re.compile(rf"(?P<number>{NUMBER_PATTERN})(?P<unit>[a-z]*)")
_UNIT_GAP = re.compile(r"(?<=[0-9])\s+(?=[a-z])")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_OTHER_DATE = re.compile(r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}")
_DAY_WORDS = {"today": timedelta(0), "yesterday": timedelta(days=1)}
_UNDO_WORDS = frozenset({"undo", "delete", "remove"})
_LIST_WORDS = frozenset({"list", "all", "show"})


# --- parsing (pure) -----------------------------------------------------------------------


def parse_rep_distance(text: str) -> float:
    """``800``, ``400m``, ``1km``, ``1.5k``, ``1mi``, ``mile`` -> metres (a bare number is m)."""
    cleaned = tidy(text)
    key = _UNIT_GAP.sub("", cleaned.lower())  # "0.8 km" -> "0.8km"
    if key in ("mile", "a mile", "one mile"):
        key = "1mi"
    match = _REP_DISTANCE.fullmatch(key) if len(key) <= 20 else None
    if match is None or (match["unit"] and match["unit"] not in DISTANCE_UNITS):
        raise InputProblem(
            f"I couldn't read {quoted(cleaned)} as a rep distance. {render.PROGRESS_EXAMPLES}"
        )
    number = Decimal(match["number"])
    meters = float(number * DISTANCE_UNITS[match["unit"] or "m"])
    if meters < MIN_REP_M:
        shown = plain(number)
        if not match["unit"] and 1 <= number <= 42:
            raise InputProblem(
                f"Is that {shown} km or {shown} miles? Example: /progress {shown}km "
                f"or /progress {shown}mi"
            )
        raise InputProblem(f"Reps from 50 m up work here. {render.PROGRESS_EXAMPLES}")
    if meters > MAX_REP_M:
        raise InputProblem(f"Reps up to the marathon work here. {render.PROGRESS_EXAMPLES}")
    return meters


@dataclass(frozen=True)
class RaceInput:
    """What `/race <distance> <time> [date]` asked for; ``day`` a date or days back."""

    distance: RaceDistance
    time_ms: int
    day: date | timedelta | None


def _day_token(token: str) -> date | timedelta | None:
    word = token.lower()
    if word in _DAY_WORDS:
        return _DAY_WORDS[word]
    if _ISO_DATE.fullmatch(word):
        year, month, day = (int(part) for part in word.split("-"))
        try:
            return date(year, month, day)
        except ValueError:
            raise InputProblem(render.no_such_date(quoted(token))) from None
    if _OTHER_DATE.fullmatch(word):
        raise InputProblem(render.date_as_iso(quoted(token)))
    return None


def parse_race(text: str) -> RaceInput:
    """``5K 24:30``, ``half marathon 1:45:00 2026-10-04``, ``10 miles in 65:10 yesterday``."""
    tokens = tidy(text).split()
    day: date | timedelta | None = None
    for at in (-1, 0):
        if len(tokens) > 2 and day is None:
            day = _day_token(tokens[at])
            if day is not None:
                tokens.pop(at)
    if len(tokens) < 2:
        raise InputProblem(f"Please give the race distance and your time. {render.RACE_EXAMPLES}")
    distance, time_ms = parse_distance_and_time(tokens)
    return RaceInput(distance, time_ms, day)


# --- handlers -----------------------------------------------------------------------------


async def _hidden_in_group(update: Update, context: BotContext, user: User, command: str) -> bool:
    """In a group, a member in private mode is pointed to the private chat instead."""
    if not is_group(update.effective_chat):
        return False
    if not await history.is_private(context.services.db, user.id):
        return False
    await reply(update, render.private_pointer(context.bot.username, command))
    return True


def _name(update: Update, user: User) -> str | None:
    """The member's name for texts shown in the group (the bot's replies don't quote)."""
    return person_of(user).display_name if is_group(update.effective_chat) else None


async def me(update: Update, context: BotContext) -> None:
    """/me: the latest sessions with splits, averages and notes (short in a group)."""
    text, user = command_arguments(update)
    if text:
        await reply(update, render.ME_USAGE)
        return
    if await _hidden_in_group(update, context, user, "/me"):
        return
    services = context.services
    today = services.now().date()
    if is_group(update.effective_chat):
        found = await history.recent_sessions(services.db, user.id, history.RECENT_GROUP)
        await reply(update, render.me_group_text(found, today, person_of(user).display_name))
        return
    found = await history.recent_sessions(services.db, user.id, history.RECENT_PRIVATE)
    await reply(update, render.me_text(found, today))


async def pb(update: Update, context: BotContext) -> None:
    """/pb: fastest rep per distance, best complete set per shape, race benchmarks."""
    text, user = command_arguments(update)
    if text:
        await reply(update, render.PB_USAGE)
        return
    if await _hidden_in_group(update, context, user, "/pb"):
        return
    services = context.services
    bests = await history.personal_bests(services.db, user.id)
    await reply(update, render.pb_text(bests, services.now().date(), _name(update, user)))


async def progress(update: Update, context: BotContext) -> None:
    """/progress [distance]: a chart of average rep pace per session."""
    text, user = command_arguments(update)
    distance: float | None = None
    if text:
        try:
            if len(text) > MAX_DISTANCE_ARGUMENT:
                raise InputProblem(f"That's too long for a distance. {render.PROGRESS_EXAMPLES}")
            distance = parse_rep_distance(text)
        except InputProblem as issue:
            await reply(update, render.problem(issue))
            return
    if await _hidden_in_group(update, context, user, "/progress"):
        return
    services = context.services
    found = await history.progress(services.db, user.id, distance)
    if not found.enough:
        await reply(update, render.progress_not_enough(found))
        return
    png = await asyncio.to_thread(charts.progress_png, found.series, render.progress_title(found))
    message = update.effective_message
    assert message is not None
    await message.reply_photo(
        photo=InputFile(png, filename="progress.png"),
        caption=render.progress_caption(found, services.now().date(), _name(update, user)),
        parse_mode=ParseMode.HTML,
        do_quote=False,
    )


async def race(update: Update, context: BotContext) -> None:
    """/race <distance> <time> [date] logs a race; /race lists them; /race undo."""
    text, user = command_arguments(update)
    services = context.services
    today = services.now().date()
    word = text.lower()
    if not text or word in _LIST_WORDS:
        if await _hidden_in_group(update, context, user, "/race"):
            return
        found = await races.list_races(services.db, user.id)
        await reply(update, render.race_list(found, today, _name(update, user)))
        return
    if update.edited_message is not None:  # an edit would log the race a second time
        await reply(update, render.EDITS_IGNORED)
        return
    if word in _UNDO_WORDS:
        removed = await races.undo_race(services.db, user.id)
        await reply(update, render.race_undone(removed, today))
        return
    if len(text) > MAX_RACE_ARGUMENT:
        await reply(update, render.race_too_long())
        return
    try:
        asked = parse_race(text)
        logged = await races.log_race(
            services.db,
            person_of(user),
            asked.distance.meters,
            asked.time_ms,
            asked.day,
            services.now(),
        )
    except InputProblem as issue:
        await reply(update, render.race_problem(issue))
        return
    name = None
    if is_group(update.effective_chat) and not await history.is_private(services.db, user.id):
        name = person_of(user).display_name
    await reply(update, render.race_saved(logged, today, name))


async def private_mode(update: Update, context: BotContext) -> None:
    """/private on|off: counted but never named in group posts."""
    text, user = command_arguments(update)
    services = context.services
    if not text:
        await reply(update, render.private_status(await history.is_private(services.db, user.id)))
        return
    try:
        if len(text) > 10:
            raise InputProblem("too long")
        on = parse_switch(text)
    except InputProblem:
        await reply(update, render.private_problem())
        return
    changed = await history.set_private(services.db, person_of(user), on, services.now())
    if changed and services.refresher is not None:
        # Announcements that list this member are re-rendered with (or without) the name.
        for session_id in await rsvps.upcoming_answered(services.db, user.id, services.now()):
            services.refresher.mark(session_id)
    await reply(update, render.private_text(on, changed))
