"""Personal bests: fastest rep per distance, best average per workout shape, shape keys."""

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.bests import (
    AverageBest,
    Bests,
    Previous,
    RepBest,
    RepTime,
    SessionRecord,
    find_bests,
    marks,
    session_record,
    standing,
)
from domain.notation import Block, Distance, Rep, Workout, parse_workout
from domain.report import parse_report
from domain.shapes import shape_key
from domain.splits_check import Checked, CheckedSplit, check_report
from tests.domain.strategies import workouts

JAN, FEB, MAR = date(2025, 1, 7), date(2025, 2, 4), date(2025, 3, 4)
MILE = 1609.344


def _checked(report: str, workout: str | None = "6x800m @5K r90s") -> Checked:
    return check_report(parse_report(report), parse_workout(workout) if workout else None)


def _record(day: date, report: str, workout: str | None = "6x800m @5K r90s") -> SessionRecord:
    return session_record(_checked(report, workout), day)


SHAPE_KEYS = [
    ("6x800m @5K r90s", "6x800m"),
    ("6x800m @3:00/km r2min", "6x800m"),
    ("6 x 0.8km", "6x800m"),
    ("6x1km @10K r1min", "6x1000m"),
    ("4x(400m, 200m) @mile r200m jog", "4x(400m, 200m)"),
    ("4x(400m @mile, 200m @800)", "4x(400m, 200m)"),
    ("3x1mi @T r2:00", "3x1mi"),
    ("2x(4x400m @R r60s) 4min between sets", "2x(4x400m)"),
    ("400, 800, 1200, 800, 400 @5K r2min", "400m, 800m, 1200m, 800m, 400m"),
    ("2x1mi @T r2min + 4x200m @R r200m", "2x1mi + 4x200m"),
    ("10x200m hills", "10x200m hills"),
    ('6x1km "on grass" @10K', '6x1000m "on grass"'),
    ("1200m @5K", "1200m"),
    ("20min @T", None),
    ("10x1min r1min", None),
    ("2x1mi @T + 10x1min", None),
]


@pytest.mark.parametrize(("workout", "key"), SHAPE_KEYS)
def test_shape_keys_ignore_paces_and_recoveries(workout: str, key: str | None) -> None:
    assert shape_key(parse_workout(workout)) == key


def _without_paces_or_recoveries(block: Block) -> Block:
    items = tuple(
        replace(item, pace=None) if isinstance(item, Rep) else _without_paces_or_recoveries(item)
        for item in block.items
    )
    return replace(block, items=items, pace=None, recovery=None, set_recovery=None)


@settings(max_examples=60, deadline=None)
@given(workouts())
def test_shape_keys_are_stable_readable_notation(workout: Workout) -> None:
    key = shape_key(workout)
    bare = Workout(tuple(_without_paces_or_recoveries(part) for part in workout.parts))
    assert shape_key(bare) == key
    if key is not None:
        assert shape_key(parse_workout(key)) == key


def test_a_first_session_sets_every_best() -> None:
    bests = find_bests([], _checked("2:45 2:43 2:41 2:40 2:38 2:35"))
    assert bests == Bests(
        reps=(RepBest(800.0, 155_000, index=5, previous=None),),
        average=AverageBest("6x800m", 160_333, previous=None),
    )
    assert bests.reps[0].first and bests.average is not None and bests.average.first


def test_a_faster_week_beats_the_previous_bests() -> None:
    history = [
        _record(JAN, "2:48 2:46 2:45 2:44 2:43 2:40"),
        _record(FEB, "2:46 2:44 2:43 2:42 2:40 2:36"),
    ]
    bests = find_bests(history, _checked("2:45 2:43 2:41 2:40 2:38 2:35"))
    assert bests.reps == (RepBest(800.0, 155_000, 5, Previous(156_000, FEB)),)
    assert bests.average == AverageBest("6x800m", 160_333, Previous(161_833, FEB))
    assert not bests.reps[0].first


def test_ties_are_not_bests() -> None:
    history = [_record(JAN, "2:45 2:43 2:41 2:40 2:38 2:35")]
    assert find_bests(history, _checked("2:35 2:38 2:40 2:41 2:43 2:45")) == Bests((), None)


def test_a_tied_best_dates_from_the_first_time_it_was_run() -> None:
    history = [_record(FEB, "2:40 2:40 x"), _record(JAN, "2:40 2:42 x")]
    (best,) = find_bests(history, _checked("2:39 x x")).reps
    assert best.previous == Previous(160_000, JAN)


def test_the_first_of_equal_fastest_reps_is_the_best() -> None:
    (best,) = find_bests([], _checked("2:41 2:38 2:38 2:40 x x")).reps
    assert best.index == 1


def test_a_set_with_skipped_reps_has_no_average_but_its_reps_count() -> None:
    checked = _checked("2:45 x 2:41 2:40 2:38 2:30")
    bests = find_bests([_record(JAN, "2:40 2:40 2:40 2:40 2:40 2:40")], checked)
    assert bests.reps == (RepBest(800.0, 150_000, 5, Previous(160_000, JAN)),)
    assert bests.average is None
    assert session_record(checked, FEB).shape is None


def test_a_short_report_has_no_average() -> None:
    checked = _checked("2:30 2:31")
    assert checked.mismatch is not None
    assert find_bests([], checked).average is None


def test_incomplete_sets_do_not_count_as_earlier_averages() -> None:
    history = [_record(JAN, "2:30 2:30 2:30 2:30 2:30 x"), _record(FEB, "2:30 2:30")]
    bests = find_bests(history, _checked("2:45 2:43 2:41 2:40 2:38 2:35"))
    assert bests.average == AverageBest("6x800m", 160_333, None)
    assert bests.reps == ()


def test_other_shapes_share_rep_bests_but_not_averages() -> None:
    history = [_record(JAN, "2:30 2:30 2:30 2:30 2:30", "5x800m @3K r2min")]
    bests = find_bests(history, _checked("2:45 2:43 2:41 2:40 2:38 2:35", "6x800m r60s"))
    assert bests.reps == ()
    assert bests.average == AverageBest("6x800m", 160_333, None)


def test_paces_and_recoveries_do_not_change_the_shape() -> None:
    history = [_record(JAN, "2:45 2:45 2:45 2:45 2:45 2:45", "6x800m @5K r2min")]
    bests = find_bests(history, _checked("2:44 2:44 2:44 2:44 2:44 2:44", "6x800m @3K r90s"))
    assert bests.average == AverageBest("6x800m", 164_000, Previous(165_000, JAN))


def test_a_ladder_sets_a_best_for_each_distance() -> None:
    history = [_record(JAN, "74 35 x x x x x x", "4x(400m, 200m)")]
    bests = find_bests(history, _checked("75 36 74 35.5 73 35 72 34", "4x(400m, 200m) @mile"))
    assert bests.reps == (
        RepBest(400.0, 72_000, 6, Previous(74_000, JAN)),
        RepBest(200.0, 34_000, 7, Previous(35_000, JAN)),
    )
    assert bests.average == AverageBest("4x(400m, 200m)", 54_312, None)  # 54312.5 to even


def test_mile_reps_are_their_own_distance() -> None:
    history = [_record(JAN, "5:50 5:48 5:45", "3x1mi @T r2:00")]
    bests = find_bests(history, _checked("5:45 5:42 5:40", "3x1mi @T r2:00"))
    assert bests.reps == (RepBest(MILE, 340_000, 2, Previous(345_000, JAN)),)
    assert bests.average == AverageBest("3x1mi", 342_333, Previous(347_667, JAN))


def test_hill_reps_only_count_for_their_shape() -> None:
    checked = _checked("30 29 29 28", "4x200m downhill")
    bests = find_bests([], checked)
    assert bests == Bests((), AverageBest("4x200m downhill", 29_000, None))
    assert {rep.distance_m for rep in session_record(checked, JAN).reps} == {None}


def test_timed_reps_and_free_reports_set_no_bests() -> None:
    assert find_bests([], _checked("1:00 59 1:01", "3x1min")) == Bests((), None)
    assert find_bests([], _checked("2:45 2:43", None)) == Bests((), None)


def test_extra_splits_count_for_no_distance() -> None:
    bests = find_bests([], _checked("2:45 2:43 1:00", "2x800m"))
    assert bests == Bests((RepBest(800.0, 163_000, 1, None),), None)


def test_a_stored_record_keeps_the_reps_and_the_shape_of_a_complete_set() -> None:
    record = _record(MAR, "75 36 74 35", "2x(400m, 200m)")
    assert record == SessionRecord(
        MAR,
        "2x(400m, 200m)",
        (RepTime(400.0, 75_000), RepTime(200.0, 36_000), RepTime(400.0, 74_000),
         RepTime(200.0, 35_000)),
    )  # fmt: skip


def test_a_shape_is_only_recorded_for_a_complete_set() -> None:
    with pytest.raises(ValueError, match="complete set"):
        SessionRecord(JAN, "2x800m", (RepTime(800.0, 160_000), RepTime(800.0, None)))
    with pytest.raises(ValueError, match="complete set"):
        SessionRecord(JAN, "2x800m", ())


def _reps(distance: float, times: list[int | None]) -> Checked:
    rep = Rep(Distance(distance))
    return Checked(tuple(CheckedSplit(i, ms, rep, distance) for i, ms in enumerate(times)))


_DISTANCES = st.sampled_from([400.0, 800.0, 1000.0, MILE])
_TIMES = st.lists(st.none() | st.integers(30_000, 600_000), min_size=1, max_size=8)
_HISTORY = st.lists(st.tuples(st.dates(), _DISTANCES, _TIMES), max_size=10)


def _history(entries: list[tuple[date, float, list[int | None]]]) -> list[SessionRecord]:
    return [session_record(_reps(distance, times), day) for day, distance, times in entries]


@given(_HISTORY, _DISTANCES, st.integers(1, 5_000), _TIMES)
def test_a_strictly_faster_rep_is_always_a_best(
    entries: list[tuple[date, float, list[int | None]]],
    distance: float,
    faster_by: int,
    others: list[int | None],
) -> None:
    earlier = [ms for _, d, times in entries if d == distance for ms in times if ms is not None]
    best = min(earlier, default=700_000) - faster_by
    bests = find_bests(_history(entries), _reps(distance, [*others, best]))
    found = {rep.distance_m: rep for rep in bests.reps}[distance]
    assert found.ms <= best
    assert found.first == (not earlier)
    if found.previous is not None:
        assert found.previous.ms == min(earlier)


@given(_HISTORY, _DISTANCES, _TIMES)
def test_a_rep_no_faster_than_before_is_never_a_best(
    entries: list[tuple[date, float, list[int | None]]], distance: float, times: list[int | None]
) -> None:
    earlier = [ms for _, d, past in entries if d == distance for ms in past if ms is not None]
    bests = find_bests(_history(entries), _reps(distance, times))
    run = [ms for ms in times if ms is not None]
    if earlier and run and min(run) >= min(earlier):
        assert bests.reps == ()
    for rep in bests.reps:
        assert rep.ms == min(run) and times[rep.index] == rep.ms
        assert not earlier or rep.ms < min(earlier)


_SHAPES = st.sampled_from([None, "6x800m", "6x400m"])
_RECORDS = st.lists(st.tuples(st.dates(), _DISTANCES, _TIMES, _SHAPES), max_size=12)


def _ordered_history(
    entries: list[tuple[date, float, list[int | None], str | None]],
) -> list[SessionRecord]:
    """Records in the order run; a shape only on complete sets, as stored."""
    return [
        SessionRecord(
            day,
            shape if all(ms is not None for ms in times) else None,
            tuple(RepTime(distance, ms) for ms in times),
        )
        for day, distance, times, shape in sorted(entries, key=lambda entry: entry[0])
    ]


@given(_RECORDS, _DISTANCES, _TIMES, _SHAPES)
def test_the_marks_before_a_report_find_the_bests_every_earlier_rep_finds(
    entries: list[tuple[date, float, list[int | None], str | None]],
    distance: float,
    times: list[int | None],
    shape: str | None,
) -> None:
    history = _ordered_history(entries)
    checked = replace(_reps(distance, times), shape=shape)
    found = marks(history)
    for cut in range(len(history) + 1):
        before = [(history[index].day, mark) for index, mark in found if index < cut]
        summary = {_kind(record): (record.reps[0].ms, record.day) for record in standing(before)}
        assert summary == _fastest_of_each_kind(history[:cut])
        assert find_bests(standing(before), checked) == find_bests(history[:cut], checked)


def _kind(record: SessionRecord) -> tuple[float | None, str | None]:
    return (record.reps[0].distance_m if record.shape is None else None, record.shape)


def _fastest_of_each_kind(
    history: list[SessionRecord],
) -> dict[tuple[float | None, str | None], tuple[int | None, date]]:
    """The reference: every rep and every complete set's average, fastest first run."""
    fastest: dict[tuple[float | None, str | None], tuple[int | None, date]] = {}
    for record in history:
        timed = [rep.ms for rep in record.reps if rep.ms is not None]
        kinds: list[tuple[tuple[float | None, str | None], int | None]] = [
            ((rep.distance_m, None), rep.ms) for rep in record.reps if rep.distance_m
        ]
        if record.shape is not None:
            kinds.append(((None, record.shape), round(sum(timed) / len(timed))))
        for kind, ms in kinds:
            if ms is not None and (kind not in fastest or (ms, record.day) < fastest[kind]):
                fastest[kind] = (ms, record.day)
    return fastest


def test_marks_keep_only_reports_that_beat_every_earlier_one() -> None:
    history = [
        _record(JAN, "2:40 " * 6),
        _record(FEB, "2:42 " * 6),  # slower: no mark
        _record(MAR, "2:41 2:39 2:41 2:41 2:41 2:41"),  # a faster 800 m, a slower average
    ]
    assert [(index, mark.distance_m, mark.shape, mark.ms) for index, mark in marks(history)] == [
        (0, 800.0, None, 160_000),
        (0, None, "6x800m", 160_000),
        (2, 800.0, None, 159_000),
    ]


def test_a_tie_keeps_the_day_the_best_was_first_run() -> None:
    history = [_record(JAN, "2:40 " * 6), _record(FEB, "2:40 " * 6)]
    before = [(history[index].day, mark) for index, mark in marks(history)]
    assert {record.day for record in standing(before)} == {JAN}
