"""Daniels' training paces (E, M, T, I, R) from a VDOT.

Each zone is a share of VDOT turned into a speed with the oxygen-cost curve, as in Daniels'
Running Formula (3rd ed., ch. 4-5; tables generated from Daniels & Gilbert's equations):

- E (easy): 63 % to 74 % of VDOT. The book names 59-74 %; its pace table's slow end sits at
  about 63 %, and the table is what coaches read. The E target is the middle, 68.5 %.
- M (marathon): the runner's equivalent marathon race pace.
- T (threshold): 88 %.
- I (interval): 97.5 % (the book: 95-100 %, "vVO2max").
- R (repetition): 6 s per 400 m faster than I, Daniels' rule of thumb.

Against the book's table (tests/domain/data/daniels_training_paces.csv): T and I within
1 s/km; E ends within 8 s/km; M is the marathon race pace of Table 5.1, which the pace table
follows within 1 s/km from VDOT 45 up but below that lists up to 12 s/km slower; R per
400 m within 1 s from VDOT 50 up, up to 3.5 s slower below (the book widens the I-R gap
to 8 s per 400 there).
"""

from dataclasses import dataclass

from domain.amounts import MILE
from domain.equivalents import equivalent_time_ms
from domain.race_distance import RACE_METERS
from domain.vdot import velocity_at

EASY_SLOW = 0.63
EASY_FAST = 0.74
THRESHOLD = 0.88
INTERVAL = 0.975
R_FASTER_PER_KM = 6.0 * 1000 / 400
_MILE_KM = float(MILE) / 1000


@dataclass(frozen=True)
class Pace:
    """A pace kept in seconds per km, shown per mile when a runner prefers miles."""

    seconds_per_km: float

    @property
    def seconds_per_mile(self) -> float:
        return self.seconds_per_km * _MILE_KM


@dataclass(frozen=True)
class TrainingPaces:
    """One runner's paces; ``easy`` is the middle of the easy range."""

    easy_slow: Pace
    easy: Pace
    easy_fast: Pace
    marathon: Pace
    threshold: Pace
    interval: Pace
    repetition: Pace

    def zone(self, name: str) -> Pace:
        """The pace for ``E``, ``M``, ``T``, ``I`` or ``R``."""
        zones = {
            "E": self.easy,
            "M": self.marathon,
            "T": self.threshold,
            "I": self.interval,
            "R": self.repetition,
        }
        if name not in zones:
            raise ValueError(f"unknown training zone {name!r}")
        return zones[name]


def training_paces(vdot_value: float) -> TrainingPaces:
    """Every zone's pace for a runner of this VDOT."""
    interval = _at(INTERVAL, vdot_value)
    return TrainingPaces(
        easy_slow=_at(EASY_SLOW, vdot_value),
        easy=_at((EASY_SLOW + EASY_FAST) / 2, vdot_value),
        easy_fast=_at(EASY_FAST, vdot_value),
        marathon=Pace(equivalent_time_ms(vdot_value, RACE_METERS["M"]) / RACE_METERS["M"]),
        threshold=_at(THRESHOLD, vdot_value),
        interval=interval,
        repetition=Pace(interval.seconds_per_km - R_FASTER_PER_KM),
    )


def _at(fraction: float, vdot_value: float) -> Pace:
    """The pace whose oxygen cost is ``fraction`` of VDOT."""
    return Pace(60_000 / velocity_at(fraction * vdot_value))
