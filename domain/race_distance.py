"""Race distances and times as runners write them: ``5K``, ``half``, ``1500``, ``10 miles``.

A runner's benchmark race sets every target they get, so it is read strictly: bare numbers
are metres, small bare numbers are refused with a hint rather than guessed, and only the
range the VDOT model covers (800 m to the marathon) is accepted.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.amounts import DISTANCE_UNITS, MILE, NUMBER_PATTERN, plain
from domain.equivalents import equivalent_time_ms
from domain.errors import InputProblem
from domain.text import quoted, tidy
from domain.times import format_ms, parse_time_ms
from domain.vdot import MAX_VDOT, MIN_VDOT, vdot

# Metres of the races a pace can name (``@5K``, ``@HM``); keys match domain.paces.RACES.
RACE_METERS: dict[str, float] = {
    "800": 800.0,
    "1500": 1500.0,
    "mile": float(MILE),
    "3K": 3000.0,
    "5K": 5000.0,
    "10K": 10000.0,
    "HM": 21097.5,
    "M": 42195.0,
}
_RACE_NAMES = {
    "800": "800 m",
    "1500": "1500 m",
    "mile": "mile",
    "3K": "3K",
    "5K": "5K",
    "10K": "10K",
    "HM": "half marathon",
    "M": "marathon",
}
_WORDS = {
    **dict.fromkeys(("mile", "onemile"), "mile"),
    **dict.fromkeys(("half", "hm", "halfmarathon", "halfmara"), "HM"),
    **dict.fromkeys(("m", "mar", "marathon", "fullmarathon", "full"), "M"),
}
_NUMBER = re.compile(rf"(?P<number>{NUMBER_PATTERN})(?P<unit>[a-z]*)")
# "42.2k", "26.2mi" and "13.1 miles" are the marathon and half: snap within 0.5 %.
_SNAP = 0.005
_MIN_M = 800.0
_MAX_M = 42195.0 * (1 + _SNAP)
_EXAMPLES = "Examples: 5K, 10K, half, marathon, 1500, mile, 5mi"


@dataclass(frozen=True)
class RaceDistance:
    """A race length in metres and the name to show it by (``5K``, ``half marathon``)."""

    meters: float
    name: str


def parse_race_distance(text: str) -> RaceDistance:
    """``5k``, ``1.5k``, ``800m``, ``1500``, ``mile``, ``1mi``, ``half``, ``HM``, ``10 miles``."""
    cleaned = tidy(text)
    if not cleaned:
        raise InputProblem(f"Please give a race distance. {_EXAMPLES}")
    key = re.sub(r"[\s\-_]", "", cleaned.lower())
    if key in _WORDS:
        return _standard(_WORDS[key])
    match = _NUMBER.fullmatch(key) if len(key) <= 20 else None
    if match is None or (match["unit"] and match["unit"] not in DISTANCE_UNITS):
        raise InputProblem(f"I couldn't read {quoted(cleaned)} as a race distance. {_EXAMPLES}")
    number = Decimal(match["number"])
    unit = match["unit"] or "m"
    meters = float(number * DISTANCE_UNITS[unit])
    if meters < _MIN_M:
        raise InputProblem(_too_short(number, match["unit"]))
    if meters > _MAX_M:
        raise InputProblem(f"Races up to the marathon work here. {_EXAMPLES}")
    for race, race_meters in RACE_METERS.items():
        if abs(meters - race_meters) <= _SNAP * race_meters:
            return _standard(race)
    return RaceDistance(meters, _name(number, DISTANCE_UNITS[unit]))


def parse_distance_and_time(tokens: Sequence[str]) -> tuple[RaceDistance, int]:
    """``5K 24:30``, ``24:30 5K``, ``half marathon in 1:45:00``: the distance and time (ms)."""
    words = list(tokens)
    if ":" in words[0] and ":" not in words[-1]:  # "24:30 5K": the time came first
        words = [*words[1:], words[0]]
    time_text, distance_words = words[-1], words[:-1]
    if len(distance_words) > 1 and distance_words[-1].lower() in ("in", "="):
        distance_words = distance_words[:-1]
    distance = parse_race_distance(" ".join(distance_words))
    return distance, parse_race_time(time_text, distance)


def parse_race_time(text: str, distance: RaceDistance) -> int:
    """A finish time in ms for ``distance``, refused when no runner could run it."""
    ms = parse_time_ms(text)
    score = vdot(distance.meters, ms)
    if score > MAX_VDOT:
        raise InputProblem(
            f"{format_ms(ms)} for the {distance.name} would beat the world record. "
            "Please check the time, e.g. 24:30 for a 5K."
        )
    if score < MIN_VDOT:
        slowest = format_ms(equivalent_time_ms(MIN_VDOT, distance.meters) // 1000 * 1000)
        raise InputProblem(
            f"{format_ms(ms)} for the {distance.name} is slower than walking pace; "
            f"times up to {slowest} work here."
        )
    return ms


def _standard(race: str) -> RaceDistance:
    return RaceDistance(RACE_METERS[race], _RACE_NAMES[race])


def _too_short(number: Decimal, unit: str) -> str:
    """A hint for the usual slips: ``5`` or ``5m`` meant as km or miles."""
    shown = plain(number)
    if unit in ("", "m") and 1 <= number <= 50:
        return f"Is that {shown} km or {shown} miles? Write {shown}K or {shown}mi. {_EXAMPLES}"
    return f"Races from 800 m up work here. {_EXAMPLES}"


def _name(number: Decimal, unit_meters: Decimal) -> str:
    """Show a distance in the unit it was given in: ``8K``, ``5 mi``, ``3200 m``."""
    if unit_meters == MILE:
        return f"{plain(number)} mi"
    if unit_meters == 1000:
        return f"{plain(number)}K"
    return f"{plain(number)} m"
