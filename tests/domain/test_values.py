"""/set values: weekdays, clock times, zones, locations, capacity, switches, places."""

# ruff: noqa: RUF001  (look-alike characters are the point of these tests)

from collections.abc import Callable
from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InputProblem
from domain.text import is_unsafe
from domain.values import (
    SETTING_KEYS,
    parse_board,
    parse_capacity,
    parse_clock,
    parse_location,
    parse_place,
    parse_spread,
    parse_switch,
    parse_timezone,
    parse_tolerance,
    parse_weekday,
    weekday_name,
    weekday_short,
)

WEEKDAYS = [
    ("monday", 0), ("Mon", 0), ("MO", 0), ("mondays", 0),
    ("tuesday", 1), ("tue", 1), ("Tues", 1), ("tu", 1), ("Tuesday.", 1),
    ("wednesday", 2), ("wed", 2), ("weds", 2),
    ("thursday", 3), ("thu", 3), ("thur", 3), ("thurs", 3), ("Th", 3),
    ("friday", 4), ("fri", 4), ("saturday", 5), ("sat", 5), ("sunday", 6), ("Sun", 6),
    ("  sundays ", 6),
]  # fmt: skip


@pytest.mark.parametrize(("text", "number"), WEEKDAYS)
def test_parses_weekdays(text: str, number: int) -> None:
    assert parse_weekday(text) == number


@pytest.mark.parametrize("text", ["", "t", "s", "tuesdayy", "day", "days", "1", "lundi", "x" * 500])
def test_refuses_unknown_days(text: str) -> None:
    with pytest.raises(InputProblem, match="tuesday or tue"):
        parse_weekday(text)


def test_weekday_names() -> None:
    assert [weekday_name(n) for n in range(7)][:2] == ["Monday", "Tuesday"]
    assert weekday_short(1) == "Tue"
    assert weekday_short(6) == "Sun"
    assert all(parse_weekday(weekday_name(n)) == n for n in range(7))
    assert all(parse_weekday(weekday_short(n)) == n for n in range(7))
    with pytest.raises(ValueError, match="weekday must be"):
        weekday_name(7)
    with pytest.raises(ValueError, match="weekday must be"):
        weekday_short(-1)


CLOCKS = [
    ("18:30", time(18, 30)),
    ("6:30", time(6, 30)),
    ("06:30", time(6, 30)),
    ("18.30", time(18, 30)),
    ("18h30", time(18, 30)),
    ("0:00", time(0, 0)),
    ("23:59", time(23, 59)),
    (" 07:05 ", time(7, 5)),
]


@pytest.mark.parametrize(("text", "expected"), CLOCKS)
def test_parses_clock_times(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00", "24:00", "18:60", "6pm", "6:30pm", "18", "1830", "18:3", "", "18:30:00"]
)
def test_refuses_clock_times_with_example(text: str) -> None:
    with pytest.raises(InputProblem, match="18:30"):
        parse_clock(text)


ZONES = [
    ("Europe/London", "Europe/London"),
    ("europe/london", "Europe/London"),
    ("EUROPE/LONDON", "Europe/London"),
    ("America/New York", "America/New_York"),
    ("america/new_york", "America/New_York"),
    ("UTC", "UTC"),
    ("utc", "UTC"),
    ("Pacific/Chatham", "Pacific/Chatham"),
    ("america/st_johns", "America/St_Johns"),
    ("  Asia/Kolkata ", "Asia/Kolkata"),
]


@pytest.mark.parametrize(("text", "zone"), ZONES)
def test_parses_time_zones(text: str, zone: str) -> None:
    assert parse_timezone(text) == zone


@pytest.mark.parametrize("text", ["Mars/Olympus", "", "localtime", "Europe", "../etc/passwd"])
def test_refuses_unknown_zones(text: str) -> None:
    with pytest.raises(InputProblem, match="America/New_York"):
        parse_timezone(text)


def test_suggests_the_full_zone_name() -> None:
    with pytest.raises(InputProblem, match="Did you mean Europe/London"):
        parse_timezone("London")


LOCATIONS = [
    ("51.5074,-0.1278", (51.5074, -0.1278)),
    ("51.5074, -0.1278", (51.5074, -0.1278)),
    ("51.5074 -0.1278", (51.5074, -0.1278)),
    ("-33.8568,151.2153", (-33.8568, 151.2153)),
    ("90,180", (90.0, 180.0)),
    ("+10.5,-180", (10.5, -180.0)),
]


@pytest.mark.parametrize(("text", "expected"), LOCATIONS)
def test_parses_locations(text: str, expected: tuple[float, float]) -> None:
    assert parse_location(text) == expected


@pytest.mark.parametrize(
    "text", ["91,0", "0,181", "nan,0", "inf,0", "51.5", "", "51.5,-0.1,3", "1e1,2", "a,b"]
)
def test_refuses_bad_locations(text: str) -> None:
    with pytest.raises(InputProblem, match="latitude,longitude"):
        parse_location(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20", 20), ("1", 1), ("500", 500), ("off", None), ("None", None), ("0", None),
     ("no limit", None), ("unlimited", None), (" 12 ", 12)],
)  # fmt: skip
def test_parses_capacity(text: str, expected: int | None) -> None:
    assert parse_capacity(text) == expected


@pytest.mark.parametrize("text", ["501", "-1", "2.5", "twenty", "", "1" * 50])
def test_refuses_bad_capacity(text: str) -> None:
    with pytest.raises(InputProblem, match="1 to 500"):
        parse_capacity(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("on", True), ("ON", True), ("yes", True), ("true", True), ("off", False),
     ("no", False), ("False", False)],
)  # fmt: skip
def test_parses_switches(text: str, expected: bool) -> None:
    assert parse_switch(text) is expected


@pytest.mark.parametrize("text", ["maybe", "", "2", "onn"])
def test_refuses_bad_switches(text: str) -> None:
    with pytest.raises(InputProblem, match="on or off"):
        parse_switch(text)


PLACES = [
    ("Track gate, Victoria Park", "Track gate, Victoria Park"),
    ("  Track   gate\n Victoria\tPark ", "Track gate Victoria Park"),
    ("Café du Parc 🏃‍♀️", "Café du Parc 🏃‍♀️"),
    ("Cafe\u0301", "Café"),
    ("x" * 200, "x" * 200),
]


@pytest.mark.parametrize(("text", "expected"), PLACES)
def test_parses_places(text: str, expected: str) -> None:
    assert parse_place(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "where to meet"), (" \n ", "where to meet"), ("x" * 201, "200"),
     ("Gate\x00B", "control"), ("Gate \u202eB", "control"), ("Gate \ud800", "control")],
)  # fmt: skip
def test_refuses_bad_places(text: str, fragment: str) -> None:
    with pytest.raises(InputProblem, match=fragment):
        parse_place(text)


def test_setting_keys_cover_the_set_command() -> None:
    assert list(SETTING_KEYS) == [
        "day", "time", "tz", "place", "location", "announce", "reminder", "duration",
        "capacity", "guests", "board", "tolerance", "spread",
    ]  # fmt: skip
    for name, key in SETTING_KEYS.items():
        assert key.name == name and key.description and key.example


def test_setting_examples_are_valid() -> None:
    keys = SETTING_KEYS
    parse_weekday(keys["day"].example)
    parse_clock(keys["time"].example)
    parse_timezone(keys["tz"].example)
    parse_place(keys["place"].example)
    parse_location(keys["location"].example)
    parse_capacity(keys["capacity"].example)
    parse_switch(keys["guests"].example)
    parse_tolerance(keys["tolerance"].example)
    parse_spread(keys["spread"].example)


@pytest.mark.parametrize(
    ("text", "percent"),
    [("2%", 2.0), ("2", 2.0), ("1.5 %", 1.5), ("0.5", 0.5), ("10 percent", 10.0), ("１.５%", 1.5)],
)
def test_tolerance(text: str, percent: float) -> None:
    assert parse_tolerance(text) == percent


@pytest.mark.parametrize("text", ["0", "0.4%", "11%", "-1", "nan", "2.555", "", "2 %%", "0.02"])
def test_refuses_bad_tolerances(text: str) -> None:
    with pytest.raises(InputProblem, match=r"e\.g\. 2%"):
        parse_tolerance(text)


@pytest.mark.parametrize(
    ("text", "seconds"), [("10", 10), ("10s", 10), ("10 s/km", 10), ("5 sec per km", 5), ("60", 60)]
)
def test_spread(text: str, seconds: int) -> None:
    assert parse_spread(text) == seconds


@pytest.mark.parametrize("text", ["0", "61", "1.5", "-1", "nan", "", "10 min", "10/mi"])
def test_refuses_bad_spreads(text: str) -> None:
    with pytest.raises(InputProblem, match=r"e\.g\. 10"):
        parse_spread(text)


PARSERS: list[Callable[[str], object]] = [
    parse_weekday,
    parse_clock,
    parse_timezone,
    parse_location,
    parse_capacity,
    parse_switch,
    parse_place,
    parse_tolerance,
    parse_spread,
]
NASTY = [
    "",
    "\x00",
    "\ud800",
    "a" * 100_000,
    "1" + " " * 50_000 + "x",  # would backtrack quadratically without length caps
    "'; DROP TABLE clubs; --",
    "<b>bold</b>",
    "\u202eevil",
    "💩",
    "NaN",
    "-0",
    "１８:３０",
    "\n\n",
]


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings_never_crash(parser: Callable[[str], object], text: str) -> None:
    _returns_or_problem(parser, text)


@given(st.text(max_size=60), st.sampled_from(PARSERS))
def test_any_text_never_crashes(text: str, parser: Callable[[str], object]) -> None:
    _returns_or_problem(parser, text)


def _returns_or_problem(parser: Callable[[str], object], text: str) -> None:
    try:
        result = parser(text)
    except InputProblem as problem:
        assert problem.message and len(problem.message) <= 200
        assert not any(is_unsafe(char) for char in problem.message)
        problem.message.encode("utf-8")
        return
    if isinstance(result, str):
        result.encode("utf-8")
        assert not any(is_unsafe(char) for char in result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", (time(9, 0), 1)),
        ("09:00 next day", (time(9, 0), 1)),
        ("21:30 same day", (time(21, 30), 0)),
        ("7:00 +2", (time(7, 0), 2)),
        ("7:00 +3 days", (time(7, 0), 3)),
    ],
)
def test_board_time_and_day(text: str, expected: tuple[time, int]) -> None:
    assert parse_board(text) == expected


@pytest.mark.parametrize(
    "text", ["", "soon", "25:00", "09:00 tomorrow", "09:00 +7", "9 +1", "x" * 500]
)
def test_bad_board_times_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(InputProblem) as problem:
        parse_board(text)
    assert "/set board" in problem.value.message
