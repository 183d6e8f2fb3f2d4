"""Checking reports against the workout: rep mapping, count mismatches, believable times."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InputProblem
from domain.notation import Distance, Duration, Workout, flatten_reps, parse_workout
from domain.plausible import WORLD_RECORDS, fastest_ms, slowest_ms
from domain.report import Report, parse_report
from domain.shapes import shape_text
from domain.splits_check import Checked, CheckedSplit, CountMismatch, check_report
from domain.times import format_ms
from tests.domain.strategies import workouts


def _check(report: str, workout: str | None) -> Checked:
    return check_report(parse_report(report), parse_workout(workout) if workout else None)


def test_a_six_by_800_session_matches_rep_for_rep() -> None:
    checked = _check("2:45 2:43 2:41 2:40 2:38 2:35 # windy", "6x800m @5K r90s")
    assert [split.ms for split in checked.splits] == [165_000, 163_000, 161_000, 160_000,
                                                      158_000, 155_000]  # fmt: skip
    assert [split.index for split in checked.splits] == list(range(6))
    assert {split.distance_m for split in checked.splits} == {800.0}
    assert all(split.rep is not None and split.rep.pace for split in checked.splits)
    assert checked.mismatch is None
    assert checked.note == "windy"
    assert checked.shape == "6x800m"


def test_a_ladder_maps_splits_in_running_order() -> None:
    checked = _check("75 36 74 35.5 73 35 72 34", "4x(400m, 200m) @mile r200m jog")
    assert [split.distance_m for split in checked.splits] == [400.0, 200.0] * 4
    assert checked.mismatch is None
    assert checked.shape == "4x(400m, 200m)"


def test_a_mile_tempo_knows_the_distance() -> None:
    checked = _check("5:45 5:42 5:40", "3x1mi @T r2:00")
    assert [split.distance_m for split in checked.splits] == [1609.344] * 3


def test_skipped_reps_keep_their_place() -> None:
    checked = _check("2:45 x 2:41 2:40 DNF 2:35", "6x800m")
    assert checked.splits[1] == CheckedSplit(1, None, checked.splits[1].rep, 800.0)
    assert [split.ms is None for split in checked.splits] == [False, True, False, False, True,
                                                              False]  # fmt: skip
    assert checked.mismatch is None


def test_a_short_report_covers_the_first_reps_and_asks_to_confirm() -> None:
    checked = _check("2:45 2:43", "6x800m @5K r90s")
    assert [split.distance_m for split in checked.splits] == [800.0, 800.0]
    assert checked.mismatch == CountMismatch(expected=6, given=2, shape="6 × 800 m")


def test_extra_splits_belong_to_no_rep() -> None:
    checked = _check("75 36 74 35 73 35 72 34 71", "4x(400m, 200m)")
    assert checked.splits[-1] == CheckedSplit(8, 71_000, None, None)
    assert checked.mismatch == CountMismatch(8, 9, "4 × (400 m + 200 m)")


def test_extra_splits_only_need_to_be_sane() -> None:
    assert _check("2:45 5:00:00", "1x800m").splits[1].ms == 18_000_000
    with pytest.raises(InputProblem, match=r"Split 2 must be between 1 s and 6 h"):
        _check("2:45 0.5", "1x800m")


def test_a_total_alone_is_not_a_mismatch() -> None:
    checked = _check("total 16:30", "6x800m")
    assert checked.splits == ()
    assert checked.mismatch is None
    assert checked.total_ms == 990_000


def test_without_a_workout_splits_are_taken_as_they_are() -> None:
    checked = check_report(parse_report("2:45 x 12 5:59:59 total 21:30"), None)
    assert checked.splits == (
        CheckedSplit(0, 165_000, None, None),
        CheckedSplit(1, None, None, None),
        CheckedSplit(2, 12_000, None, None),
        CheckedSplit(3, 21_599_000, None, None),
    )
    assert (checked.mismatch, checked.shape, checked.total_ms) == (None, None, 1_290_000)


@pytest.mark.parametrize("report", ["0.999", "6:00:01", "2:45 0.5"])
def test_without_a_workout_splits_must_be_sane(report: str) -> None:
    with pytest.raises(InputProblem, match=r"between 1 s and 6 h\. Example: /report"):
        check_report(parse_report(report), None)


@pytest.mark.parametrize(("report", "workout"), [("total 6:00:01", None),
                                                 ("2:45 total 0.5", "1x800m")])  # fmt: skip
def test_the_total_must_be_sane(report: str, workout: str | None) -> None:
    with pytest.raises(InputProblem, match=r"The total must be between 1 s and 6 h"):
        _check(report, workout)


def test_timed_reps_report_the_time_and_are_not_compared_with_it() -> None:
    checked = _check("1:00 59.5 1:02 3:00", "4x1min r1min")
    assert [split.rep and split.rep.amount for split in checked.splits] == [Duration(60.0)] * 4
    assert {split.distance_m for split in checked.splits} == {None}
    assert checked.shape is None
    with pytest.raises(InputProblem, match=r"Split 2 must be between 1 s and 6 h"):
        _check("1:00 0.2", "4x1min")


IMPOSSIBLE = [
    ("1:05 20", "6x400m", "Rep 2 (400 m) in 20 s would beat the world record. Please check it."),
    ("2:45 40:00", "6x800m", "Rep 2 (800 m) in 40:00 is slower than walking (20 min/km)."),
    ("3:30", "3x1mi @T", "Rep 1 (1 mi) in 3:30 would beat the world record."),
    ("75 15", "4x(400m, 200m)", "Rep 2 (200 m) in 15 s would beat the world record."),
    ("2:45 2:43 16", "2x800m + 4x200m", "Rep 3 (200 m) in 16 s would beat"),
    ("x 4.7", "3x60m strides", "Rep 2 (60 m) in 4.7 s would beat"),
    ("5:00", "2x5km", "Rep 1 (5 km) in 5:00 would beat"),
    ("2:00:01", "2x5km", "Rep 1 (5 km) in 2:00:01 is slower than walking"),
]


@pytest.mark.parametrize(("report", "workout", "message"), IMPOSSIBLE)
def test_refuses_splits_no_one_could_run(report: str, workout: str, message: str) -> None:
    with pytest.raises(InputProblem) as caught:
        _check(report, workout)
    assert message in caught.value.message
    assert "Example: /report" in caught.value.message


@pytest.mark.parametrize(("metres", "seconds"), WORLD_RECORDS)
def test_world_records_themselves_are_believable(metres: float, seconds: float) -> None:
    record_ms = round(seconds * 1000)
    assert abs(fastest_ms(metres) - seconds * 0.95 * 1000) <= 1
    assert fastest_ms(metres) < record_ms < slowest_ms(metres)
    assert fastest_ms(metres) > record_ms * 0.9


BOUNDS = [  # metres, fastest believable, slowest believable (20 min/km)
    (60, "4.8", "1:12"),
    (100, "9.101", "2:00"),
    (400, "40.878", "8:00"),
    (800, "1:35.864", "16:00"),
    (1609.344, "3:31.973", "32:11.213"),
    (5000, "11:57.592", "1:40:00"),
    (100_000, "4:31:29.252", "33:20:00"),
]


@pytest.mark.parametrize(("metres", "fastest", "slowest"), BOUNDS)
def test_bounds_for_common_distances(metres: float, fastest: str, slowest: str) -> None:
    assert (format_ms(fastest_ms(metres)), format_ms(slowest_ms(metres))) == (fastest, slowest)


@given(st.floats(10, 100_000), st.floats(10, 100_000))
def test_longer_reps_never_have_a_lower_bound_below_shorter_ones(a: float, b: float) -> None:
    short, long = sorted((a, b))
    assert fastest_ms(short) <= fastest_ms(long)
    assert slowest_ms(short) <= slowest_ms(long)
    assert fastest_ms(long) < slowest_ms(long)


@given(st.sampled_from([200.0, 400.0, 800.0, 1000.0, 1609.344]), st.integers(1, 2_000_000))
def test_a_split_is_accepted_exactly_within_the_bounds(metres: float, ms: int) -> None:
    workout = parse_workout(f"{metres}m")
    within = fastest_ms(metres) <= ms <= slowest_ms(metres)
    try:
        checked = check_report(Report((ms,)), workout)
    except InputProblem:
        assert not within
    else:
        assert within
        assert checked.splits[0].distance_m == metres


SHAPES = [
    ("6x800m @5K r90s", "6 × 800 m"),
    ("4x(400m, 200m) @mile r200m jog", "4 × (400 m + 200 m)"),
    ("3x1mi @T r2:00", "3 × 1 mi"),
    ("2x(4x400m @R r60s) 4min between sets", "2 sets of 4 × 400 m"),
    ("2x1mi @T r2min + 4x200m @R r200m", "2 × 1 mi, then 4 × 200 m"),
    ("400, 800, 1200, 800, 400 @5K r2min", "400 m + 800 m + 1200 m + 800 m + 400 m"),
    ("10x200m hills", "10 × 200 m hills"),
    ("10x1min r1min", "10 × 60 s"),
]


@pytest.mark.parametrize(("workout", "text"), SHAPES)
def test_describes_the_expected_reps_without_paces_or_recoveries(workout: str, text: str) -> None:
    assert shape_text(parse_workout(workout)) == text


@settings(max_examples=60, deadline=None)
@given(workouts(), st.lists(st.none() | st.integers(1, 3_600_000), max_size=12))
def test_any_workout_and_splits_give_a_checked_report_or_an_input_problem(
    workout: Workout, splits: list[int | None]
) -> None:
    report = Report(tuple(splits), total_ms=None if splits else 60_000)
    try:
        checked = check_report(report, workout)
    except InputProblem as problem:
        assert "Example: /report" in problem.message
        return
    reps = flatten_reps(workout)
    assert [split.ms for split in checked.splits] == splits
    for split, rep in zip(checked.splits, reps, strict=False):
        assert split.rep == rep
        assert split.distance_m == (rep.amount.meters if isinstance(rep.amount, Distance) else None)
    assert (checked.mismatch is None) == (not splits or len(splits) == len(reps))
