"""Personal bests from plain records, so the database layer only stores and loads rows.

Two kinds, both in integer ms:

* **Best rep per distance:** the fastest single rep of each distance (400 m, 800 m,
  1 mi, …) over all reports, whatever the workout. Timed reps have no distance and don't
  count; nor do reps whose note puts them on hills, stairs, sand or a treadmill, as their
  times don't compare with the flat (a downhill 400 m is no PB).
* **Best average per shape:** the mean rep time of a complete set of one shape
  (``domain.shapes.shape_key``, e.g. ``6x800m``). Only complete sets count — every rep of
  the workout timed, none skipped, none extra — as an average of 5 reps out of 6 flatters.

A time is a PB only when strictly faster than every earlier one: a tie is not. The first
time for a distance or a shape is a PB too, flagged ``first``. The history must not hold
the report being judged: an edited report replaces its record.
"""

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.splits_check import Checked, CheckedSplit

OFF_THE_FLAT = frozenset({"hill", "hills", "uphill", "downhill", "stairs", "sand", "treadmill"})


@dataclass(frozen=True)
class RepTime:
    """One rep of a stored report; ``ms`` None when skipped.

    ``distance_m`` is the distance the time counts for, None when it counts for none
    (a timed rep, an extra split, a hill rep).
    """

    distance_m: float | None
    ms: int | None


@dataclass(frozen=True)
class SessionRecord:
    """One earlier report, as plain data the database can keep in two tables.

    ``shape`` is set only for a complete set, whose reps are then all timed.
    """

    day: date
    shape: str | None
    reps: tuple[RepTime, ...]

    def __post_init__(self) -> None:
        if self.shape is not None and (not self.reps or any(r.ms is None for r in self.reps)):
            raise ValueError("a shape is recorded only for a complete set")


@dataclass(frozen=True)
class Previous:
    """The best before this report, and the day it was first run."""

    ms: int
    day: date


@dataclass(frozen=True)
class RepBest:
    """A new fastest rep over ``distance_m``; ``index`` is its place in the report."""

    distance_m: float
    ms: int
    index: int
    previous: Previous | None

    @property
    def first(self) -> bool:
        """The first time this distance was reported: a PB with nothing to beat."""
        return self.previous is None


@dataclass(frozen=True)
class AverageBest:
    """A new best average rep time for a complete set of ``shape``."""

    shape: str
    ms: int
    previous: Previous | None

    @property
    def first(self) -> bool:
        """The first complete set of this shape: a PB with nothing to beat."""
        return self.previous is None


@dataclass(frozen=True)
class Bests:
    """Every PB one report sets: fastest reps in report order, and the shape average."""

    reps: tuple[RepBest, ...]
    average: AverageBest | None


@dataclass(frozen=True)
class Mark:
    """A best as it stood from one report on: strictly faster than every earlier one.

    Either a distance best (``distance_m`` set: the report's fastest rep over it) or an
    average best (``shape`` set: the mean of a complete set of that shape).
    """

    distance_m: float | None
    shape: str | None
    ms: int


def marks(history: Iterable[SessionRecord]) -> list[tuple[int, Mark]]:
    """The bests a history set, in order, each with the index of the report that set it.

    ``history`` must be in the order the reports were run. The best before any report
    is then the fastest mark of its kind set before it, dated by that report: exactly
    what ``find_bests`` finds among every earlier rep. So a store can keep only marks
    (a handful per runner and kind) and still date every PB as the full history would.
    """
    standing: dict[tuple[float | None, str | None], int] = {}
    found: list[tuple[int, Mark]] = []
    for index, record in enumerate(history):
        kinds: list[tuple[tuple[float | None, str | None], int]] = [
            ((distance, None), ms) for distance, ms in _fastest_reps(record.reps).items()
        ]
        if record.shape is not None:
            kinds.append(((None, record.shape), _average(record.reps)))
        for kind, ms in kinds:
            if kind not in standing or ms < standing[kind]:
                standing[kind] = ms
                found.append((index, Mark(kind[0], kind[1], ms)))
    return found


def standing(marks_so_far: Iterable[tuple[date, Mark]]) -> list[SessionRecord]:
    """The history ``find_bests`` needs, from the marks set before a report (dated by
    the day they were set): the fastest of each kind, the earliest day on a tie."""
    fastest: dict[tuple[float | None, str | None], tuple[int, date]] = {}
    for day, mark in marks_so_far:
        kind = (mark.distance_m, mark.shape)
        fastest[kind] = min(fastest.get(kind, (mark.ms, day)), (mark.ms, day))
    return [
        SessionRecord(day, shape, (RepTime(distance, ms),))
        for (distance, shape), (ms, day) in fastest.items()
    ]


def _fastest_reps(reps: Iterable[RepTime]) -> dict[float, int]:
    """The fastest timed rep of each counted distance."""
    fastest: dict[float, int] = {}
    for rep in reps:
        if rep.distance_m is not None and rep.ms is not None:
            fastest[rep.distance_m] = min(fastest.get(rep.distance_m, rep.ms), rep.ms)
    return fastest


def session_record(checked: Checked, day: date) -> SessionRecord:
    """What to store of a checked report so later reports can be compared with it."""
    return SessionRecord(day, _complete_shape(checked), _rep_times(checked))


def find_bests(history: Iterable[SessionRecord], checked: Checked) -> Bests:
    """The PBs ``checked`` sets against the runner's earlier reports."""
    past = list(history)
    reps: list[RepBest] = []
    for index, distance, ms in _fastest_per_distance(checked):
        previous = _best(
            (record.day, rep.ms)
            for record in past
            for rep in record.reps
            if rep.distance_m == distance and rep.ms is not None
        )
        if previous is None or ms < previous.ms:
            reps.append(RepBest(distance, ms, index, previous))
    return Bests(tuple(reps), _average_best(past, checked))


def _average_best(past: list[SessionRecord], checked: Checked) -> AverageBest | None:
    shape = _complete_shape(checked)
    if shape is None:
        return None
    ms = _average(_rep_times(checked))
    previous = _best(
        (record.day, _average(record.reps)) for record in past if record.shape == shape
    )
    return AverageBest(shape, ms, previous) if previous is None or ms < previous.ms else None


def _fastest_per_distance(checked: Checked) -> list[tuple[int, float, int]]:
    """(index, distance, ms) of the first fastest rep of each distance, in report order."""
    fastest: dict[float, tuple[int, float, int]] = {}
    for split, rep in zip(checked.splits, _rep_times(checked), strict=True):
        if rep.distance_m is not None and rep.ms is not None:
            best = fastest.get(rep.distance_m)
            if best is None or rep.ms < best[2]:
                fastest[rep.distance_m] = (split.index, rep.distance_m, rep.ms)
    return sorted(fastest.values())


def _best(results: Iterable[tuple[date, int]]) -> Previous | None:
    """The fastest result, dated by the first day it was run."""
    best = min(results, key=lambda result: (result[1], result[0]), default=None)
    return None if best is None else Previous(best[1], best[0])


def _complete_shape(checked: Checked) -> str | None:
    complete = checked.mismatch is None and all(split.ms is not None for split in checked.splits)
    return checked.shape if complete and checked.splits else None


def _rep_times(checked: Checked) -> tuple[RepTime, ...]:
    return tuple(RepTime(_counted_distance(split), split.ms) for split in checked.splits)


def _counted_distance(split: CheckedSplit) -> float | None:
    note = split.rep.note if split.rep is not None else None
    if note is not None and OFF_THE_FLAT & set(re.findall(r"[a-z]+", note.lower())):
        return None
    return split.distance_m


def _average(reps: Iterable[RepTime]) -> int:
    """Mean rep time of a complete set, rounded to the ms as in ``domain.stats``."""
    return round(statistics.fmean(rep.ms for rep in reps if rep.ms is not None))
