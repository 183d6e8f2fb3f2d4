"""Coaching: /pace, /benchmark, /targets, /groups and /profile.

/pace works anywhere and stores nothing. A runner's benchmark, birth year and targets are
private: asked for in a group, they are sent in a private chat (if the runner has started
the bot; otherwise the group reply says how), and the group only hears that they were
sent. Coaches (of the group, or of their home group when asking privately) get /targets
for everyone who answered In, and /groups, the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from telegram import Update, User

from db import benchmarks, history, members, profiles
from db.results import ReportSaved
from db.views import GroupSettings, Person, Refusal, Refused
from domain.age_grade import Sex, age_grade
from domain.errors import InputProblem
from domain.race_distance import RaceDistance, parse_distance_and_time
from domain.text import quoted, tidy
from domain.training_paces import training_paces
from domain.vdot import vdot
from handlers import render
from handlers import render_coaching as texts
from handlers.auth import is_admin, is_coach
from handlers.common import command_arguments, group_of, is_group, person_of, reply
from handlers.context import BotContext
from handlers.guards import COACH_ONLY
from jobs.delivery import send

MAX_ARGUMENT = 100
PACE_EXAMPLE = "Example: /pace 5K 24:30"
BENCHMARK_EXAMPLE = "Example: /benchmark 5K 24:30 2026-11-01 (the date is optional)"
PROFILE_EXAMPLE = "Example: /profile born 1985 F"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_OTHER_DATE = re.compile(r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}")
_YEAR = re.compile(r"[0-9]{4}")
_SHOW = frozenset({"", "show"})
_CLEAR = frozenset({"clear", "remove", "delete", "off", "undo"})
_ME = frozenset({"me", "mine"})
_SEXES: dict[str, Sex] = {
    **dict.fromkeys(("f", "female", "w", "woman", "women"), "F"),
    **dict.fromkeys(("m", "male", "man", "men"), "M"),
}


# --- parsing (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class RaceInput:
    """``<distance> <time> [YYYY-MM-DD]`` as read."""

    distance: RaceDistance
    time_ms: int
    day: date | None


def _date(token: str, example: str) -> date | None:
    """The date if ``token`` looks like one (InputProblem if it is not a real one)."""
    if _ISO_DATE.fullmatch(token):
        year, month, day = (int(part) for part in token.split("-"))
        try:
            return date(year, month, day)
        except ValueError:
            raise InputProblem(f"There is no date {quoted(token)}. {example}") from None
    if _OTHER_DATE.fullmatch(token):
        raise InputProblem(f"Please write the date {quoted(token)} as year-month-day. {example}")
    return None


def parse_distance_time(text: str, *, with_date: bool, example: str) -> RaceInput:
    """``5K 24:30``, ``half marathon 1:45:00``, ``24:30 5K``; a date last when allowed."""
    cleaned = tidy(text)
    if len(cleaned) > MAX_ARGUMENT:
        raise InputProblem(f"That's too long for a distance and a time. {example}")
    tokens = cleaned.split()
    day = _date(tokens[-1], example) if tokens else None
    if day is not None:
        if not with_date:
            raise InputProblem(f"No date is needed here. {example}")
        tokens.pop()
    if len(tokens) < 2:
        raise InputProblem(f"Please give a distance and a time. {example}")
    distance, time_ms = parse_distance_and_time(tokens)
    return RaceInput(distance, time_ms, day)


def parse_profile(text: str, this_year: int) -> tuple[int, Sex]:
    """``born 1985 F``, ``1985 female``, ``woman 1985``."""
    tokens = tidy(text).lower().split()
    if tokens and tokens[0] in ("born", "b.", "birth"):
        tokens = tokens[1:]
    if len(tokens) != 2:
        raise InputProblem(f"Please give your birth year and sex. {PROFILE_EXAMPLE}")
    year_text, sex_text = tokens
    if _YEAR.fullmatch(sex_text) and not _YEAR.fullmatch(year_text):
        year_text, sex_text = sex_text, year_text
    if not _YEAR.fullmatch(year_text):
        raise InputProblem(
            f"I couldn't read {quoted(year_text)} as a birth year. {PROFILE_EXAMPLE}"
        )
    sex = _SEXES.get(sex_text)
    if sex is None:
        raise InputProblem(
            f"Please give the sex as F or M (female/male, woman/man). {PROFILE_EXAMPLE}"
        )
    profiles.check_birth_year(int(year_text), this_year)
    return int(year_text), sex


# --- helpers ------------------------------------------------------------------------------


async def _problem(update: Update, issue: InputProblem, example: str) -> None:
    text = render.problem(issue)
    await reply(update, text if example in issue.message else f"{text}\n{example}")


async def _addressed(context: BotContext, user: User) -> str | None:
    """How a group reply addresses its sender: by name, unless they chose private mode."""
    if await history.is_private(context.services.db, user.id):
        return None
    return person_of(user).display_name


async def deliver_privately(
    update: Update, context: BotContext, can_dm: bool, text: str, what: str, command: str
) -> bool:
    """In a private chat, the reply. In a group, a private message and a short note here.

    True when the text reached the user.
    """
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    parts = texts.chunks(text)
    if not is_group(chat):
        for part in parts:
            await reply(update, part)
        return True
    sent = can_dm
    for part in parts:
        if not sent:
            break
        sent = await send(context.bot, context.services, user.id, part) is not None
    name = await _addressed(context, user)
    if sent:
        await reply(update, texts.sent_privately(name, what))
    else:
        await reply(
            update, texts.start_me_first(name, context.bot.username, chat.id, what, command)
        )
    return sent


async def _coaches(update: Update, context: BotContext, group: GroupSettings) -> bool:
    """A coach of this group (in the group), or of their home group (in private)."""
    user = update.effective_user
    assert user is not None
    if is_group(update.effective_chat):
        return await is_coach(update, context)
    if await members.is_coach(context.services.db, group.chat_id, user.id):
        return True
    return await is_admin(context, group.chat_id, user.id)


async def _group(update: Update, context: BotContext) -> GroupSettings | None:
    """The group asked about; None (with the reason given) when there is none yet."""
    group = await group_of(update, context)
    if group is None:
        await reply(update, render.refusal(Refusal.NO_HOME_GROUP))
        return None
    if not group.configured:
        await reply(update, render.refusal(Refusal.NOT_SET_UP))
        return None
    return group


# --- /pace --------------------------------------------------------------------------------


async def pace(update: Update, context: BotContext) -> None:
    """/pace <distance> <time>: VDOT, equivalent times, training paces, age grade."""
    text, user = command_arguments(update)
    if not text:
        await reply(update, texts.PACE_USAGE)
        return
    try:
        asked = parse_distance_time(text, with_date=False, example=PACE_EXAMPLE)
    except InputProblem as issue:
        await _problem(update, issue, PACE_EXAMPLE)
        return
    services = context.services
    status = await profiles.get_profile(services.db, user.id)
    age_lines: list[str] = []
    if status.profile is not None and is_group(update.effective_chat):
        age_lines = texts.AGE_GRADE_IN_PRIVATE
    elif status.profile is not None:
        age = status.profile.age_in(services.now().year)
        try:
            grade = age_grade(asked.distance.meters, asked.time_ms, age, status.profile.sex)
            age_lines = texts.age_grade_lines(asked.distance, grade, status.profile, age)
        except InputProblem as issue:
            age_lines = texts.age_grade_unavailable(issue.message)
    elif not is_group(update.effective_chat):
        age_lines = texts.AGE_GRADE_HINT
    value = vdot(asked.distance.meters, asked.time_ms)
    await reply(
        update,
        texts.pace_text(asked.distance, asked.time_ms, value, training_paces(value), age_lines),
    )


# --- /benchmark ---------------------------------------------------------------------------


async def benchmark(update: Update, context: BotContext) -> None:
    """/benchmark [<distance> <time> [date]] | clear."""
    text, user = command_arguments(update)
    services = context.services
    word = text.lower()
    if word in _SHOW:
        status = await benchmarks.show_benchmark(services.db, user.id, services.now())
        await deliver_privately(
            update,
            context,
            status.viewer_can_dm,
            texts.benchmark_text(status),
            "your benchmark",
            "/benchmark",
        )
        return
    if word in _CLEAR:
        cleared = await benchmarks.clear_benchmark(services.db, user.id, services.now())
        if cleared is None or cleared.current is None or not is_group(update.effective_chat):
            await reply(update, texts.benchmark_cleared(cleared))
            return
        await deliver_privately(
            update,
            context,
            cleared.viewer_can_dm,
            texts.benchmark_cleared(cleared),
            "your benchmark",
            "/benchmark",
        )
        return
    try:
        asked = parse_distance_time(text, with_date=True, example=BENCHMARK_EXAMPLE)
        status = await benchmarks.set_benchmark(
            services.db,
            person_of(user),
            asked.distance.meters,
            asked.time_ms,
            asked.day,
            services.now(),
        )
    except InputProblem as issue:
        await _problem(update, issue, BENCHMARK_EXAMPLE)
        return
    details = texts.benchmark_text(status)
    if not is_group(update.effective_chat):
        await reply(update, details)
        return
    sent = status.viewer_can_dm and await send(context.bot, services, user.id, details) is not None
    await reply(update, texts.benchmark_saved_in_group(await _addressed(context, user), sent))


# --- /targets and /groups -----------------------------------------------------------------


async def targets(update: Update, context: BotContext) -> None:
    """/targets: the runner's own targets; for a coach, everyone's who answered In."""
    text, user = command_arguments(update)
    word = text.lower()
    if word not in _SHOW and word not in _ME:
        await reply(update, texts.TARGETS_USAGE)
        return
    group = await _group(update, context)
    if group is None:
        return
    services = context.services
    coach = word not in _ME and await _coaches(update, context, group)
    try:
        if coach:
            found = await benchmarks.coach_targets(
                services.db, group.chat_id, user.id, services.now()
            )
        else:
            found = await benchmarks.my_targets(
                services.db, group.chat_id, person_of(user), services.now()
            )
    except Refused as refused:
        await reply(update, render.refusal(refused.reason))
        return
    shown = texts.coach_targets_text(found) if coach else texts.my_targets_text(found)
    what = "the targets of everyone who's in" if coach else "your targets"
    await deliver_privately(update, context, found.viewer_can_dm, shown, what, "/targets")


async def groups(update: Update, context: BotContext) -> None:
    """/groups (coaches): pace groups for the next session, sent privately."""
    text, user = command_arguments(update)
    if text:
        await reply(update, texts.GROUPS_USAGE)
        return
    group = await _group(update, context)
    if group is None:
        return
    if not await _coaches(update, context, group):
        await reply(update, COACH_ONLY)
        return
    services = context.services
    try:
        found = await benchmarks.pace_groups_for(
            services.db, group.chat_id, user.id, services.now()
        )
    except Refused as refused:
        await reply(update, render.refusal(refused.reason))
        return
    await deliver_privately(
        update,
        context,
        found.viewer_can_dm,
        texts.pace_groups_text(found),
        "the pace groups",
        "/groups",
    )


# --- /profile -----------------------------------------------------------------------------


async def profile(update: Update, context: BotContext) -> None:
    """/profile [born <year> <sex> | clear]."""
    text, user = command_arguments(update)
    services = context.services
    word = text.lower()
    if word in _SHOW:
        status = await profiles.get_profile(services.db, user.id)
        await deliver_privately(
            update,
            context,
            status.viewer_can_dm,
            texts.profile_text(status.profile),
            "your profile",
            "/profile",
        )
        return
    if word in _CLEAR:
        await reply(
            update, texts.profile_cleared(await profiles.clear_profile(services.db, user.id))
        )
        return
    try:
        if len(text) > MAX_ARGUMENT:
            raise InputProblem(f"That's too long for a profile. {PROFILE_EXAMPLE}")
        year, sex = parse_profile(text, services.now().year)
        saved = await profiles.set_profile(services.db, person_of(user), year, sex, services.now())
    except InputProblem as issue:
        await _problem(update, issue, PROFILE_EXAMPLE)
        return
    assert saved.profile is not None
    await reply(update, texts.profile_saved(saved.profile, is_group(update.effective_chat)))


# --- /report: splits against targets ------------------------------------------------------


async def report_lines(
    update: Update, context: BotContext, group_id: int, runner: Person, saved: ReportSaved
) -> list[str]:
    """Lines for the /report reply comparing the splits with the runner's targets.

    In a private chat they are the comparison itself. In a group the comparison goes to
    the sender privately (the runner, or the coach who reported for them) and the group
    reply only says so.
    """
    user = update.effective_user
    assert user is not None
    services = context.services
    found = await benchmarks.report_comparison(
        services.db, group_id, runner.user_id, user.id, saved.checked, services.now()
    )
    whose = "your" if runner.user_id == user.id else f"{runner.display_name}’s"  # noqa: RUF001
    private = texts.comparison_lines(found, render.esc(whose))
    if not private or not is_group(update.effective_chat):
        return private
    session = saved.target.session
    heading = f"📋 {render.esc(render.when(session.starts_at, saved.target.group.timezone))}"
    sent = (
        found.viewer_can_dm
        and bool(found.splits)
        and await send(context.bot, services, user.id, "\n".join([heading, *private])) is not None
    )
    link = f"https://t.me/{context.bot.username}?start=g{abs(group_id)}"
    return texts.comparison_pointer(found, await _addressed(context, user), sent, link)
