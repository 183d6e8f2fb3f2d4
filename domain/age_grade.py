"""WMA age grading: how a race compares with the best possible for the runner's age and sex.

The factor tables ship in domain/data/wma_age_factors.csv (sources in its header): road
tables from the mile to the marathon, WMA track factors for 800 m and 1500 m. The age grade
is the age standard over the time; the age-graded time, time × factor, is the open-class
equivalent. Between two table rows, standards follow a power law (log time linear in log
distance): from the 5K and 10K rows it gives the table's own 6K and 8K standards within
0.1 %, where interpolating times linearly would be 5 % off.
"""

import bisect
import csv
import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from domain.errors import InputProblem

Sex = Literal["F", "M"]
MIN_AGE = 5
MAX_AGE = 100
_TABLE = Path(__file__).with_name("data") / "wma_age_factors.csv"


@dataclass(frozen=True)
class AgeGrade:
    """An age-graded result: ``percent`` of the age standard, ``graded_ms`` open-class time."""

    percent: float
    graded_ms: int
    factor: float
    age_standard_ms: int


@dataclass(frozen=True)
class _Row:
    meters: float
    standard_s: float
    factors: tuple[float, ...]  # ages MIN_AGE..MAX_AGE

    def age_standard_s(self, age: int) -> float:
        return self.standard_s / self.factors[age - MIN_AGE]


def age_on(race_date: date, birth_year: int) -> int:
    """Age on race day when only the birth year is known: the age turned that year.

    That is the age on race day for a 1 January birthday: until their birthday a runner is
    graded one year older than they are (a slightly kinder grade), never younger.
    """
    return race_date.year - birth_year


def age_grade(distance_m: float, time_ms: int, age: int, sex: Sex) -> AgeGrade:
    """Grade ``time_ms`` over ``distance_m`` for a runner of ``age`` and ``sex``."""
    if not MIN_AGE <= age <= MAX_AGE:
        raise InputProblem(f"Age grading covers ages {MIN_AGE} to {MAX_AGE}; the age was {age}.")
    rows = _rows(sex)
    if not rows[0].meters <= distance_m <= rows[-1].meters:
        raise InputProblem("Age grading covers races from 800 m to the marathon.")
    if time_ms <= 0:
        raise ValueError("age_grade needs a positive time")
    upper = min(bisect.bisect_left([row.meters for row in rows], distance_m), len(rows) - 1)
    lower = max(upper - 1, 0)
    u = _share(rows[lower].meters, rows[upper].meters, distance_m)
    standard = _blend(rows[lower].standard_s, rows[upper].standard_s, u)
    age_standard = _blend(rows[lower].age_standard_s(age), rows[upper].age_standard_s(age), u)
    return grade(time_ms, standard, standard / age_standard)


def grade(time_ms: int, open_standard_s: float, factor: float) -> AgeGrade:
    """The age-grade arithmetic for a table's open standard and age factor."""
    age_standard_s = open_standard_s / factor
    return AgeGrade(
        percent=age_standard_s * 1000 / time_ms * 100,
        graded_ms=round(time_ms * factor),
        factor=factor,
        age_standard_ms=round(age_standard_s * 1000),
    )


def _share(low: float, high: float, meters: float) -> float:
    """Where ``meters`` sits between two table distances, on a log scale (0 at ``low``)."""
    return 0.0 if high == low else math.log(meters / low) / math.log(high / low)


def _blend(low: float, high: float, u: float) -> float:
    """Geometric interpolation: a power law through both ends."""
    return math.exp((1 - u) * math.log(low) + u * math.log(high))


@cache
def _rows(sex: Sex) -> tuple[_Row, ...]:
    """The table rows for one sex, shortest distance first."""
    with _TABLE.open(encoding="utf-8") as table:
        lines = (line for line in table if not line.startswith("#"))
        rows = [
            _Row(
                float(record["meters"]),
                float(record["standard_s"]),
                tuple(float(record[str(age)]) for age in range(MIN_AGE, MAX_AGE + 1)),
            )
            for record in csv.DictReader(lines)
            if record["sex"] == sex
        ]
    if not rows:
        raise ValueError(f"no age factors for sex {sex!r}")
    return tuple(sorted(rows, key=lambda row: row.meters))
