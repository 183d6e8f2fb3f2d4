"""Spans for settings such as the announcement lead and the reminder."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.durations import format_span, parse_span
from domain.errors import InputProblem

H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def wide(text: str) -> timedelta:
    return parse_span(text, minimum=timedelta(0), maximum=timedelta(days=14), what="the lead")


PARSED = [
    ("48h", 48 * H),
    ("2d", 48 * H),
    ("2 days", 48 * H),
    ("1 day", 24 * H),
    ("90m", 90 * MIN),
    ("90min", 90 * MIN),
    ("90 minutes", 90 * MIN),
    ("45 min", 45 * MIN),
    ("1h30m", 90 * MIN),
    ("1h 30m", 90 * MIN),
    ("1 hour 30 mins", 90 * MIN),
    ("1h30", 90 * MIN),
    ("1d12h", 36 * H),
    ("1 day and 12 hours", 36 * H),
    ("1d, 12h", 36 * H),
    ("1.5h", 90 * MIN),
    ("1w", 7 * 24 * H),
    ("0m", timedelta(0)),
    ("2H", 2 * H),
    ("  3 HRS ", 3 * H),
]


@pytest.mark.parametrize(("text", "span"), PARSED)
def test_parses_spans(text: str, span: timedelta) -> None:
    assert wide(text) == span


REFUSED = [
    ("48", "unit"),
    ("", "length of time"),
    ("soon", "couldn't read"),
    ("2 fortnights", "unit"),
    ("1h 2h", "unit"),
    ("30s", "unit"),
    ("0.01h", "whole minutes"),
    ("-2h", "couldn't read"),
    ("1" * 60, "length of time"),
    ("99999999999999999999d", "choose between"),
    ("15d", "choose between"),
]


@pytest.mark.parametrize(("text", "fragment"), REFUSED)
def test_refuses_with_hint(text: str, fragment: str) -> None:
    with pytest.raises(InputProblem) as caught:
        wide(text)
    assert fragment in caught.value.message
    assert "e.g." in caught.value.message


def test_out_of_range_names_the_setting_and_the_range() -> None:
    with pytest.raises(InputProblem) as caught:
        parse_span("10m", minimum=H, maximum=timedelta(days=7), what="reminder")
    assert caught.value.message == "Reminder: please choose between 1 h and 7 days, e.g. 48h."


def test_zero_is_refused_when_the_minimum_is_higher() -> None:
    with pytest.raises(InputProblem, match="between 15 min and 1 day"):
        parse_span("0m", minimum=15 * MIN, maximum=24 * H, what="duration")


FORMATTED = [
    (2 * 24 * H, "2 days"),
    (24 * H, "1 day"),
    (48 * H, "2 days"),
    (36 * H, "36 h"),
    (90 * MIN, "1 h 30 min"),
    (45 * MIN, "45 min"),
    (2 * H, "2 h"),
    (timedelta(0), "0 min"),
    (timedelta(seconds=90), "1 min 30 s"),
]


@pytest.mark.parametrize(("span", "text"), FORMATTED)
def test_formats_spans(span: timedelta, text: str) -> None:
    assert format_span(span) == text


@given(st.integers(0, 14 * 24 * 60))
def test_formatted_spans_parse_back(minutes: int) -> None:
    span = timedelta(minutes=minutes)
    typed = format_span(span).replace(" min", "m").replace(" h", "h").replace(" day", "d")
    assert wide(typed.replace("ds", "d")) == span


@given(st.text(max_size=45))
def test_any_text_gives_a_span_or_an_input_problem(text: str) -> None:
    try:
        wide(text)
    except InputProblem as problem:
        problem.message.encode("utf-8")
