"""Pace references: the names coaches write after ``@`` and their canonical forms.

Race paces: 800, 1500, mile, 3K, 5K, 10K, HM (half marathon), M (marathon).
Zones: E (easy), T (threshold), I (interval), R (repetition).
Explicit paces keep the style the coach used: ``3:20/km``, ``5:20/mi``, ``75s`` or ``1:15``
per rep, so the bot shows them back the same way.
"""

import re
from decimal import Decimal
from typing import Literal

from domain.amounts import CLOCK_PATTERN, MILE, NUMBER_PATTERN, clock_seconds, clock_text, plain
from domain.errors import InputProblem
from domain.text import quoted
from domain.workout import PaceRef

RACES = ("800", "1500", "mile", "3K", "5K", "10K", "HM", "M")
ZONES = ("E", "T", "I", "R")

_RACE_WORDS = {
    **dict.fromkeys(("mile", "mi"), "mile"),
    **dict.fromkeys(("hm", "hmp", "half", "halfmarathon"), "HM"),
    **dict.fromkeys(("m", "mp", "mar", "marathon"), "M"),
}
_ZONE_WORDS = {
    **dict.fromkeys(("e", "easy"), "E"),
    **dict.fromkeys(("t", "tempo", "threshold"), "T"),
    **dict.fromkeys(("i", "interval", "intervals"), "I"),
    **dict.fromkeys(("r", "rep", "reps", "repetition"), "R"),
}
_RACE_METRES = {
    Decimal(800): "800",
    Decimal(1500): "1500",
    MILE: "mile",
    Decimal(3000): "3K",
    Decimal(5000): "5K",
    Decimal(10000): "10K",
}
# Sanity ranges in seconds, so typos like @3:20/mi for a km pace are still accepted
# but @0:05/km is not.
_LIMITS = {"per_km": (60, 1200), "per_mile": (90, 1920), "per_rep": (1, 3600)}
_SUFFIX = {"per_km": "/km", "per_mile": "/mi"}
_HUMAN_RACES = {
    "800": "800 m",
    "1500": "1500 m",
    "HM": "half-marathon",
    "M": "marathon",
}

ExplicitKind = Literal["per_km", "per_mile", "per_rep"]


def named_pace(word: str) -> PaceRef | None:
    """``mile``, ``hmp``, ``T``, ``tempo``… (lower-cased) as a pace, or None."""
    if word in _RACE_WORDS:
        return PaceRef("race", _RACE_WORDS[word])
    if word in _ZONE_WORDS:
        return PaceRef("zone", _ZONE_WORDS[word])
    return None


def race_at(metres: Decimal) -> PaceRef | None:
    """The race run over ``metres`` (``@5K``, ``@3000``, ``@1mi``), or None."""
    name = _RACE_METRES.get(metres)
    return None if name is None else PaceRef("race", name)


def explicit_pace(kind: ExplicitKind, seconds: Decimal, *, clock_style: bool) -> PaceRef:
    """An explicit pace with its canonical name; ``clock_style`` picks ``1:15`` over ``75s``."""
    if kind == "per_rep":
        name = clock_text(seconds) if clock_style else f"{plain(seconds)}s"
    else:
        name = clock_text(seconds) + _SUFFIX[kind]
    low, high = _LIMITS[kind]
    if not low <= seconds <= high:
        raise InputProblem(
            f"The pace {quoted(name)} looks wrong. Examples: @3:20/km, @5:20/mi, @75s"
        )
    return PaceRef(kind, name, float(seconds))


def is_canonical(pace: PaceRef) -> bool:
    """True when ``pace`` is exactly what the parser would produce for its name."""
    if pace.kind == "race":
        return pace.name in RACES and pace.seconds is None
    if pace.kind == "zone":
        return pace.name in ZONES and pace.seconds is None
    try:
        return _from_name(pace.kind, pace.name) == pace
    except InputProblem:
        return False


def _from_name(kind: ExplicitKind, name: str) -> PaceRef | None:
    if kind != "per_rep":
        text = name.removesuffix(_SUFFIX[kind])
        if not re.fullmatch(CLOCK_PATTERN, text):
            return None
        return explicit_pace(kind, clock_seconds(text), clock_style=True)
    if re.fullmatch(CLOCK_PATTERN, name):
        return explicit_pace(kind, clock_seconds(name), clock_style=True)
    number = name.removesuffix("s")
    if not re.fullmatch(NUMBER_PATTERN, number):
        return None
    return explicit_pace(kind, Decimal(number), clock_style=False)


def pace_notation(pace: PaceRef) -> str:
    """``@5K``, ``@T``, ``@3:20/km``, ``@75s``."""
    return "@" + pace.name


def pace_text(pace: PaceRef) -> str:
    """``at 5K pace``, ``at marathon pace``, ``at 3:20/km``, ``in 75 s``, ``in 1:15``."""
    if pace.kind == "race":
        return f"at {_HUMAN_RACES.get(pace.name, pace.name)} pace"
    if pace.kind == "zone":
        return f"at {pace.name} pace"
    if pace.kind == "per_rep":
        return "in " + (pace.name[:-1] + " s" if pace.name.endswith("s") else pace.name)
    return "at " + pace.name
