"""Per-runner targets, split checks and pace groups."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.equivalents import equivalent_time_ms
from domain.paces import RACES, ZONES
from domain.race_distance import RACE_METERS
from domain.targets import SplitCheck, Target, compare_split, pace_groups, target_ms
from domain.training_paces import training_paces
from domain.vdot import MAX_VDOT, MIN_VDOT, vdot
from domain.workout import PaceRef

vdots = st.floats(MIN_VDOT, MAX_VDOT)


@given(st.sampled_from(RACES), vdots)
def test_a_race_length_rep_at_race_pace_is_the_equivalent_time(race: str, value: float) -> None:
    meters = RACE_METERS[race]
    target = target_ms(PaceRef("race", race), meters, None, value)
    assert target is not None
    assert target.ms == equivalent_time_ms(value, meters)
    assert target.depends_on_benchmark
    assert vdot(meters, target.ms) == pytest.approx(value, abs=1e-3)


@given(st.sampled_from(RACES), vdots, st.integers(100, 3000))
def test_race_pace_scales_to_the_rep(race: str, value: float, rep: int) -> None:
    target = target_ms(PaceRef("race", race), float(rep), None, value)
    assert target is not None
    race_ms = equivalent_time_ms(value, RACE_METERS[race])
    assert target.ms == pytest.approx(race_ms * rep / RACE_METERS[race], abs=0.5)
    assert target.seconds_per_km == pytest.approx(race_ms / RACE_METERS[race])


@given(st.sampled_from(ZONES), vdots, st.integers(60, 1200))
def test_a_timed_rep_gets_a_distance_at_zone_pace(zone: str, value: float, seconds: int) -> None:
    target = target_ms(PaceRef("zone", zone), None, float(seconds), value)
    assert target is not None
    per_km = training_paces(value).zone(zone).seconds_per_km
    assert target == Target(seconds * 1000, seconds / per_km * 1000, per_km, True)


def test_four_hundreds_at_i_for_a_vdot_50_runner() -> None:
    target = target_ms(PaceRef("zone", "I"), 400, None, 50.0)
    assert target is not None
    assert target.ms == pytest.approx(93_000, abs=1500)  # Daniels: 93 s per 400 m


@pytest.mark.parametrize(
    ("pace", "meters", "ms", "per_km"),
    [
        (PaceRef("per_km", "3:20/km", 200.0), 1000.0, 200_000, 200.0),
        (PaceRef("per_km", "3:20/km", 200.0), 400.0, 80_000, 200.0),
        (PaceRef("per_mile", "5:20/mi", 320.0), 1609.344, 320_000, 320 / 1.609344),
        (PaceRef("per_rep", "75s", 75.0), 400.0, 75_000, 187.5),
    ],
)
def test_explicit_paces_ignore_the_benchmark(
    pace: PaceRef, meters: float, ms: int, per_km: float
) -> None:
    for value in (30.0, 70.0):
        target = target_ms(pace, meters, None, value)
        assert target is not None
        assert (target.ms, target.meters, target.depends_on_benchmark) == (ms, meters, False)
        assert target.seconds_per_km == pytest.approx(per_km)


def test_explicit_pace_on_a_timed_rep_is_a_distance() -> None:
    target = target_ms(PaceRef("per_km", "4:00/km", 240.0), None, 120.0, 50.0)
    assert target == Target(120_000, 500.0, 240.0, False)


def test_a_time_per_rep_says_nothing_about_a_timed_rep() -> None:
    assert target_ms(PaceRef("per_rep", "75s", 75.0), None, 180.0, 50.0) is None


@pytest.mark.parametrize(
    ("meters", "seconds"), [(None, None), (400.0, 60.0), (0.0, None), (None, float("inf"))]
)
def test_a_rep_is_a_distance_or_a_duration(meters: float | None, seconds: float | None) -> None:
    with pytest.raises(ValueError, match="rep"):
        target_ms(PaceRef("zone", "T"), meters, seconds, 50.0)


def test_unknown_pace_names_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="race"):
        target_ms(PaceRef("race", "7K"), 400.0, None, 50.0)
    with pytest.raises(ValueError, match="zone"):
        target_ms(PaceRef("zone", "X"), 400.0, None, 50.0)
    with pytest.raises(ValueError, match="no time"):
        target_ms(PaceRef("per_km", "3:20/km"), 400.0, None, 50.0)


@pytest.mark.parametrize(
    ("split", "check"),
    [
        (80_000, SplitCheck("on target", 0, 0.0)),
        (81_600, SplitCheck("on target", 1600, 2.0)),
        (78_400, SplitCheck("on target", -1600, -2.0)),
        (81_601, SplitCheck("too slow", 1601, 2.00125)),
        (76_000, SplitCheck("too fast", -4000, -5.0)),
    ],
)
def test_compare_split(split: int, check: SplitCheck) -> None:
    assert compare_split(split, 80_000) == check


def test_compare_split_with_a_tighter_tolerance() -> None:
    assert compare_split(81_000, 80_000, tolerance=0.01).verdict == "too slow"


@pytest.mark.parametrize(("split", "target", "tolerance"), [(0, 1, 0.02), (1, 0, 0.02), (1, 1, 1)])
def test_compare_split_refuses_nonsense(split: int, target: int, tolerance: float) -> None:
    with pytest.raises(ValueError, match="compare_split"):
        compare_split(split, target, tolerance)


def test_pace_groups_example() -> None:
    runners = [("ann", 300.0), ("bob", 305.0), ("cy", 311.0), ("di", 312.0), ("ed", 330.0)]
    assert pace_groups(runners) == [["ann", "bob"], ["cy", "di"], ["ed"]]
    assert pace_groups([]) == []


def test_pace_groups_ties_keep_input_order() -> None:
    assert pace_groups([("b", 300.0), ("a", 300.0), ("c", 299.0)]) == [["c", "b", "a"]]


def _fewest_groups(paces: list[float], spread: float) -> int:
    """Brute force: the smallest k such that some labelling into k groups is valid."""
    for k in range(1, len(paces) + 1):
        for labels in itertools.product(range(k), repeat=len(paces)):
            groups = [[p for p, g in zip(paces, labels, strict=True) if g == i] for i in range(k)]
            if all(max(g) - min(g) <= spread for g in groups if g):
                return k
    return 0


paces = st.lists(st.integers(180, 480).map(float), max_size=6)


@given(paces, st.sampled_from([0.0, 5.0, 10.0, 30.0]))
def test_pace_groups_are_valid_and_minimal(values: list[float], spread: float) -> None:
    groups = pace_groups(list(enumerate(values)), spread)
    assert sorted(i for group in groups for i in group) == list(range(len(values)))
    for group in groups:
        members = [values[i] for i in group]
        assert max(members) - min(members) <= spread
    assert len(groups) == _fewest_groups(values, spread)


@pytest.mark.parametrize("runners", [[("a", float("nan"))], [("a", -1.0)]])
def test_pace_groups_refuse_bad_paces(runners: list[tuple[str, float]]) -> None:
    with pytest.raises(ValueError, match="paces"):
        pace_groups(runners)


def test_pace_groups_refuse_a_negative_spread() -> None:
    with pytest.raises(ValueError, match="spread"):
        pace_groups([("a", 300.0)], -1.0)
