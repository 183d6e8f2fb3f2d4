"""Split times: parsing what members type, and formatting them back."""

# ruff: noqa: RUF001  (look-alike characters are the point of these tests)

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InputProblem
from domain.times import MAX_MS, format_ms, format_pace, parse_time_ms

PARSED = [
    ("2:45", 165_000),
    ("2:45.3", 165_300),
    ("2:45.35", 165_350),
    ("2:45.357", 165_357),
    ("165", 165_000),
    ("163.5", 163_500),
    ("1:02:45", 3_765_000),
    ("0:58", 58_000),
    ("58.2", 58_200),
    ("58.2s", 58_200),
    ("58.2 sec", 58_200),
    ("58 S", 58_000),
    ("02:45", 165_000),
    ("62:45", 3_765_000),
    ("  2:45  ", 165_000),
    ("２:４５", 165_000),
    ("24:00:00", MAX_MS),
    ("0.01", 10),
]


@pytest.mark.parametrize(("text", "ms"), PARSED)
def test_parses_splits(text: str, ms: int) -> None:
    assert parse_time_ms(text) == ms


REFUSED = [
    "",
    "   ",
    "-2:45",
    "2:75",
    "1:60:00",
    "2:5",
    "2:45:",
    "24:00:01",
    "25:00:00",
    "99999",
    "0",
    "0:00",
    "2:45.3456",
    "2,45",
    "2m45s",
    "2:45s",
    "abc",
    "1e3",
    "nan",
    "inf",
    "٣:٤٥",
    "2:45\x00",
    "1" * 100,
]


@pytest.mark.parametrize("text", REFUSED)
def test_refuses_bad_times_with_examples(text: str) -> None:
    with pytest.raises(InputProblem) as caught:
        parse_time_ms(text)
    assert "2:45" in caught.value.message


FORMATTED = [
    (165_000, "2:45"),
    (165_300, "2:45.3"),
    (163_450, "2:43.45"),
    (163_457, "2:43.457"),
    (58_200, "58.2"),
    (58_000, "58"),
    (60_000, "1:00"),
    (3_765_000, "1:02:45"),
    (3_600_000, "1:00:00"),
    (0, "0"),
    (5, "0.005"),
]


@pytest.mark.parametrize(("ms", "text"), FORMATTED)
def test_formats_naturally(ms: int, text: str) -> None:
    assert format_ms(ms) == text


def test_format_refuses_negative() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        format_ms(-1)


@given(st.integers(1, MAX_MS // 10).map(lambda n: n * 10))
def test_format_then_parse_round_trips(ms: int) -> None:
    assert parse_time_ms(format_ms(ms)) == ms


@given(st.text(max_size=30))
def test_any_text_gives_a_time_or_an_input_problem(text: str) -> None:
    try:
        assert 0 < parse_time_ms(text) <= MAX_MS
    except InputProblem as problem:
        problem.message.encode("utf-8")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(200, "3:20/km"), (200.4, "3:20/km"), (199.6, "3:20/km"), (59.7, "1:00/km"), (330, "5:30/km")],
)
def test_formats_paces(seconds: float, text: str) -> None:
    assert format_pace(seconds) == text


@pytest.mark.parametrize("seconds", [0, -1, float("nan"), float("inf")])
def test_pace_needs_a_positive_number(seconds: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        format_pace(seconds)
