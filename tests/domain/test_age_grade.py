"""WMA age grading: shipped tables against the published ones, arithmetic against examples."""

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import age_grade as ag
from domain.age_grade import AgeGrade, age_grade, age_on, grade
from domain.errors import InputProblem
from domain.times import parse_time_ms

DATA = Path(__file__).with_name("data")
ROAD_COLUMNS = {
    "1 Mile": 1609.344,
    "5 km": 5000.0,
    "6 km": 6000.0,
    "4 Mile": 6437.376,
    "8 km": 8000.0,
    "5 Mile": 8046.72,
    "5 MIle": 8046.72,
    "10 km": 10000.0,
    "12 km": 12000.0,
    "15 km": 15000.0,
    "10 Mile": 16093.44,
    "20 km": 20000.0,
    "H. Mar": 21097.5,
    "25 km": 25000.0,
    "30 km": 30000.0,
    "Marathon": 42195.0,
}


def _lines(name: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8") as file:
        return [line for line in file if not line.startswith("#")]


def _published(sex: str) -> dict[float, tuple[float, list[float]]]:
    """Published 2020 road table: metres -> (open standard s, factors for ages 5..100)."""
    rows = list(csv.reader(_lines(("Male" if sex == "M" else "Female") + "RoadStd2020.csv")))
    header, standards = rows[0], rows[2]
    ages = rows[3:]
    assert [int(row[0]) for row in ages] == list(range(5, 101))
    return {
        ROAD_COLUMNS[name]: (float(standards[j]), [float(row[j]) for row in ages])
        for j, name in enumerate(header)
        if name in ROAD_COLUMNS
    }


@pytest.mark.parametrize("sex", ["M", "F"])
def test_shipped_road_factors_are_the_published_2020_tables(sex: ag.Sex) -> None:
    for meters, (standard, factors) in _published(sex).items():
        for age, factor in enumerate(factors, start=5):
            result = age_grade(meters, 1_000_000, age, sex)
            assert result.factor == pytest.approx(factor, rel=1e-12)
            assert result.age_standard_ms * factor / 1000 == pytest.approx(standard, abs=1e-3)


EXAMPLES = list(csv.DictReader(_lines("age_grade_examples.csv")))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda row: f"{row['source']} {row['time']}")
def test_published_worked_examples_within_0_1_percent(example: dict[str, str]) -> None:
    result = grade(
        parse_time_ms(example["time"]), float(example["standard_s"]), float(example["factor"])
    )
    if example["percent"]:
        assert result.percent == pytest.approx(float(example["percent"]), abs=0.1)
    if example["graded"]:
        graded = parse_time_ms(example["graded"])
        assert result.graded_ms == pytest.approx(graded, rel=0.001)


@pytest.mark.parametrize(
    ("sex", "age", "time", "percent"),
    [
        # athlib 0.9.8 AgeGrader.calculate_age_grade docstring, same 2020 road tables.
        ("M", 50, "16:23", 89.17),
        ("F", 50, "18:00", 91.59),
    ],
)
def test_end_to_end_against_athlib_documentation(
    sex: ag.Sex, age: int, time: str, percent: float
) -> None:
    result = age_grade(5000, parse_time_ms(time), age, sex)
    assert result.percent == pytest.approx(percent, abs=0.01)


def test_a_table_distance_uses_its_row() -> None:
    result = age_grade(42195, parse_time_ms("3:00:00"), 60, "M")
    assert result.factor == pytest.approx(0.8144)
    assert result.percent == pytest.approx(7299 / 0.8144 / 10_800 * 100)
    assert result == AgeGrade(
        result.percent, round(10_800_000 * 0.8144), result.factor, round(7299 / 0.8144 * 1000)
    )


INTERIOR = [6000.0, 6437.376, 8000.0, 8046.72, 12000.0, 15000.0, 16093.44, 20000.0, 25000.0]


@pytest.mark.parametrize("sex", ["M", "F"])
@pytest.mark.parametrize("meters", INTERIOR)
def test_power_law_interpolation_recovers_a_left_out_row(sex: ag.Sex, meters: float) -> None:
    """Each inner row predicted from its two neighbours: within 0.7 % for ages 18-80."""
    rows = ag._rows(sex)
    k = [row.meters for row in rows].index(meters)
    low, row, high = rows[k - 1], rows[k], rows[k + 1]
    u = ag._share(low.meters, high.meters, meters)
    for age in range(18, 81):
        guess = ag._blend(low.age_standard_s(age), high.age_standard_s(age), u)
        assert guess == pytest.approx(row.age_standard_s(age), rel=0.007)


times = st.integers(120_000, 6 * 3600_000)


@given(st.floats(800, 42195), times, st.integers(5, 100), st.sampled_from(["M", "F"]))
def test_grade_is_the_age_standard_over_the_time(
    meters: float, time: int, age: int, sex: ag.Sex
) -> None:
    result = age_grade(meters, time, age, sex)
    assert 0 < result.factor <= 1
    assert result.percent == pytest.approx(result.age_standard_ms / time * 100, rel=1e-3)
    assert result.graded_ms == round(time * result.factor)
    slower = age_grade(meters, time + 1000, age, sex)
    assert slower.percent < result.percent


@given(st.floats(800, 42194), st.integers(5, 100), st.sampled_from(["M", "F"]))
def test_age_standards_grow_with_distance(meters: float, age: int, sex: ag.Sex) -> None:
    shorter = age_grade(meters, 1_000_000, age, sex).age_standard_ms
    longer = age_grade(meters + 1, 1_000_000, age, sex).age_standard_ms
    assert shorter <= longer


@pytest.mark.parametrize(
    ("meters", "age", "message"),
    [(5000, 4, "ages 5 to 100"), (5000, 101, "ages 5 to 100"), (400, 40, "800 m")],
)
def test_refuses_what_the_tables_do_not_cover(meters: float, age: int, message: str) -> None:
    with pytest.raises(InputProblem, match=message):
        age_grade(meters, 1_000_000, age, "M")


@pytest.mark.parametrize(
    ("race", "born", "age"),
    [(date(2025, 1, 1), 1975, 50), (date(2025, 12, 31), 1975, 50), (date(2025, 6, 1), 2000, 25)],
)
def test_age_on_race_day_from_a_birth_year(race: date, born: int, age: int) -> None:
    assert age_on(race, born) == age
