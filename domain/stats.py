"""Summary of a checked report: the pace of each rep, and how even the reps were.

Times only compare between reps of the same amount — a 200 m is not "faster" than a
400 m — so average, fastest, slowest, fade and consistency are worked out per group of
reps with the same amount, in order of first appearance: one group for ``6x800m``, two
for ``4x(400m,200m)``. Splits that belong to no rep (no structured workout, or extra
splits) form one group of their own. Skipped reps are left out everywhere.

* **Fade:** the group's last run rep minus its first, in ms and as a percentage of the
  first; positive means the runner slowed down.
* **Consistency:** the coefficient of variation of the group's run reps (population
  standard deviation over the mean — these reps, not an estimate of others), in %. Below
  1.5 % is "very even" (a spread of about 2.5 s on 800 m reps at 2:45), below 3 % "even",
  otherwise "uneven". Fade and consistency need at least two run reps.
"""

import math
import statistics
from dataclasses import dataclass
from typing import Literal

from domain.amounts import MILE
from domain.splits_check import Checked, CheckedSplit
from domain.workout import Amount

Consistency = Literal["very even", "even", "uneven"]
VERY_EVEN_BELOW_PERCENT = 1.5
EVEN_BELOW_PERCENT = 3.0
MILE_M = float(MILE)


@dataclass(frozen=True)
class SplitPace:
    """One split with its pace, when both the time and the distance are known."""

    index: int
    ms: int | None
    per_km_ms: int | None
    per_mile_ms: int | None


@dataclass(frozen=True)
class GroupSummary:
    """Statistics for the run reps of one amount (``Distance(800)``; None for no rep).

    Indexes count from 0 over the whole report, like ``CheckedSplit.index``.
    """

    amount: Amount | None
    indexes: tuple[int, ...]
    average_ms: int
    fastest_index: int
    slowest_index: int
    fade_ms: int | None
    fade_percent: float | None
    variation_percent: float | None
    consistency: Consistency | None


@dataclass(frozen=True)
class Summary:
    """The whole report: per-split paces, per-amount groups and overall totals.

    ``total_ms`` adds up the run splits; ``per_km_ms`` is the overall pace, set only when
    every run rep has a known distance.
    """

    splits: tuple[SplitPace, ...]
    groups: tuple[GroupSummary, ...]
    run: int
    skipped: int
    total_ms: int
    per_km_ms: int | None


def summarise(checked: Checked) -> Summary:
    """Paces, per-amount statistics and totals for a checked report."""
    run = [_Run(split.ms, split) for split in checked.splits if split.ms is not None]
    groups: dict[Amount | None, list[_Run]] = {}
    for rep in run:
        groups.setdefault(rep.split.rep.amount if rep.split.rep else None, []).append(rep)
    total = sum(rep.ms for rep in run)
    metres = [rep.split.distance_m for rep in run if rep.split.distance_m is not None]
    per_km = round(total * 1000 / math.fsum(metres)) if run and len(metres) == len(run) else None
    return Summary(
        splits=tuple(_pace(split) for split in checked.splits),
        groups=tuple(_group(amount, reps) for amount, reps in groups.items()),
        run=len(run),
        skipped=len(checked.splits) - len(run),
        total_ms=total,
        per_km_ms=per_km,
    )


def consistency(variation_percent: float) -> Consistency:
    """The plain word for a coefficient of variation."""
    if variation_percent < VERY_EVEN_BELOW_PERCENT:
        return "very even"
    if variation_percent < EVEN_BELOW_PERCENT:
        return "even"
    return "uneven"


@dataclass(frozen=True)
class _Run:
    """A split that was run, with its time known to be set."""

    ms: int
    split: CheckedSplit


def _pace(split: CheckedSplit) -> SplitPace:
    if split.ms is None or split.distance_m is None:
        return SplitPace(split.index, split.ms, None, None)
    per_metre = split.ms / split.distance_m
    return SplitPace(split.index, split.ms, round(per_metre * 1000), round(per_metre * MILE_M))


def _group(amount: Amount | None, reps: list[_Run]) -> GroupSummary:
    times = [rep.ms for rep in reps]
    mean = statistics.fmean(times)
    fade = variation = None
    if len(times) > 1:
        fade = times[-1] - times[0]
        variation = statistics.pstdev(times) / mean * 100
    return GroupSummary(
        amount=amount,
        indexes=tuple(rep.split.index for rep in reps),
        average_ms=round(mean),
        fastest_index=min(reps, key=lambda rep: rep.ms).split.index,
        slowest_index=max(reps, key=lambda rep: rep.ms).split.index,
        fade_ms=fade,
        fade_percent=None if fade is None else fade / times[0] * 100,
        variation_percent=variation,
        consistency=None if variation is None else consistency(variation),
    )
