"""Training paces against Daniels' pace table (Daniels' Running Formula, Table 5.2)."""

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.equivalents import equivalent_time_ms
from domain.times import parse_time_ms
from domain.training_paces import training_paces
from domain.vdot import MAX_VDOT, MIN_VDOT

DATA = Path(__file__).with_name("data")
with (DATA / "daniels_training_paces.csv").open(encoding="utf-8") as _file:
    TABLE = list(csv.DictReader(line for line in _file if not line.startswith("#")))


def _s(text: str) -> float:
    return parse_time_ms(text) / 1000


@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"VDOT {row['vdot']}")
def test_paces_match_daniels_table(row: dict[str, str]) -> None:
    vdot = float(row["vdot"])
    paces = training_paces(vdot)
    assert paces.threshold.seconds_per_km == pytest.approx(_s(row["t_km"]), abs=1)
    assert paces.interval.seconds_per_km * 0.4 == pytest.approx(_s(row["i_400"]), abs=1.5)
    if row["i_km"]:
        assert paces.interval.seconds_per_km == pytest.approx(_s(row["i_km"]), abs=1)
    assert paces.easy_fast.seconds_per_km == pytest.approx(_s(row["e_fast_km"]), abs=8)
    assert paces.easy_slow.seconds_per_km == pytest.approx(_s(row["e_slow_km"]), abs=8)
    m_tolerance = 1 if vdot >= 45 else 12.5
    assert paces.marathon.seconds_per_km == pytest.approx(_s(row["m_km"]), abs=m_tolerance)
    r_tolerance = 1 if vdot >= 50 else 3.5
    r_400 = _s(row["r_400"]) if row["r_400"] else 2 * _s(row["r_200"])
    assert paces.repetition.seconds_per_km * 0.4 == pytest.approx(r_400, abs=r_tolerance)


@given(st.floats(MIN_VDOT, MAX_VDOT))
def test_zones_are_ordered_and_m_is_marathon_race_pace(vdot: float) -> None:
    paces = training_paces(vdot)
    order = [
        paces.easy_slow,
        paces.easy,
        paces.easy_fast,
        paces.threshold,
        paces.interval,
        paces.repetition,
    ]
    seconds = [pace.seconds_per_km for pace in order]
    assert seconds == sorted(seconds, reverse=True)
    assert paces.easy_fast.seconds_per_km > paces.marathon.seconds_per_km
    assert paces.marathon.seconds_per_km > paces.threshold.seconds_per_km
    marathon_ms = equivalent_time_ms(vdot, 42195)
    assert paces.marathon.seconds_per_km == pytest.approx(marathon_ms / 42195)
    assert paces.interval.seconds_per_km - paces.repetition.seconds_per_km == 15


def test_paces_per_mile() -> None:
    paces = training_paces(50)
    assert paces.threshold.seconds_per_mile == pytest.approx(
        paces.threshold.seconds_per_km * 1.609344
    )
    assert paces.zone("T") == paces.threshold
    assert paces.zone("M") == paces.marathon
    with pytest.raises(ValueError, match="zone"):
        paces.zone("X")
