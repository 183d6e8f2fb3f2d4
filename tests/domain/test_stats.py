"""Summaries: paces per split, and per-amount average, fastest, slowest, fade and consistency."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.notation import Distance, Duration, Rep, parse_workout
from domain.report import parse_report
from domain.splits_check import Checked, CheckedSplit, check_report
from domain.stats import GroupSummary, SplitPace, Summary, consistency, summarise


def _summary(report: str, workout: str | None) -> Summary:
    checked = check_report(parse_report(report), parse_workout(workout) if workout else None)
    return summarise(checked)


def test_a_six_by_800_session() -> None:
    summary = _summary("2:45 2:43 2:41 2:40 2:38 2:35", "6x800m @5K r90s")
    assert summary.splits[0] == SplitPace(0, 165_000, per_km_ms=206_250, per_mile_ms=331_927)
    (group,) = summary.groups
    assert group.fade_percent == pytest.approx(-6.0606, abs=1e-4)
    assert group.variation_percent == pytest.approx(2.0264, abs=1e-4)
    assert replace(group, fade_percent=None, variation_percent=None) == GroupSummary(
        amount=Distance(800.0),
        indexes=(0, 1, 2, 3, 4, 5),
        average_ms=160_333,
        fastest_index=5,
        slowest_index=0,
        fade_ms=-10_000,
        fade_percent=None,
        variation_percent=None,
        consistency="even",
    )
    assert (summary.run, summary.skipped, summary.total_ms) == (6, 0, 962_000)
    assert summary.per_km_ms == 200_417  # 4.8 km in 16:02


def test_a_ladder_compares_like_with_like() -> None:
    summary = _summary("75 36 74 35.5 73 35 72 34", "4x(400m, 200m) @mile r200m jog")
    four, two = summary.groups
    assert (four.amount, four.indexes, four.average_ms) == (Distance(400.0), (0, 2, 4, 6), 73_500)
    assert (four.fastest_index, four.slowest_index, four.fade_ms) == (6, 0, -3_000)
    assert four.fade_percent == pytest.approx(-4.0)
    assert (two.amount, two.indexes, two.average_ms) == (Distance(200.0), (1, 3, 5, 7), 35_125)
    assert (two.fastest_index, two.slowest_index, two.fade_ms) == (7, 1, -2_000)
    assert two.consistency == "even"
    assert summary.total_ms == 434_500
    assert summary.per_km_ms == 181_042


def test_a_mile_tempo_that_is_bang_on() -> None:
    summary = _summary("5:45 5:44 5:45", "3x1mi @T r2:00")
    (group,) = summary.groups
    assert group.consistency == "very even"
    assert (group.fade_ms, group.fastest_index, group.slowest_index) == (0, 1, 0)
    assert summary.splits[1].per_mile_ms == 344_000
    assert summary.splits[1].per_km_ms == 213_752  # 5:44/mi is 3:33.8/km


def test_a_fading_session_is_uneven() -> None:
    (group,) = _summary("2:40 2:42 2:45 2:50 2:55 3:02", "6x800m").groups
    assert group.fade_ms == 22_000
    assert group.fade_percent == pytest.approx(13.75)
    assert group.consistency == "uneven"


def test_skipped_reps_are_left_out() -> None:
    summary = _summary("2:45 x 2:41 DNF", "4x800m")
    (group,) = summary.groups
    assert (group.indexes, group.average_ms, group.fade_ms) == ((0, 2), 163_000, -4_000)
    assert (summary.run, summary.skipped, summary.total_ms) == (2, 2, 326_000)
    assert summary.splits[1] == SplitPace(1, None, None, None)


def test_one_rep_has_no_fade_or_consistency() -> None:
    (group,) = _summary("3:05 x", "2x1000m").groups
    assert (group.fade_ms, group.fade_percent, group.variation_percent) == (None, None, None)
    assert group.consistency is None
    assert group.fastest_index == group.slowest_index == 0


def test_without_a_workout_there_is_one_group_and_no_pace() -> None:
    summary = _summary("2:45 2:43 2:41", None)
    (group,) = summary.groups
    assert (group.amount, group.average_ms, group.fade_ms) == (None, 163_000, -4_000)
    assert summary.splits[0] == SplitPace(0, 165_000, None, None)
    assert summary.per_km_ms is None


def test_timed_reps_group_by_duration_without_pace() -> None:
    summary = _summary("1:00 59 1:01 1:00", "4x1min")
    (group,) = summary.groups
    assert group.amount == Duration(60.0)
    assert summary.per_km_ms is None


def test_extra_splits_form_their_own_group() -> None:
    summary = _summary("2:45 2:43 2:41 5:00", "3x800m")
    assert [group.amount for group in summary.groups] == [Distance(800.0), None]
    assert summary.groups[1].indexes == (3,)
    assert summary.per_km_ms is None


def test_a_total_alone_has_no_groups() -> None:
    summary = _summary("total 21:30", "6x800m")
    assert (summary.groups, summary.run, summary.total_ms, summary.per_km_ms) == ((), 0, 0, None)


@pytest.mark.parametrize(
    ("variation", "word"),
    [(0.0, "very even"), (1.49, "very even"), (1.5, "even"), (2.99, "even"), (3.0, "uneven"),
     (25.0, "uneven")],
)  # fmt: skip
def test_consistency_words(variation: float, word: str) -> None:
    assert consistency(variation) == word


_AMOUNTS: list[Distance | Duration | None] = [
    Distance(200.0),
    Distance(400.0),
    Duration(60.0),
    None,
]


@st.composite
def checked_reports(draw: st.DrawFn) -> Checked:
    """Checked reports over a few amounts, built directly so any times are possible."""
    entries = draw(
        st.lists(
            st.tuples(st.sampled_from(_AMOUNTS), st.none() | st.integers(1, 10_000_000)),
            max_size=20,
        )
    )
    splits = []
    for index, (amount, ms) in enumerate(entries):
        distance = amount.meters if isinstance(amount, Distance) else None
        splits.append(CheckedSplit(index, ms, None if amount is None else Rep(amount), distance))
    return Checked(tuple(splits))


@given(checked_reports())
def test_every_group_is_consistent_with_its_splits(checked: Checked) -> None:
    summary = summarise(checked)
    times = {split.index: split.ms for split in checked.splits}
    assert summary.total_ms == sum(ms for ms in times.values() if ms is not None)
    assert summary.run + summary.skipped == len(checked.splits)
    assert sum(len(group.indexes) for group in summary.groups) == summary.run
    for group in summary.groups:
        run = [times[index] for index in group.indexes]
        fastest, slowest = times[group.fastest_index], times[group.slowest_index]
        assert fastest == min(run) and slowest == max(run)  # type: ignore[type-var]
        assert fastest is not None and slowest is not None
        assert fastest <= group.average_ms <= slowest
        if len(run) == 1:
            assert group.fade_ms is None and group.consistency is None
            continue
        first, last = run[0], run[-1]
        assert first is not None and last is not None
        assert group.fade_ms == last - first
        assert group.fade_percent is not None
        assert (group.fade_ms > 0) == (group.fade_percent > 0) == (last > first)
        assert (group.fade_ms < 0) == (group.fade_percent < 0) == (last < first)
        assert group.variation_percent is not None and group.variation_percent >= 0
