"""Texts for a member's own history: /me, /pb, /progress, /race and /private.

Pure functions from the plain views of `db.history` and `db.races` to HTML (parse_mode
HTML). User-supplied text (notes, names, echoed input) always goes through `esc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from db.history import PaceSeries, PersonalBests, Progress, SessionResult
from db.races import MAX_AGE_YEARS, RaceList, RaceLogged, RaceView
from domain import stats
from domain.amounts import amount_notation, amount_text
from domain.errors import InputProblem
from domain.notation import parse_workout
from domain.shapes import shape_text
from domain.times import format_ms, format_pace
from domain.values import weekday_short
from domain.workout import Distance

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_TEXT = 3800  # below Telegram's 4096, with room for the closing line
MAX_SPLITS_SHOWN = 40
MAX_ROWS = 20

ME_USAGE = "🤔 /me needs nothing after it. Example: /me (and your bests: /pb)"
PB_USAGE = "🤔 /pb needs nothing after it. Example: /pb (and your latest sessions: /me)"
PROGRESS_EXAMPLES = "Examples: /progress, /progress 800, /progress 400m, /progress 1mi"
RACE_EXAMPLES = (
    "Examples: /race 5K 24:30, /race half 1:45:00 2026-10-04 (the date is optional: "
    "today by default). /race alone lists your races; /race undo removes the last one."
)
PRIVATE_USAGE = "Usage: /private on or /private off. Example: /private on"
REPORT_HINT = "After a session, send your splits in the group, e.g. /report 2:45 2:43 2:41."
EDITS_IGNORED = (
    "I only read new messages, not edits: nothing was changed. To fix a race, send "
    "/race undo and log it again, e.g. /race 5K 24:30."
)


def esc(text: str) -> str:
    return escape(text, quote=False)


def problem(issue: InputProblem) -> str:
    return "🤔 " + esc(issue.message)


def day_text(day: date, today: date) -> str:
    """``Tue 24 Nov``, with the year when it is not this year's."""
    text = f"{weekday_short(day.weekday())} {day.day} {MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def gap_text(ms: int) -> str:
    """``15 s`` or ``1:05``: a difference between two times."""
    return f"{format_ms(ms)} s" if ms < 60_000 else format_ms(ms)


def average_text(ms: int) -> str:
    """An average to the tenth of a second: ``2:46.7`` rather than ``2:46.667``."""
    return format_ms((ms + 50) // 100 * 100)  # half up, as a stopwatch reader would


def pace_text(per_km_ms: int) -> str:
    return format_pace(per_km_ms / 1000)


def distance_text(distance_m: float) -> str:
    return amount_text(Distance(distance_m))


def shape_label(shape: str) -> str:
    """``6 × 800 m`` for the stored shape key ``6x800m`` (the key itself if unreadable)."""
    try:
        return shape_text(parse_workout(shape))
    except InputProblem:
        return shape


def fit(lines: Sequence[str], limit: int = MAX_TEXT) -> str:
    """Whole lines (each closes its own tags) up to ``limit`` characters, then "…"."""
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit:
            kept.append("…")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def _whose(name: str | None) -> str:
    return f"{esc(name)}'s" if name else "Your"


def private_pointer(bot_username: str, command: str) -> str:
    """For a member in private mode asking in the group: their data stays out of it."""
    return (
        f"🙈 You're in private mode, so I keep your times out of the group. Send {command} "
        f'to me in a <a href="https://t.me/{bot_username}">private chat</a>.'
    )


# --- /me ----------------------------------------------------------------------------------


def _workout(result: SessionResult) -> str | None:
    """The session's reps without paces (``6 × 800 m``), whether or not the set was complete."""
    if result.workout_text:
        try:
            return shape_text(parse_workout(result.workout_text))
        except InputProblem:
            return result.workout_text
    return shape_label(result.shape) if result.shape else None


def _averages(summary: stats.Summary) -> str:
    """``avg 2:41.4 · 3:22/km · very even`` or ``avg 400 m 1:18 (3:15/km) · 200 m 36.5 …``."""
    parts = []
    named = len(summary.groups) > 1
    for group in summary.groups:
        average = average_text(group.average_ms)
        pace = (
            pace_text(round(group.average_ms * 1000 / group.amount.meters))
            if isinstance(group.amount, Distance)
            else None
        )
        if named:
            label = amount_text(group.amount) if group.amount is not None else "other"
            parts.append(f"{label} {average}" + (f" ({pace})" if pace else ""))
        else:
            parts.append(average + (f" · {pace}" if pace else ""))
            if group.consistency is not None:
                parts.append(group.consistency)
    return "avg " + " · ".join(parts) if parts else ""


def _splits(result: SessionResult) -> str:
    shown = [format_ms(rep.ms) if rep.ms is not None else "x" for rep in result.reps]
    more = len(shown) - MAX_SPLITS_SHOWN
    line = " ".join(shown[:MAX_SPLITS_SHOWN])
    return line + (f" … (+{more})" if more > 0 else "")


def _session_lines(result: SessionResult, today: date, with_group: bool) -> list[str]:
    head = f"<b>{day_text(result.day, today)}</b>"
    workout = _workout(result)
    if workout:
        head += f" · {esc(workout)}"
    if with_group and result.group_title:
        head += f" · <i>{esc(result.group_title)}</i>"
    lines = [head]
    if result.reps:
        lines.append(_splits(result))
    summary = result.summary()
    details = [_averages(summary)] if summary.run else []
    if summary.skipped:
        details.append(f"{summary.skipped} skipped")
    if result.total_ms is not None:
        details.append(f"total {format_ms(result.total_ms)}")
    if details:
        lines.append(" · ".join(d for d in details if d))
    if result.note:
        lines.append(f"📝 <i>{esc(result.note)}</i>")
    return lines


def me_text(sessions: Sequence[SessionResult], today: date) -> str:
    """The member's latest sessions with splits, averages and notes (a private chat)."""
    if not sessions:
        return "📒 You have no reported sessions yet. " + REPORT_HINT
    with_group = len({s.group_id for s in sessions}) > 1
    lines = [f"📒 <b>Your last {len(sessions)} session{'s' if len(sessions) > 1 else ''}</b>"]
    size = len(lines[0])
    for shown, result in enumerate(sessions):
        block = "\n" + "\n".join(_session_lines(result, today, with_group))
        if size + len(block) > MAX_TEXT:
            lines.append(f"\n… and {len(sessions) - shown} earlier.")
            break
        lines.append(block)
        size += len(block) + 1
    lines.append("\nBests: /pb · pace chart: /progress")
    return "\n".join(lines)


def me_group_text(sessions: Sequence[SessionResult], today: date, name: str) -> str:
    """A short version for the group: one line per session, no splits or notes."""
    if not sessions:
        return f"📒 {esc(name)} has no reported sessions yet. " + REPORT_HINT
    plural = "s" if len(sessions) > 1 else ""
    lines = [f"📒 <b>{_whose(name)} last {len(sessions)} session{plural}</b>"]
    for result in sessions:
        summary = result.summary()
        parts = [f"<b>{day_text(result.day, today)}</b>"]
        workout = _workout(result)
        if workout:
            parts.append(esc(workout))
        if summary.run:
            parts.append(_averages(summary))
        elif result.total_ms is not None:
            parts.append(f"total {format_ms(result.total_ms)}")
        lines.append(" · ".join(parts))
    lines.append("Splits and notes: send /me to me in a private chat.")
    return "\n".join(lines)


# --- /pb ----------------------------------------------------------------------------------


def pb_text(bests: PersonalBests, today: date, name: str | None = None) -> str:
    if bests.empty:
        who = f"{esc(name)} has" if name else "You have"
        return f"🏆 {who} no personal bests yet. {REPORT_HINT} Log a race with /race 5K 24:30."
    lines = [f"🏆 <b>{_whose(name)} personal bests</b>"]
    if bests.reps:
        lines.append("\n<b>Fastest reps</b> <i>(on the flat)</i>")
        for rep in bests.reps[:MAX_ROWS]:
            lines.append(
                f"{distance_text(rep.distance_m)}: <b>{format_ms(rep.ms)}</b> "
                f"({pace_text(round(rep.ms * 1000 / rep.distance_m))}) · "
                f"{day_text(rep.day, today)}"
            )
    if bests.sets:
        lines.append("\n<b>Best sets</b> <i>(average rep of a complete set)</i>")
        for record in bests.sets[:MAX_ROWS]:
            of = f" · best of {record.sets}" if record.sets > 1 else ""
            lines.append(
                f"{esc(shape_label(record.shape))}: <b>{average_text(record.average_ms)}</b> · "
                f"{day_text(record.day, today)}{of}"
            )
    if bests.races:
        lines.append("\n<b>Races</b>")
        for race in bests.races[:MAX_ROWS]:
            line = (
                f"{esc(race.name)}: <b>{format_ms(race.best.time_ms)}</b> "
                f"({pace_text(race.best.per_km_ms)}) · {day_text(race.best.day, today)}"
            )
            if race.latest.id != race.best.id:
                line += (
                    f"; latest {format_ms(race.latest.time_ms)} · "
                    f"{day_text(race.latest.day, today)}"
                )
            lines.append(line)
    return fit(lines)


# --- /progress ----------------------------------------------------------------------------


def progress_label(distance_m: float | None) -> str:
    return f"{distance_text(distance_m)} reps" if distance_m is not None else "All flat reps"


def _single(result: Progress) -> float | None:
    """The one distance a chart shows, None when it shows several."""
    if result.distance_m is not None:
        return result.distance_m
    return result.series[0].distance_m if len(result.series) == 1 else None


def progress_title(result: Progress) -> str:
    single = _single(result)
    if single is None:
        return "Average pace per session, by rep distance"
    return f"{distance_text(single)} reps: average pace per session"


def _suggestion(distances: Sequence[float]) -> str:
    if not distances:
        return REPORT_HINT
    names = [distance_text(d) for d in distances[:8]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    example = amount_notation(Distance(distances[0]))
    return f"You have times for {listed} reps. Example: /progress {example}"


def progress_not_enough(result: Progress) -> str:
    wanted = result.distance_m
    if wanted is None:
        if result.series:
            return f"📈 No rep distance in two sessions yet: a chart needs two. {REPORT_HINT}"
        return f"📈 No timed reps on the flat yet: a chart needs two sessions. {REPORT_HINT}"
    label = progress_label(wanted)
    if result.series and result.series[0].points:
        text = f"📈 Only one session with timed {label} so far: a chart needs two."
    else:
        text = f"📈 No sessions with timed {label} yet: a chart needs two."
    others = [d for d in result.distances if abs(d - wanted) > 0.5]
    return f"{text} {_suggestion(others) if others else REPORT_HINT}"


def _series_line(series: PaceSeries, today: date) -> str:
    best, last = series.best, series.points[-1]
    name = distance_text(series.distance_m)
    if len(series.points) == 1:
        return f"{name}: {pace_text(best.per_km_ms)} ({day_text(best.day, today)})"
    return (
        f"{name}: best {pace_text(best.per_km_ms)} ({day_text(best.day, today)}), "
        f"latest {pace_text(last.per_km_ms)}"
    )


def progress_caption(result: Progress, today: date, name: str | None = None) -> str:
    days = result.days
    whose = f"{esc(name)} · " if name else ""
    span = f"{len(days)} sessions, from {day_text(days[0], today)} to {day_text(days[-1], today)}"
    single = _single(result)
    if single is None:
        lines = [f"📈 {whose}<b>Average pace by rep distance</b>: {span}."]
        lines += [_series_line(series, today) for series in result.series]
        return "\n".join(lines)
    series = result.series[0]
    first, last, best = series.points[0], series.points[-1], series.best
    change = first.per_km_ms - last.per_km_ms
    trend = ""
    if abs(change) >= 1000:
        seconds = round(abs(change) / 1000)
        trend = f"\n{seconds} s/km {'faster' if change > 0 else 'slower'} than the first."
    return (
        f"📈 {whose}<b>{progress_label(single)}</b>: average pace over {span}.\n"
        f"Best {pace_text(best.per_km_ms)} ({day_text(best.day, today)}); "
        f"latest {pace_text(last.per_km_ms)}.{trend}"
    )


# --- /race --------------------------------------------------------------------------------


def _race(race: RaceView, today: date) -> str:
    return (
        f"{esc(race.name)} in <b>{format_ms(race.time_ms)}</b> "
        f"({pace_text(race.per_km_ms)}) on {day_text(race.day, today)}"
    )


def race_saved(logged: RaceLogged, today: date, name: str | None = None) -> str:
    """``name`` in a group, where the reply would not say whose race it was."""
    race, previous = logged.race, logged.previous_best
    if logged.duplicate:
        return f"You already logged {_race(race, today)}: nothing was added. See them: /race"
    whose = f" for {esc(name)}" if name else ""
    text = f"🏁 Race saved{whose}: {_race(race, today)}."
    if previous is None:
        text += f"\nYour first {esc(race.name)} here: it's your benchmark."
    elif race.time_ms < previous.time_ms:
        gain = gap_text(previous.time_ms - race.time_ms)
        text += (
            f"\n🎉 A new best {esc(race.name)}, {gain} faster than "
            f"{format_ms(previous.time_ms)} ({day_text(previous.day, today)})."
        )
    else:
        text += (
            f"\nYour best {esc(race.name)} is still {format_ms(previous.time_ms)} "
            f"({day_text(previous.day, today)})."
        )
    return text + "\nWrong? /race undo removes it."


def race_list(races: RaceList, today: date, name: str | None = None) -> str:
    if not races.races:
        who = f"{esc(name)} has" if name else "You have"
        return f"🏁 {who} no races logged yet. {RACE_EXAMPLES}"
    lines = [f"🏁 <b>{_whose(name)} races</b> ({races.total})"]
    lines += [_race(race, today) for race in races.races]
    if races.total > len(races.races):
        lines.append(f"… and {races.total - len(races.races)} earlier.")
    lines.append("\nLog one: /race 10K 41:05 · remove the last one logged: /race undo")
    return fit(lines)


def race_undone(race: RaceView | None, today: date) -> str:
    if race is None:
        return "You have no races to remove. Log one: /race 5K 24:30"
    return f"↩️ Removed {_race(race, today)}."


def race_problem(issue: InputProblem) -> str:
    text = problem(issue)
    return text if "e.g." in text or "Example" in text else f"{text}\n{RACE_EXAMPLES}"


def race_too_long() -> str:
    return f"🤔 That's too long for a race. {RACE_EXAMPLES}"


def no_such_date(fragment: str) -> str:
    """Plain text for an InputProblem (escaped when shown)."""
    return (
        f"There is no date {fragment}. Please check it, e.g. /race 5K 24:30 2026-10-04 "
        f"(up to {MAX_AGE_YEARS} years back)."
    )


def date_as_iso(fragment: str) -> str:
    """Plain text for an InputProblem: 04/10/2026 could be April or October."""
    return f"Please write the date {fragment} as year-month-day, e.g. /race 5K 24:30 2026-10-04."


# --- /private -----------------------------------------------------------------------------


def private_text(on: bool, changed: bool) -> str:
    if on:
        already = "" if changed else "already "
        return (
            f"🙈 Private mode is {already}on: group posts count you but never show your "
            "name. Turn it off with /private off."
        )
    already = "" if changed else "already "
    return f"👋 Private mode is {already}off: your name shows in group posts. /private on hides it."


def private_status(on: bool) -> str:
    state = "on: group posts count you but never show your name" if on else "off"
    return f"Private mode is {state}. {PRIVATE_USAGE}"


def private_problem() -> str:
    return f"🤔 Please say on or off. {PRIVATE_USAGE}"
