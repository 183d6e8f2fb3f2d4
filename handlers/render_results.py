"""Texts for reported times: the "How did it go?" prompt, nudges, boards and attendance.

Pure functions from the plain views of `db.boards` / `db.attendance` to HTML. Members
who chose to be private are counted but never named in anything a group sees: they
join the "and N more" of name lists, their lines on a board are left out, their
personal bests only counted. Every name and text from users goes through `esc`.
Messages stay within Telegram's 4096 characters (counted in UTF-16 code units, as
Telegram does, on the HTML itself, which is never shorter than what is shown): long
lists end with "and N more".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from db.attendance import SeasonAttendance
from db.boards import BoardRefused, NoBoard, ReportCall, ResultsBoard, Runner, RunnerResult
from db.views import Person, Refusal, SessionView
from domain.amounts import amount_text
from domain.notation import workout_from_dict
from domain.stats import GroupSummary, summarise
from domain.times import format_ms
from domain.workout import Distance, flatten_reps
from handlers.render import REFUSALS, esc, mention, when, workout_line

MAX_TEXT = 4096
MAX_NAME_CHARS = 40
NAMES_BUDGET = 1500  # characters of HTML for one list of names or mentions
MAX_EXAMPLE_REPS = 12
# A club runner's 5K-pace rep, about 3:26/km, each rep a touch faster than the one before.
EXAMPLE_MS_PER_M = 206
EXAMPLE_SPEED_UP = 0.006
GENERIC_EXAMPLE = "/report 2:45 2:43 2:41"


def text_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"


def name_of(person: Person) -> str:
    return esc(_short(person.display_name))


def _and_more(shown: list[str], more: int) -> str:
    """``Ann, Bob and 2 more``; empty when nobody can be named."""
    if not shown:
        return ""
    if not more:
        return ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return ", ".join(shown) + f" and {more} more"


def names_list(
    runners: Sequence[Runner],
    show: Callable[[Person], str] = name_of,
    budget: int = NAMES_BUDGET,
) -> str:
    """Public runners by name while they fit in `budget`; the rest (and the private) counted."""
    shown: list[str] = []
    used = 0
    for runner in runners:
        if runner.private:
            continue
        piece = show(runner.person)
        if used + text_length(piece) + 2 > budget:
            break
        shown.append(piece)
        used += text_length(piece) + 2
    return _and_more(shown, len(runners) - len(shown))


def seconds(ms: int) -> str:
    """A time to the tenth: ``2:40.3``, ``58.2``, ``2:45``."""
    return format_ms((ms + 50) // 100 * 100)


def gap(ms: int) -> str:
    """A difference: ``4.5 s``, ``1:02``."""
    text = seconds(ms)
    return f"{text} s" if ms < 59_950 else text


# --- the "How did it go?" prompt and the private nudge -------------------------------------


def report_link(bot_username: str, chat_id: int) -> str:
    """The deep link that opens a private chat to report for this group."""
    return f"https://t.me/{bot_username}?start=report_{abs(chat_id)}"


def report_keyboard(link: str, label: str = "📝 Report privately") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=link)]])


def example_report(session: SessionView) -> str:
    """``/report 2:45 2:44 …`` with one plausible time per rep of the session's workout."""
    if session.workout is None:
        return GENERIC_EXAMPLE
    reps = flatten_reps(workout_from_dict(session.workout))
    if not reps:
        return GENERIC_EXAMPLE
    times = []
    for index, rep in enumerate(reps):
        if isinstance(rep.amount, Distance):
            ms = rep.amount.meters * EXAMPLE_MS_PER_M * (1 - EXAMPLE_SPEED_UP * min(index, 5))
        else:  # a timed rep is reported as the time run: about its duration
            ms = rep.amount.seconds * 1000
        times.append(format_ms(max(1, round(ms / 1000)) * 1000))
    if len(times) > MAX_EXAMPLE_REPS:
        return f"/report {' '.join(times[:3])} … {times[-1]} ({len(times)} times, one per rep)"
    return "/report " + " ".join(times)


def report_prompt_text(call: ReportCall) -> str:
    group, session = call.group, call.session
    lines = [
        f"🏁 <b>How did it go?</b> Speed session {esc(when(session.starts_at, group.timezone))}"
    ]
    if call.going:
        named = names_list(call.going, mention)
        count = len(call.going)
        lines.append(
            f"Thanks for coming, {named}!" if named else f"Thanks to the {count} of you who came!"
        )
    lines += [
        "",
        "Send your times with /report, one per rep, in the order you ran them:",
        f"<code>{esc(example_report(session))}</code>",
        "Write <code>x</code> for a rep you skipped, and a note after <code>#</code>.",
        "Or send them to me privately with the button below.",
        "",
        f"📊 The results go up {esc(when(call.board_at, group.timezone))}.",
    ]
    return "\n".join(lines)


def nudge_text(call: ReportCall, person: Person) -> str:
    group, session = call.group, call.session
    club = f" with {esc(group.title)}" if group.title else ""
    return "\n".join(
        [
            f"👋 Hi {name_of(person)}! How did the speed session{club} go "
            f"({esc(when(session.starts_at, group.timezone))})?",
            "Tap the button and send me your times, one per rep, e.g.",
            f"<code>{esc(example_report(session))}</code>",
            f"The results go up {esc(when(call.board_at, group.timezone))}.",
        ]
    )


# --- the results board ---------------------------------------------------------------------


def _label(summary: GroupSummary) -> str:
    return amount_text(summary.amount) if summary.amount is not None else "splits"


def _trend(fade_ms: int) -> str:
    if fade_ms > 0:
        return f"faded {gap(fade_ms)}"
    if fade_ms < 0:
        return f"{gap(-fade_ms)} faster"
    return "level"


def runner_line(result: RunnerResult) -> str:
    """``Ann: 800 m avg 2:40.3, 2:45 → 2:35 (10 s faster), very even``."""
    summary = summarise(result.checked)
    ms_at = {split.index: split.ms for split in result.checked.splits}
    parts = []
    for group in summary.groups:
        if len(group.indexes) == 1:
            parts.append(f"{_label(group)} {seconds(group.average_ms)}")
            continue
        first, last = ms_at[group.indexes[0]], ms_at[group.indexes[-1]]
        assert first is not None and last is not None and group.fade_ms is not None
        text = (
            f"{_label(group)} avg {seconds(group.average_ms)}, "
            f"{seconds(first)} → {seconds(last)} ({_trend(group.fade_ms)})"
        )
        if group.consistency is not None:
            text += f", {group.consistency}"
        parts.append(text)
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped")
    if result.total_ms is not None:
        parts.append(f"total {seconds(result.total_ms)}")
    body = "; ".join(parts) or "reported"
    return f"<b>{name_of(result.runner.person)}</b>: {esc(body)}"


def _pb_line(result: RunnerResult) -> str | None:
    """The PBs that beat an earlier time (a first time at a distance is not listed)."""
    items = [
        f"{amount_text(Distance(best.distance_m))} in {seconds(best.ms)} "
        f"(was {seconds(best.previous.ms)})"
        for best in result.bests.reps
        if best.previous is not None
    ]
    average = result.bests.average
    if average is not None and average.previous is not None:
        items.append(
            f"{average.shape} average {seconds(average.ms)} (was {seconds(average.previous.ms)})"
        )
    if not items:
        return None
    return f"{name_of(result.runner.person)}: {esc(', '.join(items))}"


def _most_consistent(results: Sequence[RunnerResult]) -> str | None:
    """The runner whose main set of reps (3 or more) varied least."""
    best: tuple[float, RunnerResult, GroupSummary] | None = None
    for result in results:
        groups = [g for g in summarise(result.checked).groups if len(g.indexes) >= 3]
        if not groups:
            continue
        main = max(groups, key=lambda g: len(g.indexes))
        if main.variation_percent is not None and (
            best is None or main.variation_percent < best[0]
        ):
            best = (main.variation_percent, result, main)
    if best is None:
        return None
    _, result, group = best
    ms_at = {split.index: split.ms or 0 for split in result.checked.splits}
    spread = ms_at[group.slowest_index] - ms_at[group.fastest_index]
    who = "one of our private runners" if result.runner.private else name_of(result.runner.person)
    return (
        f"🎯 <b>Most consistent</b>: {who}, {esc(_label(group))} reps within "
        f"{esc(gap(spread))} ({group.variation_percent:.1f} %)"
    )


def _listing(lines: list[str], more: int) -> list[str]:
    return [*lines, f"… and {more} more"] if more else lines


def board_text(board: ResultsBoard) -> str:
    group, session = board.group, board.session
    head = [f"📊 <b>Results · {esc(when(session.starts_at, group.timezone))}</b>"]
    workout = workout_line(session)
    if workout:
        head.append(f"🏋️ {esc(workout)}")
    reporters = [result.runner for result in board.results]
    if reporters:
        said_in = f" ({len(board.going)} said In)" if board.going else ""
        named = names_list(reporters)
        head.append(f"✅ {len(reporters)} reported{said_in}" + (f": {named}" if named else ""))
    else:
        said_in = f" {len(board.going)} said In." if board.going else ""
        head.append(f"No times reported yet.{said_in}")
    public = [result for result in board.results if not result.runner.private]
    runners = [runner_line(result) for result in public]
    hidden_runners = len(board.results) - len(public)
    pbs = [line for line in map(_pb_line, public) if line]
    hidden_pbs = sum(1 for r in board.results if r.runner.private and _pb_line(r))
    tail = []
    consistent = _most_consistent(board.results)
    if consistent:
        tail += ["", consistent]
    if board.latest:
        tail += ["", "Not on the board yet? Send your times with /report."]
    keep_runners, keep_pbs = len(runners), len(pbs)
    while True:
        lines = [*head]
        if runners or hidden_runners:
            lines += [
                "",
                *_listing(runners[:keep_runners], len(runners) - keep_runners + hidden_runners),
            ]
        if pbs or hidden_pbs:
            lines += [
                "",
                "🏅 <b>Personal bests</b>",
                *_listing(pbs[:keep_pbs], len(pbs) - keep_pbs + hidden_pbs),
            ]
        text = "\n".join([*lines, *tail])
        if text_length(text) <= MAX_TEXT or keep_runners + keep_pbs == 0:
            return text
        if keep_runners >= keep_pbs:
            keep_runners -= 1
        else:
            keep_pbs -= 1


# --- attendance ------------------------------------------------------------------------------


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"


def attendance_text(season: SeasonAttendance, *, name_private: bool) -> str:
    """The season's attendance; private members named only when `name_private` (a DM)."""
    title = f" · {esc(season.group.title)}" if season.group.title else ""
    head = [f"📋 <b>Attendance {season.year}</b>{title}"]
    if not season.sessions:
        head.append("No sessions held this season yet.")
        return "\n".join(head)
    count = len(season.sessions)
    head.append(
        f"{count} session{'s' if count != 1 else ''}, "
        f"{_day(season.sessions[0])} – {_day(season.sessions[-1])}"  # noqa: RUF001
    )
    lines = []
    hidden = 0
    for member in season.members:
        if member.runner.private and not name_private:
            hidden += 1
            continue
        parts = [f"{member.attended}"]
        if member.reported:
            parts[0] += f" ({member.reported} reported)"
        if member.streak > 1:
            parts.append(f"streak {member.streak}")
        if member.no_shows:
            parts.append(f"{member.no_shows} no-show{'s' if member.no_shows != 1 else ''}")
        lock = " 🔒" if member.runner.private else ""
        lines.append(f"{name_of(member.runner.person)}{lock}: {' · '.join(parts)}")
    tail = [
        "",
        "<i>Attended: reported times, or said In and not marked a no-show. "
        "Streak: sessions in a row up to the latest.</i>",
    ]
    if hidden:
        tail.insert(
            0, f"🔒 {hidden} private member{'s' if hidden != 1 else ''} counted, not named."
        )
    keep = len(lines)
    while True:
        text = "\n".join([*head, "", *_listing(lines[:keep], len(lines) - keep), *tail])
        if text_length(text) <= MAX_TEXT or keep == 0:
            return text
        keep -= 1


def no_board_text(refused: BoardRefused, tz: str, on_date: date | None = None) -> str:
    session = refused.session
    what = f"The session {esc(when(session.starts_at, tz))}" if session else "That session"
    if refused.reason is NoBoard.NOT_SET_UP:
        return REFUSALS[Refusal.NOT_SET_UP]
    if refused.reason is NoBoard.NOT_YET:
        return f"{what} hasn't started yet: no results to show."
    if refused.reason is NoBoard.CANCELLED:
        return f"{what} was cancelled: no results to show."
    if on_date is not None:
        return f"There was no session on {on_date.isoformat()}. " + RESULTS_USAGE
    return "There's no session with results to show yet. " + RESULTS_USAGE


RESULTS_USAGE = "Usage: /results for the latest session, or /results 2026-12-01 for an earlier one."
