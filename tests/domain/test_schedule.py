"""The weekly slot across time zones and DST, moves, session dates and formatting."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import schedule
from domain.errors import InputProblem
from domain.schedule import (
    format_day,
    format_when,
    local_date,
    local_to_utc,
    next_slot_start,
    parse_session_date,
    resolve_move,
    slot_start,
    to_local,
    week_monday,
)

ZONES = [
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
    "America/Santiago",
    "Pacific/Apia",
    "UTC",
]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


LOCAL_TO_UTC = [
    # plain days
    (date(2026, 12, 1), time(18, 30), "Europe/London", utc(2026, 12, 1, 18, 30)),
    (date(2026, 7, 1), time(18, 30), "Europe/London", utc(2026, 7, 1, 17, 30)),
    (date(2026, 12, 1), time(18, 30), "Asia/Kolkata", utc(2026, 12, 1, 13, 0)),
    # spring-forward gaps: shifted forward by the gap
    (date(2026, 3, 29), time(2, 30), "Europe/Berlin", utc(2026, 3, 29, 1, 30)),  # 03:30 CEST
    (date(2026, 3, 8), time(2, 30), "America/New_York", utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
    (date(2026, 3, 8), time(2, 30), "America/St_Johns", utc(2026, 3, 8, 6, 0)),  # 03:30 NDT
    (date(2026, 10, 4), time(2, 30), "Australia/Sydney", utc(2026, 10, 3, 16, 30)),  # 03:30
    (date(2026, 9, 27), time(3, 0), "Pacific/Chatham", utc(2026, 9, 26, 14, 15)),  # 04:00
    (date(2026, 10, 4), time(2, 15), "Australia/Lord_Howe", utc(2026, 10, 3, 15, 45)),  # 02:45
    # autumn overlaps: the first occurrence
    (date(2026, 10, 25), time(2, 30), "Europe/Berlin", utc(2026, 10, 25, 0, 30)),
    (date(2026, 11, 1), time(1, 30), "America/New_York", utc(2026, 11, 1, 5, 30)),
    (date(2026, 4, 5), time(2, 30), "Australia/Sydney", utc(2026, 4, 4, 15, 30)),
]


@pytest.mark.parametrize(("day", "at", "tz", "expected"), LOCAL_TO_UTC)
def test_local_to_utc(day: date, at: time, tz: str, expected: datetime) -> None:
    result = local_to_utc(day, at, tz)
    assert result == expected
    assert result.tzinfo is UTC


def test_week_monday() -> None:
    assert week_monday(date(2026, 12, 3)) == date(2026, 11, 30)
    assert week_monday(date(2026, 11, 30)) == date(2026, 11, 30)
    assert week_monday(date(2026, 12, 6)) == date(2026, 11, 30)


def test_slot_start_uses_the_week_of_the_given_day() -> None:
    expected = utc(2026, 12, 1, 18, 30)
    assert slot_start(date(2026, 11, 30), 1, time(18, 30), "Europe/London") == expected
    assert slot_start(date(2026, 12, 4), 1, time(18, 30), "Europe/London") == expected
    with pytest.raises(ValueError, match="weekday"):
        slot_start(date(2026, 11, 30), 7, time(18, 30), "Europe/London")


NEXT = [
    # (weekday, at, tz, now, expected)
    (1, time(18, 30), "Europe/London", utc(2026, 12, 1, 18, 0), utc(2026, 12, 1, 18, 30)),
    (1, time(18, 30), "Europe/London", utc(2026, 12, 1, 18, 30), utc(2026, 12, 8, 18, 30)),
    (1, time(18, 30), "Europe/London", utc(2026, 12, 2, 9, 0), utc(2026, 12, 8, 18, 30)),
    (0, time(6, 0), "Australia/Sydney", utc(2026, 12, 6, 20, 0), utc(2026, 12, 13, 19, 0)),
    (0, time(6, 0), "Australia/Sydney", utc(2026, 12, 6, 18, 59), utc(2026, 12, 6, 19, 0)),
    # London clocks go forward on Sun 29 Mar 2026: still 18:30 on the wall.
    (1, time(18, 30), "Europe/London", utc(2026, 3, 25, 0, 0), utc(2026, 3, 31, 17, 30)),
    # A Sunday 02:30 Berlin slot on the spring-forward day is at 03:30 local.
    (6, time(2, 30), "Europe/Berlin", utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 1, 30)),
]


@pytest.mark.parametrize(("weekday", "at", "tz", "now", "expected"), NEXT)
def test_next_slot_start(
    weekday: int, at: time, tz: str, now: datetime, expected: datetime
) -> None:
    assert next_slot_start(weekday, at, tz, now) == expected


def test_instants_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_slot_start(1, time(18, 30), "UTC", datetime(2026, 12, 1))
    with pytest.raises(ValueError, match="aware"):
        to_local(datetime(2026, 12, 1), "UTC")


def _wall_exists(day: date, at: time, tz: str) -> bool:
    local = datetime.combine(day, at, tzinfo=ZoneInfo(tz))
    back = local.astimezone(UTC).astimezone(ZoneInfo(tz))
    return back.replace(tzinfo=None) == datetime.combine(day, at)


def _gap(day: date, at: time, tz: str) -> timedelta:
    early = datetime.combine(day, at, tzinfo=ZoneInfo(tz))
    late = early.replace(fold=1)
    return (late.utcoffset() or timedelta(0)) - (early.utcoffset() or timedelta(0))


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    naive = draw(st.datetimes(datetime(2000, 1, 1), datetime(2037, 12, 31)))
    zone = draw(st.sampled_from([UTC, ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Denver")]))
    return naive.replace(tzinfo=UTC).astimezone(zone)


walls = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))


@settings(max_examples=300)
@given(st.integers(0, 6), walls, st.sampled_from(ZONES), instants())
def test_next_slot_is_the_first_slot_after_now(
    weekday: int, at: time, tz: str, now: datetime
) -> None:
    start = next_slot_start(weekday, at, tz, now)
    assert start.tzinfo is UTC
    assert now < start < now + timedelta(days=8)
    day = _slot_day(start, weekday, at, tz)
    wall = to_local(start, tz).replace(tzinfo=None)
    if _wall_exists(day, at, tz):
        assert wall == datetime.combine(day, at)
    else:
        assert wall == datetime.combine(day, at) + _gap(day, at, tz)
    assert local_to_utc(day - timedelta(days=7), at, tz) <= now, "an earlier slot was skipped"

    following = next_slot_start(weekday, at, tz, start)
    assert _slot_day(following, weekday, at, tz) == day + timedelta(days=7)


def _slot_day(start: datetime, weekday: int, at: time, tz: str) -> date:
    """The slot's intended local date (a gap can push the instant past midnight)."""
    local_day = local_date(start, tz)
    for day in (local_day, local_day - timedelta(days=1)):
        if day.weekday() == weekday and local_to_utc(day, at, tz) == start:
            return day
    raise AssertionError(f"{start} is no {weekday} {at} slot in {tz}")


@settings(max_examples=300)
@given(st.dates(date(2000, 1, 1), date(2037, 12, 31)), walls, st.sampled_from(ZONES))
def test_local_to_utc_picks_the_first_real_instant_or_shifts_gaps(
    day: date, at: time, tz: str
) -> None:
    result = local_to_utc(day, at, tz)
    candidates = [
        datetime.combine(day, at, tzinfo=ZoneInfo(tz)).replace(fold=fold).astimezone(UTC)
        for fold in (0, 1)
    ]
    real = [
        c for c in candidates if to_local(c, tz).replace(tzinfo=None) == datetime.combine(day, at)
    ]
    if real:
        assert result == min(real)
    else:
        shifted = datetime.combine(day, at) + _gap(day, at, tz)
        assert to_local(result, tz).replace(tzinfo=None) == shifted


NOW = utc(2026, 12, 1, 12, 0)  # Tuesday noon in London

MOVES = [
    ("thu", "19:00", utc(2026, 12, 3, 19, 0)),
    ("Thursday", "19.00", utc(2026, 12, 3, 19, 0)),
    ("tue", "19:00", utc(2026, 12, 1, 19, 0)),
    ("tue", "11:00", utc(2026, 12, 8, 11, 0)),
    ("mon", "07:00", utc(2026, 12, 7, 7, 0)),
    ("2026-12-03", "19:00", utc(2026, 12, 3, 19, 0)),
    ("2026-12-01", "12:01", utc(2026, 12, 1, 12, 1)),
    ("2027-12-01", "19:00", utc(2027, 12, 1, 19, 0)),
    ("today", "18:00", utc(2026, 12, 1, 18, 0)),
    ("tomorrow", "7:00", utc(2026, 12, 2, 7, 0)),
]


@pytest.mark.parametrize(("day", "at", "expected"), MOVES)
def test_resolve_move(day: str, at: str, expected: datetime) -> None:
    assert resolve_move(day, at, "Europe/London", NOW) == expected


MOVE_PROBLEMS = [
    ("2026-11-30", "19:00", "already passed"),
    ("2026-12-01", "11:00", "already passed"),
    ("today", "12:00", "already passed"),
    ("2027-12-02", "19:00", "within a year"),
    ("2026-02-30", "19:00", "no date 2026-02-30"),
    ("someday", "19:00", "thu 19:00"),
    ("", "19:00", "thu 19:00"),
    ("thu", "25:00", "18:30"),
    ("thu", "7pm", "18:30"),
]


@pytest.mark.parametrize(("day", "at", "fragment"), MOVE_PROBLEMS)
def test_resolve_move_problems(day: str, at: str, fragment: str) -> None:
    with pytest.raises(InputProblem) as caught:
        resolve_move(day, at, "Europe/London", NOW)
    assert fragment in caught.value.message
    assert "2026-12-08" in caught.value.message or "18:30" in caught.value.message


def test_resolve_move_uses_the_club_zone_for_today() -> None:
    # 23:30 UTC on Tuesday is already Wednesday in Sydney.
    late = utc(2026, 12, 1, 23, 30)
    assert local_date(late, "Australia/Sydney") == date(2026, 12, 2)
    assert resolve_move("wed", "19:00", "Australia/Sydney", late) == utc(2026, 12, 2, 8, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-12-09", date(2026, 12, 9)), ("2026-12-01", date(2026, 12, 1)),
     (" 2027-12-01 ", date(2027, 12, 1))],
)  # fmt: skip
def test_parse_session_date(text: str, expected: date) -> None:
    assert parse_session_date(text, "Europe/London", NOW) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("2026-11-30", "already passed"), ("2027-12-02", "within a year"),
     ("9 Dec", "year-month-day"), ("2026-13-01", "no date"), ("", "year-month-day"),
     ("20261209", "year-month-day"), ("tomorrow", "year-month-day")],
)  # fmt: skip
def test_parse_session_date_problems(text: str, fragment: str) -> None:
    with pytest.raises(InputProblem) as caught:
        parse_session_date(text, "Europe/London", NOW)
    assert fragment in caught.value.message
    assert "2026-12-08" in caught.value.message


def test_leap_day_year_limit() -> None:
    leap = utc(2028, 2, 29, 12, 0)
    assert parse_session_date("2029-02-28", "UTC", leap) == date(2029, 2, 28)
    with pytest.raises(InputProblem, match="within a year"):
        parse_session_date("2029-03-01", "UTC", leap)


@given(st.text(max_size=20), st.text(max_size=20))
def test_move_never_crashes(day: str, at: str) -> None:
    try:
        resolve_move(day, at, "Europe/London", NOW)
    except InputProblem as problem:
        problem.message.encode("utf-8")


def test_formatting_in_the_club_zone() -> None:
    instant = utc(2025, 12, 2, 18, 30)
    assert format_when(instant, "Europe/London") == "Tue 2 Dec, 18:30"
    assert format_day(instant, "Europe/London") == "Tue 2 Dec"
    assert format_when(instant, "Australia/Sydney") == "Wed 3 Dec, 05:30"
    assert format_when(utc(2026, 7, 1, 17, 5), "Europe/London") == "Wed 1 Jul, 18:05"


@pytest.mark.parametrize(
    ("start", "lead", "tz", "expected_local"),
    [
        # US clocks go forward on Sun 8 Mar 2026: 72 h before Tue 18:30 is Sat 18:30 local.
        (
            datetime(2026, 3, 10, 22, 30, tzinfo=UTC),
            timedelta(hours=72),
            "America/New_York",
            datetime(2026, 3, 7, 18, 30),
        ),
        # UK clocks go back on Sun 25 Oct 2026.
        (
            datetime(2026, 10, 27, 18, 30, tzinfo=UTC),
            timedelta(days=2),
            "Europe/London",
            datetime(2026, 10, 25, 18, 30),
        ),
        (
            datetime(2026, 12, 1, 18, 30, tzinfo=UTC),
            timedelta(hours=3),
            "Europe/London",
            datetime(2026, 12, 1, 15, 30),
        ),
    ],
)
def test_leads_are_counted_on_the_wall_clock(
    start: datetime, lead: timedelta, tz: str, expected_local: datetime
) -> None:
    instant = schedule.wall_clock_before(start, lead, tz)
    assert instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None) == expected_local


@given(
    start=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=1, max_value=6 * 24 * 60),
    tz=st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney", "UTC"]),
)
def test_a_lead_is_always_before_the_start_and_close_to_the_absolute_lead(
    start: datetime, minutes: int, tz: str
) -> None:
    lead = timedelta(minutes=minutes)
    instant = schedule.wall_clock_before(start, lead, tz)
    assert instant < start
    assert abs((start - instant) - lead) <= timedelta(hours=1)
