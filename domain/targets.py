"""Per-runner targets: one line of workout notation, everyone's own splits.

A race pace (``@5K``) is the runner's equivalent time at that race, a zone (``@T``) their
training pace, and an explicit pace (``@3:20/km``, ``@75s``) is the same for everybody.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from domain.amounts import MILE
from domain.equivalents import equivalent_time_ms
from domain.race_distance import RACE_METERS
from domain.training_paces import training_paces
from domain.workout import PaceRef

Key = TypeVar("Key")
Verdict = Literal["on target", "too fast", "too slow"]
_MILE_KM = float(MILE) / 1000


@dataclass(frozen=True)
class Target:
    """What one rep should come to.

    A distance rep's target is ``ms`` (its ``meters`` are the rep's own); a timed rep's target
    is ``meters`` (its ``ms`` is the rep's duration). ``depends_on_benchmark`` is False for
    explicit paces, which are the same for every runner.
    """

    ms: int
    meters: float
    seconds_per_km: float
    depends_on_benchmark: bool


@dataclass(frozen=True)
class SplitCheck:
    """How a split compares with its target; ``off_ms`` < 0 means faster."""

    verdict: Verdict
    off_ms: int
    off_percent: float


def target_ms(
    pace: PaceRef,
    rep_distance_m: float | None,
    rep_duration_s: float | None,
    benchmark_vdot: float,
) -> Target | None:
    """The target for one rep, or None when the pace says nothing new about it.

    That is a time per rep (``@75s``) on a timed rep. Exactly one of ``rep_distance_m`` and
    ``rep_duration_s`` must be given.
    """
    if (rep_distance_m is None) == (rep_duration_s is None):
        raise ValueError("give exactly one of rep_distance_m and rep_duration_s")
    for amount in (rep_distance_m, rep_duration_s):
        if amount is not None and not (math.isfinite(amount) and amount > 0):
            raise ValueError("a rep's distance or duration must be positive and finite")
    if pace.kind == "per_rep":
        if rep_distance_m is None:
            return None
        seconds = _explicit_seconds(pace)
        return Target(round(seconds * 1000), rep_distance_m, seconds / rep_distance_m * 1000, False)
    per_km = _seconds_per_km(pace, benchmark_vdot)
    depends = pace.kind in ("race", "zone")
    if rep_distance_m is not None:
        return Target(round(per_km * rep_distance_m), rep_distance_m, per_km, depends)
    assert rep_duration_s is not None
    return Target(round(rep_duration_s * 1000), rep_duration_s / per_km * 1000, per_km, depends)


def compare_split(split_ms: int, target: int, tolerance: float = 0.02) -> SplitCheck:
    """On target within ``tolerance`` (a fraction of the target), else too fast or too slow."""
    if split_ms <= 0 or target <= 0 or not 0 <= tolerance < 1:
        raise ValueError("compare_split needs positive times and a tolerance in [0, 1)")
    off = split_ms - target
    verdict: Verdict = "on target"
    if abs(off) > tolerance * target:
        verdict = "too fast" if off < 0 else "too slow"
    return SplitCheck(verdict, off, off * 100 / target)


def pace_groups(
    runners: Sequence[tuple[Key, float]], max_spread_s_per_km: float = 10.0
) -> list[list[Key]]:
    """Runners in as few groups as possible, each spanning at most ``max_spread_s_per_km``.

    Greedy on sorted paces: a group opens at the fastest runner left and takes everyone
    within the spread of them. Optimal, because the runners who open groups are pairwise
    more than the spread apart, so any valid grouping needs a group for each of them.
    Ties keep the input order, so the result is deterministic.
    """
    if not (math.isfinite(max_spread_s_per_km) and max_spread_s_per_km >= 0):
        raise ValueError("max_spread_s_per_km must be a non-negative number")
    if not all(math.isfinite(pace) and pace > 0 for _, pace in runners):
        raise ValueError("paces must be positive and finite")
    order = sorted(range(len(runners)), key=lambda i: runners[i][1])
    groups: list[list[Key]] = []
    opened_at = -math.inf
    for i in order:
        key, pace = runners[i]
        if pace - opened_at > max_spread_s_per_km:
            groups.append([])
            opened_at = pace
        groups[-1].append(key)
    return groups


def _seconds_per_km(pace: PaceRef, benchmark_vdot: float) -> float:
    if pace.kind == "race":
        if pace.name not in RACE_METERS:
            raise ValueError(f"unknown race {pace.name!r}")
        meters = RACE_METERS[pace.name]
        return equivalent_time_ms(benchmark_vdot, meters) / meters
    if pace.kind == "zone":
        return training_paces(benchmark_vdot).zone(pace.name).seconds_per_km
    seconds = _explicit_seconds(pace)
    return seconds / _MILE_KM if pace.kind == "per_mile" else seconds


def _explicit_seconds(pace: PaceRef) -> float:
    if pace.seconds is None or not pace.seconds > 0:
        raise ValueError(f"explicit pace {pace.name!r} has no time")
    return pace.seconds
