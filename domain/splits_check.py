"""Checking a report against the session's workout, rep by rep.

* With a structured workout, split *i* is the *i*-th rep of ``flatten_reps`` in running
  order (``4x(400m,200m)`` gives 400, 200, 400, 200, …). A short report covers the first
  reps — a runner who missed one in the middle writes ``x`` for it — and splits beyond the
  last rep belong to no rep. Either way ``Checked.mismatch`` is set so the bot can ask the
  runner to confirm; it is not an error. A report with only a total has no splits to map
  and no mismatch.
* A split for a distance rep must be believable for the distance (``domain.plausible``):
  the first one that is not is refused with the reason.
* Timed reps (``10x1min``) are reported as the time run, which should be about the rep's
  duration. They are not compared with it (a runner may stop early or carry on), only held
  to the sanity bounds below, and they get no pace.
* Splits with no rep (no structured workout, or extra splits) and the total must be
  1 s to 6 h. The total is kept as given: it may or may not include the recoveries.
"""

from dataclasses import dataclass

from domain.amounts import amount_text
from domain.errors import InputProblem
from domain.plausible import SLOWEST_MS_PER_KM, fastest_ms, slowest_ms
from domain.report import EXAMPLE, TOTAL_EXAMPLE, Report
from domain.shapes import shape_key, shape_text
from domain.times import format_ms
from domain.workout import Distance, Rep, Workout, flatten_reps

SANITY_MS = (1000, 6 * 3600 * 1000)


@dataclass(frozen=True)
class CheckedSplit:
    """One reported split (``ms`` None when skipped) and the rep it belongs to, if any.

    ``index`` counts from 0 in running order; ``distance_m`` is set for distance reps only.
    """

    index: int
    ms: int | None
    rep: Rep | None
    distance_m: float | None


@dataclass(frozen=True)
class CountMismatch:
    """The report has a different number of splits than the workout has reps.

    ``shape`` describes the reps expected, e.g. ``6 × 800 m`` or ``4 × (400 m + 200 m)``.
    """

    expected: int
    given: int
    shape: str


@dataclass(frozen=True)
class Checked:
    """A report whose splits are matched to reps and believable.

    ``shape`` is the workout's ``shape_key``: None without a workout or with timed reps.
    """

    splits: tuple[CheckedSplit, ...]
    mismatch: CountMismatch | None = None
    total_ms: int | None = None
    note: str | None = None
    shape: str | None = None


def check_report(report: Report, workout: Workout | None) -> Checked:
    """Match splits to reps in order; InputProblem for the first split that can't be true."""
    reps = flatten_reps(workout) if workout is not None else []
    splits = tuple(
        _checked_split(index, ms, reps[index] if index < len(reps) else None)
        for index, ms in enumerate(report.splits)
    )
    if report.total_ms is not None and not _sane(report.total_ms):
        raise InputProblem(f"The total must be between 1 s and 6 h. {TOTAL_EXAMPLE}")
    mismatch = None
    if workout is not None and report.splits and len(report.splits) != len(reps):
        mismatch = CountMismatch(len(reps), len(report.splits), shape_text(workout))
    shape = shape_key(workout) if workout is not None else None
    return Checked(splits, mismatch, report.total_ms, report.note, shape)


def _checked_split(index: int, ms: int | None, rep: Rep | None) -> CheckedSplit:
    distance = rep.amount.meters if rep is not None and isinstance(rep.amount, Distance) else None
    if ms is not None:
        if distance is not None:
            _check_pace(index, ms, distance)
        elif not _sane(ms):
            raise InputProblem(f"Split {index + 1} must be between 1 s and 6 h. {EXAMPLE}")
    return CheckedSplit(index, ms, rep, distance)


def _check_pace(index: int, ms: int, distance_m: float) -> None:
    rep = f"Rep {index + 1} ({amount_text(Distance(distance_m))}) in {_seconds_text(ms)}"
    if ms < fastest_ms(distance_m):
        raise InputProblem(f"{rep} would beat the world record. Please check it. {EXAMPLE}")
    if ms > slowest_ms(distance_m):
        walk = f"{SLOWEST_MS_PER_KM // 60_000} min/km"
        raise InputProblem(f"{rep} is slower than walking ({walk}). Please check it. {EXAMPLE}")


def _sane(ms: int) -> bool:
    return SANITY_MS[0] <= ms <= SANITY_MS[1]


def _seconds_text(ms: int) -> str:
    """``20 s`` rather than a bare ``20``; ``2:45`` reads as a time already."""
    text = format_ms(ms)
    return f"{text} s" if ms < 60_000 else text
