"""Parsers for ``/set <key> <value>`` values, and the list of keys for the help text."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import time
from functools import cache
from zoneinfo import available_timezones

from domain.errors import InputProblem
from domain.text import is_unsafe, quoted, tidy

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_CAPACITY = 500
MAX_PLACE_LENGTH = 200
TOLERANCE_RANGE = (0.5, 10.0)  # per cent of the target
SPREAD_RANGE = (1, 60)  # seconds per km

_CLOCK = re.compile(r"([0-9]{1,2})[:.h]([0-9]{2})")
_COORDINATE = r"[-+]?[0-9]{1,3}(?:\.[0-9]+)?"
_LOCATION = re.compile(rf"({_COORDINATE})(?:\s*[,;]\s*|\s+)({_COORDINATE})")
_PERCENT = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,2})?)\s*(?:%|percent|pc)?")
_SPREAD = re.compile(r"([0-9]{1,3})\s*(?:s|sec|secs|seconds?)?\s*(?:/\s*km|per\s+km)?")
_NO_LIMIT = frozenset({"off", "none", "no", "no limit", "unlimited", "0"})
_SWITCH = {
    **dict.fromkeys(("on", "yes", "y", "true", "enable", "enabled"), True),
    **dict.fromkeys(("off", "no", "n", "false", "disable", "disabled"), False),
}


@dataclass(frozen=True)
class SettingKey:
    """One ``/set`` key as shown in help: what it does and a value to copy."""

    name: str
    description: str
    example: str


SETTING_KEYS: dict[str, SettingKey] = {
    key.name: key
    for key in (
        SettingKey("day", "Weekday of the session", "tuesday"),
        SettingKey("time", "Start time, 24-hour local clock", "18:30"),
        SettingKey("tz", "Club time zone", "Europe/London"),
        SettingKey("place", "Where to meet", "Track gate, Victoria Park"),
        SettingKey("location", "Map pin as latitude,longitude", "51.5362,-0.0417"),
        SettingKey("announce", "How long before the start the session is announced", "48h"),
        SettingKey("reminder", "How long before the start to remind those going", "2h"),
        SettingKey("duration", "How long the session lasts", "90m"),
        SettingKey("capacity", "Most runners who can go, or off for no limit", "20"),
        SettingKey("guests", "Whether members may bring guests", "on"),
        SettingKey(
            "board",
            "When the results board goes out: a time, same/next day or +N days",
            "09:00 next day",
        ),
        SettingKey("tolerance", "How close to the target a split counts as on target", "2%"),
        SettingKey("spread", "Widest pace group, in seconds per km (/groups)", "10"),
    )
}


def parse_weekday(text: str) -> int:
    """0 = Monday … 6 = Sunday; accepts ``tue``, ``Tues``, ``thurs``, ``sundays``."""
    word = tidy(text).lower().rstrip(".")
    word = word.removesuffix("s") if word.endswith("days") else word
    if word == "weds":
        return 2
    for number, name in enumerate(WEEKDAYS):
        if 2 <= len(word) <= len(name) and name.lower().startswith(word):
            return number
    raise InputProblem(f"I don't know the day {quoted(word)}. Use a weekday, e.g. tuesday or tue.")


def weekday_name(n: int) -> str:
    """``Tuesday`` for 1."""
    return WEEKDAYS[_weekday_index(n)]


def weekday_short(n: int) -> str:
    """``Tue`` for 1."""
    return WEEKDAYS[_weekday_index(n)][:3]


def _weekday_index(n: int) -> int:
    if not 0 <= n <= 6:
        raise ValueError(f"weekday must be 0..6, not {n}")
    return n


def parse_clock(text: str) -> time:
    """24-hour wall-clock time: ``18:30``, ``6:30``, ``18.30`` or ``18h30``."""
    cleaned = tidy(text).lower()
    match = _CLOCK.fullmatch(cleaned)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InputProblem(
            f"I couldn't read {quoted(cleaned)} as a time. Use 24-hour time, e.g. 18:30."
        )
    return time(int(match[1]), int(match[2]))


@cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA names to their canonical spelling ("localtime" is machine-specific)."""
    return {
        name.lower(): name for name in available_timezones() if name not in ("localtime", "Factory")
    }


def parse_timezone(text: str) -> str:
    """A valid IANA zone in canonical case (``europe/london``, ``America/New York`` work)."""
    key = "_".join(tidy(text).split()).lower()
    if zone := _zones().get(key):
        return zone
    city = key.rsplit("/", 1)[-1]
    matches = sorted(name for lower, name in _zones().items() if lower.rsplit("/", 1)[-1] == city)
    hint = f" Did you mean {matches[0]}?" if len(key) <= 64 and matches else ""
    raise InputProblem(
        f"I don't know the time zone {quoted(text.strip())}.{hint} "
        "Use a name like America/New_York or Europe/London."
    )


def parse_location(text: str) -> tuple[float, float]:
    """``51.5074,-0.1278`` as (latitude, longitude)."""
    cleaned = tidy(text)
    match = _LOCATION.fullmatch(cleaned) if len(cleaned) <= 60 else None
    if match is not None:
        latitude, longitude = float(match[1]), float(match[2])
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            return latitude, longitude
    raise InputProblem(
        "Give the location as latitude,longitude in degrees, e.g. 51.5074,-0.1278 "
        "(latitude -90 to 90, longitude -180 to 180)."
    )


def parse_capacity(text: str) -> int | None:
    """1 to 500 runners; ``off``, ``none`` or ``0`` mean no limit (None)."""
    cleaned = " ".join(tidy(text).lower().split())
    if cleaned in _NO_LIMIT:
        return None
    if re.fullmatch(r"[0-9]{1,6}", cleaned) and 1 <= int(cleaned) <= MAX_CAPACITY:
        return int(cleaned)
    raise InputProblem(
        f"Capacity must be a number from 1 to {MAX_CAPACITY}, or off for no limit, e.g. 20."
    )


def parse_switch(text: str) -> bool:
    """``on``/``off``, ``yes``/``no``, ``true``/``false``."""
    value = _SWITCH.get(tidy(text).lower())
    if value is None:
        raise InputProblem("Please answer on or off, e.g. on.")
    return value


def parse_place(text: str) -> str:
    """The meeting point as it will be shown: single-spaced, trimmed, no control characters."""
    place = " ".join(unicodedata.normalize("NFC", text).split())
    if any(is_unsafe(char) for char in place):
        raise InputProblem(
            "The place contains hidden control characters. Example: Track gate, Victoria Park"
        )
    if not place:
        raise InputProblem("Please say where to meet, e.g. Track gate, Victoria Park.")
    if len(place) > MAX_PLACE_LENGTH:
        raise InputProblem(
            f"Please keep the place to {MAX_PLACE_LENGTH} characters, "
            "e.g. Track gate, Victoria Park."
        )
    return place


def parse_tolerance(text: str) -> float:
    """On-target tolerance in per cent: ``2%``, ``2``, ``1.5 %`` (0.5 to 10)."""
    cleaned = " ".join(tidy(text).lower().split())
    match = _PERCENT.fullmatch(cleaned) if len(cleaned) <= 20 else None
    low, high = TOLERANCE_RANGE
    if match is None or not low <= float(match[1]) <= high:
        raise InputProblem(
            f"The tolerance is a percentage from {low:g} to {high:g}, e.g. 2% "
            "(a split within 2 % of its target is on target)."
        )
    return float(match[1])


def parse_spread(text: str) -> int:
    """Widest pace group in whole seconds per km: ``10``, ``10s``, ``10 s/km`` (1 to 60)."""
    cleaned = " ".join(tidy(text).lower().split())
    match = _SPREAD.fullmatch(cleaned) if len(cleaned) <= 20 else None
    low, high = SPREAD_RANGE
    if match is None or not low <= int(match[1]) <= high:
        raise InputProblem(
            f"The spread is whole seconds per km from {low} to {high}, e.g. 10 "
            "(runners in one pace group are at most 10 s/km apart)."
        )
    return int(match[1])


BOARD_EXAMPLE = "Example: /set board 09:00 next day (or 21:00 same day, or 09:00 +2)"
_BOARD_DAYS = {"": 1, "next day": 1, "next": 1, "same day": 0, "same": 0}
_PLUS_DAYS = re.compile(r"\+([0-6])(?: days?)?")


def parse_board(text: str) -> tuple[time, int]:
    """When the results board goes out: local time and days after the session (0 to 6)."""
    cleaned = " ".join(tidy(text).lower().split())[:40]
    clock, _, rest = cleaned.partition(" ")
    try:
        at = parse_clock(clock)
    except InputProblem:
        raise InputProblem(
            f"I couldn't read the time of the results board. {BOARD_EXAMPLE}"
        ) from None
    if rest in _BOARD_DAYS:
        return at, _BOARD_DAYS[rest]
    plus = _PLUS_DAYS.fullmatch(rest)
    if plus is None:
        raise InputProblem(f"Say same day, next day or +N days after the time. {BOARD_EXAMPLE}")
    return at, int(plus[1])
