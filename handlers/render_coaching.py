"""Texts for /pace, /benchmark, /targets, /groups, /profile, and the targets in reminders
and report replies. Pure functions from plain data to HTML.

Benchmarks, birth years and targets are private: the texts built here that contain them
are only ever sent to the runner or to a coach in a private chat. The ``*_in_group``
texts are the short replies a group sees instead, and never contain them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from db.benchmarks import (
    STALE_AFTER,
    BenchmarkStatus,
    BenchmarkView,
    PaceGroups,
    ReportComparison,
    RepTarget,
    RunnerTargets,
    SessionTargets,
    SplitVsTarget,
    WorkoutState,
)
from db.profiles import Profile
from db.views import SessionView
from domain.age_grade import AgeGrade
from domain.amounts import amount_text
from domain.equivalents import equivalent_time_ms
from domain.paces import pace_notation
from domain.race_distance import RACE_METERS, RaceDistance
from domain.times import format_ms
from domain.training_paces import TrainingPaces
from domain.workout import Distance, PaceRef
from handlers.render import esc, when, workout_line

MAX_MESSAGE = 4096
BENCHMARK_EXAMPLE = "/benchmark 5K 24:30"
PACE_USAGE = (
    "Usage: /pace &lt;distance&gt; &lt;time&gt;, e.g. /pace 5K 24:30, /pace half 1:45:00, "
    "/pace 1500 5:10. Shows your VDOT, equivalent race times and training paces."
)
TARGETS_USAGE = (
    "Usage: /targets: your target for every rep of the next session's workout. "
    "Coaches get everyone's who answered In; /targets me gives a coach their own."
)
GROUPS_USAGE = "Usage: /groups (coaches): pace groups for the next session, sent privately."
PROFILE_USAGE = (
    "Usage: /profile born &lt;year&gt; &lt;sex&gt;, e.g. /profile born 1985 F (F or M, "
    "female or male, woman or man). /profile shows it; /profile clear removes it. "
    "Age grading (/pace) uses it."
)
_RACES = (
    ("800", "800 m"),
    ("1500", "1500 m"),
    ("mile", "Mile"),
    ("3K", "3K"),
    ("5K", "5K"),
    ("10K", "10K"),
    ("HM", "Half marathon"),
    ("M", "Marathon"),
)
_ZONES = (
    ("M", "M (marathon)"),
    ("T", "T (threshold)"),
    ("I", "I (interval)"),
    ("R", "R (repetition)"),
)
_MILE_KM = 1.609344
_TO = "–"  # noqa: RUF001 (an en dash between the ends of a range)
_VERDICT_MARKS = {"on target": "✅", "too fast": "⚡", "too slow": "🐢"}
_SEX_WORDS = {"F": "female", "M": "male"}


# --- numbers ------------------------------------------------------------------------------


def clock(seconds: float) -> str:
    """Whole seconds: ``3:58``, ``1:31:42``."""
    return format_ms(round(seconds) * 1000)


def race_time(ms: int) -> str:
    return format_ms((ms + 500) // 1000 * 1000)


def target_time(ms: int) -> str:
    """Short reps to a tenth (``36.4``, ``1:24.6``), longer ones to the second."""
    if ms < 120_000:
        return format_ms((ms + 50) // 100 * 100)
    return race_time(ms)


def per_km(seconds: float) -> str:
    return f"{clock(seconds)}/km"


def per_mile(seconds_per_km: float) -> str:
    return f"{clock(seconds_per_km * _MILE_KM)}/mi"


def distance_text(meters: float) -> str:
    """``5.06 km`` from 1 km, else ``850 m`` (to 10 m)."""
    if meters >= 1000:
        return f"{meters / 1000:.2f} km"
    return f"{round(meters / 10) * 10} m"


def _sign(value: float) -> str:
    return "+" if value > 0 else "−" if value < 0 else "±"


def signed_seconds(ms: int) -> str:
    return f"{_sign(ms)}{abs(ms) / 1000:.1f} s"


def signed_percent(percent: float) -> str:
    return f"{_sign(round(percent, 1))}{abs(percent):.1f} %"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def chunks(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split a long text at line ends into messages Telegram accepts."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        line = line[:limit]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current or not parts:
        parts.append(current)
    return parts


# --- /pace --------------------------------------------------------------------------------


def pace_text(
    distance: RaceDistance,
    time_ms: int,
    value: float,
    paces: TrainingPaces,
    age_lines: Sequence[str],
) -> str:
    lines = [
        f"🏃 <b>{esc(_capital(distance.name))} in {esc(format_ms(time_ms))}</b> · VDOT {value:.1f}",
        "",
        "<b>Equivalent race times</b>",
    ]
    for key, name in _RACES:
        lines.append(f"{name}: {race_time(equivalent_time_ms(value, RACE_METERS[key]))}")
    lines += ["", "<b>Training paces</b> (per km · per mile)"]
    fast, slow = paces.easy_fast.seconds_per_km, paces.easy_slow.seconds_per_km
    km = f"{clock(fast)}{_TO}{per_km(slow)}"
    mile = f"{clock(fast * _MILE_KM)}{_TO}{per_mile(slow)}"
    lines.append(f"E (easy): {km} · {mile}")
    for key, name in _ZONES:
        seconds = paces.zone(key).seconds_per_km
        lines.append(f"{name}: {per_km(seconds)} · {per_mile(seconds)}")
    if age_lines:
        lines += ["", *age_lines]
    return "\n".join(lines)


def age_grade_lines(
    distance: RaceDistance, grade: AgeGrade, profile: Profile, age: int
) -> list[str]:
    sex = "women" if profile.sex == "F" else "men"
    return [
        f"<b>Age grade</b> ({sex}, age {age}): {grade.percent:.1f} %",
        f"Age-graded time: {esc(distance.name)} in {race_time(grade.graded_ms)}",
    ]


def age_grade_unavailable(reason: str) -> list[str]:
    return [f"Age grade: {esc(reason)}"]


AGE_GRADE_HINT = ["Add your age for an age grade: /profile born 1985 F (kept private)."]
AGE_GRADE_IN_PRIVATE = [
    "Your age grade is private: send me /pace in a private chat to see it.",
]


# --- benchmarks ---------------------------------------------------------------------------


def benchmark_line(mark: BenchmarkView) -> str:
    """``5K 20:00 · race on Sat 3 Oct 2026 · VDOT 49.8``, stale ones flagged."""
    source = "race" if mark.source == "race" else "benchmark"
    line = (
        f"{esc(mark.name)} {race_time(mark.time_ms)} · {source} on {_date(mark.day)} "
        f"· VDOT {mark.vdot:.1f}"
    )
    return line + (f" · ⚠️ stale ({mark.weeks_old} weeks old)" if mark.stale else "")


def _date(day: date) -> str:
    return f"{day.day} {day.strftime('%b')} {day.year}"


def _short_date(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


STALE_HINT = (
    f"⚠️ Benchmarks older than {STALE_AFTER.days // 7} weeks are stale: log a newer race "
    f"with /race or set one with {BENCHMARK_EXAMPLE}."
)
NO_BENCHMARK = (
    "You have no benchmark yet. Set one with /benchmark &lt;distance&gt; &lt;time&gt;, "
    f"e.g. {BENCHMARK_EXAMPLE} (a recent race or time trial), or log a race with "
    "/race 5K 24:30: your latest race counts too."
)


def benchmark_text(status: BenchmarkStatus) -> str:
    current = status.current
    if status.saved is None and current is None:
        return "🎯 " + NO_BENCHMARK
    lines = []
    if status.saved is not None:
        lines.append(f"✅ Benchmark saved: {benchmark_line(status.saved)}")
        if current is not None and current != status.saved:
            lines.append(
                f"Your race of {_date(current.day)} is more recent, so your targets still come "
                f"from it: {benchmark_line(current)}"
            )
    else:
        assert current is not None
        lines.append(f"🎯 Your benchmark: {benchmark_line(current)}")
        if current.source == "race":
            lines.append("It's your latest race (/race). /benchmark 5K 24:30 sets another.")
    if current is not None and current.stale:
        lines.append(STALE_HINT)
    lines.append("Your targets for the next session: /targets")
    return "\n".join(lines)


def benchmark_cleared(status: BenchmarkStatus | None) -> str:
    if status is None:
        return f"You haven't set a benchmark. Example: {BENCHMARK_EXAMPLE}"
    if status.current is None:
        return f"🗑 Benchmark removed. Set a new one with e.g. {BENCHMARK_EXAMPLE}"
    return (
        f"🗑 Benchmark removed. Your targets now come from your latest race: "
        f"{benchmark_line(status.current)}"
    )


def benchmark_saved_in_group(name: str | None, sent: bool) -> str:
    """`name` None: the sender is in private mode, so the group reply names nobody."""
    where = (
        "I sent you the details privately." if sent else "Details: /benchmark in a private chat."
    )
    return f"✅ Benchmark saved{f' for {esc(name)}' if name else ''}. {where}"


def _to(name: str | None) -> str:
    """``Ann, `` before a group reply to Ann; nothing for a member in private mode."""
    return f"{esc(name)}, " if name else ""


# --- private delivery ---------------------------------------------------------------------


def sent_privately(name: str | None, what: str) -> str:
    return f"📬 {_to(name)}I sent you {what} in a private message."


def start_me_first(
    name: str | None, bot_username: str, chat_id: int, what: str, command: str
) -> str:
    link = f"https://t.me/{bot_username}?start=g{abs(chat_id)}"
    return (
        f"🔒 {_to(name)}I send {what} only in a private chat: "
        f'<a href="{link}">open one with me</a>, press Start, then send {command} again.'
    )


# --- targets ------------------------------------------------------------------------------


def rep_label(rep: RepTarget) -> str:
    count = f"{rep.count} × " if rep.count > 1 else ""
    return f"{count}{amount_text(rep.amount)} {esc(pace_notation(rep.pace))}"


def target_value(rep: RepTarget) -> str:
    target = rep.target
    assert target is not None
    if isinstance(rep.amount, Distance):
        return f"{target_time(target.ms)} ({per_km(target.seconds_per_km)})"
    return f"{distance_text(target.meters)} ({per_km(target.seconds_per_km)})"


def _stale(rep: RepTarget, mark: BenchmarkView | None) -> str:
    return " ⚠️ stale" if rep.needs_benchmark and mark is not None and mark.stale else ""


def target_lines(runner: RunnerTargets) -> list[str]:
    lines = []
    for rep in runner.reps:
        if rep.target is None:
            lines.append(f"• {rep_label(rep)}: needs a benchmark")
        else:
            lines.append(f"• {rep_label(rep)}: {target_value(rep)}{_stale(rep, runner.benchmark)}")
    return lines


def _state_text(found: SessionTargets) -> str:
    at = esc(when(found.session.starts_at, found.group.timezone))
    if found.state is WorkoutState.NO_WORKOUT:
        return f"🎯 No workout is set for {at} yet: targets come once a coach sets one."
    if found.state is WorkoutState.FREE_TEXT:
        return (
            f"🎯 The workout for {at} isn't written in notation, so I can't work out targets. "
            "A coach can write it like /workout 6x800m @5K r90s (see /help workout)."
        )
    return (
        f"🎯 The workout for {at} has no paces (like @5K, @T or @3:20/km), so there are no "
        "targets: run it by feel!"
    )


def _header(title: str, session: SessionView, timezone: str) -> list[str]:
    lines = [f"🎯 <b>{title} · {esc(when(session.starts_at, timezone))}</b>"]
    workout = workout_line(session)
    if workout:
        lines.append(f"🏋️ {esc(workout)}")
    return lines


def my_targets_text(found: SessionTargets) -> str:
    if found.state is not WorkoutState.READY:
        return _state_text(found)
    runner = found.runners[0]
    lines = _header("Your targets", found.session, found.group.timezone)
    if runner.benchmark is not None:
        lines.append(f"From: {benchmark_line(runner.benchmark)}")
    lines += target_lines(runner)
    if runner.missing_benchmark:
        lines.append(NO_BENCHMARK)
    elif runner.benchmark is not None and runner.benchmark.stale:
        lines.append(STALE_HINT)
    lines.append(f"On target means within ±{found.tolerance_percent:g} %.")
    return "\n".join(lines)


def _compact(runner: RunnerTargets) -> str:
    parts = []
    for rep in runner.reps:
        if rep.target is None:
            continue
        value = (
            target_time(rep.target.ms)
            if isinstance(rep.amount, Distance)
            else distance_text(rep.target.meters)
        )
        label = f"{amount_text(rep.amount)} {esc(pace_notation(rep.pace))}"
        parts.append(f"{label} {value}{_stale(rep, runner.benchmark)}")
    return " · ".join(parts)


def coach_targets_text(found: SessionTargets) -> str:
    if found.state is not WorkoutState.READY:
        return _state_text(found)
    lines = _header(f"Targets ({len(found.runners)} in)", found.session, found.group.timezone)
    if not found.runners:
        lines.append("Nobody has answered In yet.")
    without = [r.person for r in found.runners if r.missing_benchmark]
    for runner in found.runners:
        if runner.missing_benchmark and not runner.has_targets:
            continue
        mark = runner.benchmark
        source = (
            f"{esc(mark.name)} {race_time(mark.time_ms)}, {_short_date(mark.day)}"
            + (" ⚠️ stale" if mark.stale else "")
            if mark is not None
            else "no benchmark"
        )
        lines.append(f"<b>{esc(runner.person.display_name)}</b> ({source}): {_compact(runner)}")
    if without:
        names = ", ".join(esc(p.display_name) for p in without)
        lines.append(
            f"No benchmark ({len(without)}): {names}. They can set one with {BENCHMARK_EXAMPLE}."
        )
    lines.append(f"On target: within ±{found.tolerance_percent:g} % (/set tolerance 2%).")
    return "\n".join(lines)


def reminder_lines(runner: RunnerTargets | None) -> list[str]:
    """The runner's targets under a private reminder (nothing when there are none)."""
    if runner is None or not runner.reps:
        return []
    lines = []
    if runner.has_targets:
        source = ""
        if runner.benchmark is not None:
            mark = runner.benchmark
            source = f" (from {esc(mark.name)} {race_time(mark.time_ms)})"
        lines.append(f"🎯 Your targets{source}:")
        lines += [line for line in target_lines(runner) if not line.endswith("needs a benchmark")]
    if runner.missing_benchmark:
        lines.append(f"🎯 For your own targets set a benchmark, e.g. {BENCHMARK_EXAMPLE}")
    return lines


# --- /groups ------------------------------------------------------------------------------


def _pace_name(pace: PaceRef) -> str:
    return f"{pace.name} pace" if pace.kind == "race" else f"{pace.name} pace (zone)"


def pace_groups_text(found: PaceGroups) -> str:
    lines = _header("Pace groups", found.session, found.group.timezone)
    basis = esc(_pace_name(found.pace))
    if found.from_workout:
        lines.append(f"By {basis}, at most {found.spread_s:g} s/km apart (/set spread 10).")
    else:
        lines.append(
            f"The workout has no race or zone pace, so by {basis}, at most {found.spread_s:g} "
            "s/km apart (/set spread 10)."
        )
    if not found.groups and not found.without_benchmark:
        lines.append("Nobody has answered In yet.")
    for number, members in enumerate(found.groups, start=1):
        fastest, slowest = members[0].seconds_per_km, members[-1].seconds_per_km
        span = per_km(fastest) if fastest == slowest else f"{clock(fastest)}{_TO}{per_km(slowest)}"
        names = ", ".join(
            f"{esc(m.person.display_name)} {clock(m.seconds_per_km)}"
            + (" ⚠️ stale" if m.benchmark.stale else "")
            for m in members
        )
        lines.append(f"<b>Group {number}</b> ({span}): {names}")
    if found.without_benchmark:
        names = ", ".join(esc(p.display_name) for p in found.without_benchmark)
        lines.append(
            f"No benchmark ({len(found.without_benchmark)}): {names}. "
            f"They can set one with {BENCHMARK_EXAMPLE}."
        )
    return "\n".join(lines)


# --- report comparison --------------------------------------------------------------------


def _split_line(split: SplitVsTarget, mark: BenchmarkView | None) -> str:
    check = split.check
    shown = f"{split.index + 1}. {format_ms(split.ms)} vs {target_time(split.target_ms)}"
    if check.verdict == "on target":
        verdict = f"✅ on target ({signed_seconds(check.off_ms)})"
    else:
        by = f"{abs(check.off_ms) / 1000:.1f} s"
        off = signed_percent(check.off_percent)
        verdict = f"{_VERDICT_MARKS[check.verdict]} {check.verdict} by {by} ({off})"
    stale = " ⚠️ stale" if split.depends_on_benchmark and mark is not None and mark.stale else ""
    return f"{shown}: {verdict}{stale}"


def comparison_lines(found: ReportComparison, whose: str = "your") -> list[str]:
    """The rep-by-rep comparison for the runner or a coach (private)."""
    if found.empty:
        return []
    lines = []
    if found.splits:
        mark = found.benchmark
        source = (
            f"{esc(mark.name)} {race_time(mark.time_ms)}, {_short_date(mark.day)}"
            if mark is not None and any(s.depends_on_benchmark for s in found.splits)
            else ""
        )
        basis = f"{source} · " if source else ""
        lines.append(f"🎯 <b>Against {whose} targets</b> ({basis}±{found.tolerance_percent:g} %)")
        lines += [_split_line(split, mark) for split in found.splits]
        lines.append(f"On target: {found.on_target} of {len(found.splits)}.")
        if mark is not None and mark.stale:
            lines.append(STALE_HINT)
    if found.missing_benchmark:
        lines.append(
            f"🎯 To compare splits with targets at race and zone paces, set a benchmark, "
            f"e.g. {BENCHMARK_EXAMPLE}"
        )
    return lines


def comparison_pointer(
    found: ReportComparison, name: str | None, sent: bool, link: str
) -> list[str]:
    """What the group sees of the comparison: where it went, never the targets."""
    if not found.splits:
        return comparison_lines(found)  # only the how-to line, nothing private
    if sent:
        return [f"🎯 {_to(name)}I sent you the splits against the targets privately."]
    splits = f"{esc(name)}, splits" if name else "Splits"
    return [
        f"🎯 {splits} against targets are private: "
        f'<a href="{link}">open a private chat with me</a>, press Start, and send the same '
        "/report there to see them."
    ]


# --- /profile -----------------------------------------------------------------------------


def profile_text(profile: Profile | None) -> str:
    if profile is None:
        return "👤 No profile yet. " + PROFILE_USAGE
    return (
        f"👤 Born {profile.birth_year}, {_SEX_WORDS[profile.sex]}. Age grading (/pace) uses it; "
        "only you see it. /profile clear removes it."
    )


def profile_saved(profile: Profile, in_group: bool) -> str:
    if in_group:
        return (
            "✅ Profile saved. Your birth year stays private: /pace in a private chat shows "
            "your age grade."
        )
    return (
        f"✅ Profile saved: born {profile.birth_year}, {_SEX_WORDS[profile.sex]}. "
        "/pace now shows your age grade, e.g. /pace 5K 24:30."
    )


def profile_cleared(removed: bool) -> str:
    if removed:
        return (
            "🗑 Profile removed: no more age grading. Example to add it again: /profile born 1985 F"
        )
    return "You have no profile to remove. Example: /profile born 1985 F"
