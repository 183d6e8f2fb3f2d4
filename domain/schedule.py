"""The weekly slot in club-local wall-clock time, turned into UTC instants across DST.

Every instant returned is an aware UTC datetime; the club's zone only matters when a
weekday and wall-clock time become an instant, or an instant becomes text.

* A wall-clock time that does not exist (spring-forward gap) is shifted forward by the
  gap: 02:30 on the night Berlin jumps from 02:00 to 03:00 becomes 03:30 local.
* A wall-clock time that happens twice (autumn overlap) means the first occurrence.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InputProblem
from domain.text import quoted, tidy
from domain.values import parse_clock, parse_weekday, weekday_short

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEEK = timedelta(days=7)


def local_to_utc(day: date, at: time, tz: str) -> datetime:
    """Wall-clock ``at`` on ``day`` in ``tz`` as UTC (gap: shifted forward; overlap: first)."""
    # With fold=0, zoneinfo applies the pre-transition offset, which gives exactly both rules.
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC)


def week_monday(day: date) -> date:
    """The Monday of ``day``'s week: weeks are how sessions are numbered."""
    return day - timedelta(days=day.weekday())


def slot_start(week: date, weekday: int, at: time, tz: str) -> datetime:
    """UTC start of the weekly slot in the week of ``week`` (normally its Monday)."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0..6, not {weekday}")
    return local_to_utc(week_monday(week) + timedelta(days=weekday), at, tz)


def next_slot_start(weekday: int, at: time, tz: str, now: datetime) -> datetime:
    """The first slot start strictly after ``now``."""
    this_week = week_monday(local_date(now, tz))
    start = slot_start(this_week, weekday, at, tz)
    return start if start > now else slot_start(this_week + _WEEK, weekday, at, tz)


def wall_clock_before(instant: datetime, lead: timedelta, tz: str) -> datetime:
    """``lead`` before ``instant`` on the club's wall clock.

    "Announce 72 h before a Tuesday 18:30 session" means Saturday 18:30 local,
    even when the clocks change in between (an absolute 72 h would be 17:30).
    """
    _require_aware(instant)
    local = instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None) - lead
    candidate = local_to_utc(local.date(), local.time(), tz)
    # A short lead that lands in a DST gap is pushed forward by the gap: never past the start.
    return candidate if candidate < instant else instant - lead


def to_local(instant: datetime, tz: str) -> datetime:
    """``instant`` on the club's wall clock."""
    _require_aware(instant)
    return instant.astimezone(ZoneInfo(tz))


def local_date(instant: datetime, tz: str) -> date:
    """The club-local calendar date of ``instant``."""
    return to_local(instant, tz).date()


def resolve_move(day_text: str, time_text: str, tz: str, now: datetime) -> datetime:
    """Start of a moved session: ``thu 19:00`` (next such day still ahead) or a date.

    A date must be today or later, start after ``now`` and lie within a year.
    """
    at = parse_clock(time_text)
    today = local_date(now, tz)
    example = f"{(today + _WEEK).isoformat()} {at:%H:%M}"
    word = tidy(day_text).lower()
    day = _named_day(word, today) or _iso_date(word, f"e.g. {example}")
    if day is None:
        try:
            weekday = parse_weekday(word)
        except InputProblem:
            raise InputProblem(
                f"I don't know the day {quoted(word)}. Use a weekday or a date, "
                f"e.g. thu {at:%H:%M} or {example}."
            ) from None
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
        start = local_to_utc(day, at, tz)
        return start if start > now else local_to_utc(day + _WEEK, at, tz)
    if day < today:
        raise InputProblem(f"That date has already passed. Example: {example}")
    if day > _year_after(today):
        raise InputProblem(f"Please pick a date within a year, e.g. {example}.")
    start = local_to_utc(day, at, tz)
    if start <= now:
        raise InputProblem(f"That time has already passed. Example: {example}")
    return start


def parse_session_date(text: str, tz: str, now: datetime) -> date:
    """An ISO date (``2026-12-09``) from today up to a year ahead, in the club's zone."""
    today = local_date(now, tz)
    example = f"e.g. {(today + _WEEK).isoformat()}"
    day = _iso_date(tidy(text), example)
    if day is None:
        raise InputProblem(f"Give the date as year-month-day, {example}.")
    if day < today:
        raise InputProblem(f"That date has already passed. Please pick a later one, {example}.")
    if day > _year_after(today):
        raise InputProblem(f"Please pick a date within a year, {example}.")
    return day


def format_when(instant: datetime, tz: str) -> str:
    """``Tue 2 Dec, 18:30`` in the club's zone."""
    return f"{format_day(instant, tz)}, {to_local(instant, tz):%H:%M}"


def format_day(instant: datetime, tz: str) -> str:
    """``Tue 2 Dec`` in the club's zone."""
    local = to_local(instant, tz)
    return f"{weekday_short(local.weekday())} {local.day} {_MONTHS[local.month - 1]}"


def _named_day(word: str, today: date) -> date | None:
    return {"today": today, "tomorrow": today + timedelta(days=1)}.get(word)


def _iso_date(text: str, example: str) -> date | None:
    """The date if ``text`` looks like YYYY-MM-DD, None if it does not look like a date."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputProblem(f"There is no date {text}. Please check it, {example}.") from None


def _year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _require_aware(instant: datetime) -> None:
    if instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware datetimes")
