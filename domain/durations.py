"""Spans of time for settings such as how early to announce (``48h``, ``2d``, ``1h30m``).

Here ``m`` means minutes: nobody sets a reminder in metres.
"""

import re
from datetime import timedelta
from decimal import Decimal

from domain.errors import InputProblem
from domain.text import quoted, tidy

_UNITS = {
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7 * 24 * 60),
    **dict.fromkeys(("d", "day", "days"), 24 * 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 60),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 1),
}
_PIECE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)")
_FILLER = re.compile(r"[\s,]+|\band\b")
_MINUTE = timedelta(minutes=1)
_EXAMPLE_SPANS = [
    timedelta(hours=48),
    timedelta(hours=2),
    timedelta(minutes=90),
    timedelta(minutes=30),
]


def parse_span(text: str, *, minimum: timedelta, maximum: timedelta, what: str) -> timedelta:
    """Read ``48h``, ``2 days``, ``1h 30m``, ``90min``, ``1h30``; whole minutes only.

    ``what`` labels the setting in messages, e.g. "reminder".
    """
    example = _example(minimum, maximum)
    cleaned = tidy(text).lower()
    if not cleaned or len(cleaned) > 40:
        raise InputProblem(f"Please give a length of time, e.g. {example}.")
    minutes = _minutes(cleaned, example)
    if not minimum / _MINUTE <= minutes <= maximum / _MINUTE:
        raise InputProblem(
            f"{what[:1].upper()}{what[1:]}: please choose between {format_span(minimum)} "
            f"and {format_span(maximum)}, e.g. {example}."
        )
    return minutes * _MINUTE


def _minutes(text: str, example: str) -> int:
    total = Decimal(0)
    seen: set[int] = set()
    position = 0
    previous = 0
    while position < len(text):
        if filler := _FILLER.match(text, position):
            position = filler.end()
            continue
        piece = _PIECE.match(text, position)
        if piece is None:
            raise InputProblem(
                f"I couldn't read {quoted(text)} as a length of time, e.g. {example}."
            )
        number, unit = piece.groups()
        # "1h30": a bare number straight after hours means minutes.
        size = _UNITS.get(unit) if unit else (1 if previous == 60 else None)
        if size is None or size in seen:
            raise InputProblem(
                f"Please add a unit, e.g. {example} (d = days, h = hours, m = minutes)."
            )
        seen.add(size)
        previous = size
        total += Decimal(number) * size
        position = piece.end()
    if not seen:
        raise InputProblem(f"Please give a length of time, e.g. {example}.")
    if total != total.to_integral_value():
        raise InputProblem(f"Please use whole minutes, e.g. {example}.")
    return int(total)


def format_span(td: timedelta) -> str:
    """``2 days``, ``1 day``, ``36 h``, ``1 h 30 min``, ``45 min``."""
    if td < timedelta(0):
        raise ValueError("format_span needs a non-negative span")
    if td and td % timedelta(days=1) == timedelta(0):
        return f"{td.days} day" + ("s" if td.days > 1 else "")
    minutes, seconds = divmod(int(td.total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    pieces = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    pieces.append(f"{seconds} s" if seconds else "")
    return " ".join(piece for piece in pieces if piece) or "0 min"


def _example(minimum: timedelta, maximum: timedelta) -> str:
    """A value the user may actually type, in input syntax (``48h``, ``90m``)."""
    span = next((s for s in _EXAMPLE_SPANS if minimum <= s <= maximum), maximum)
    minutes = int(span.total_seconds()) // 60
    if minutes and minutes % (24 * 60) == 0 and minutes > 48 * 60:
        return f"{minutes // (24 * 60)}d"
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")
