"""Distances and durations: the units coaches type, and how amounts are written back out.

Values pass through ``Decimal`` so that ``1.5mi`` always becomes the same float and writing
it back gives ``1.5mi`` again: parsing and printing are exact inverses.
"""

from decimal import Decimal

from domain.errors import InputProblem
from domain.text import quoted
from domain.workout import Amount, Distance, Duration

MILE = Decimal("1609.344")

NUMBER_PATTERN = r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+"
CLOCK_PATTERN = r"[0-9]+:[0-9]{2}(?::[0-9]{2})?(?:\.[0-9]+)?"

DISTANCE_UNITS: dict[str, Decimal] = {
    **dict.fromkeys(("m", "meter", "meters", "metre", "metres"), Decimal(1)),
    **dict.fromkeys(
        ("k", "km", "kms", "kilometer", "kilometers", "kilometre", "kilometres"), Decimal(1000)
    ),
    **dict.fromkeys(("mi", "mile", "miles"), MILE),
}
TIME_UNITS: dict[str, Decimal] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), Decimal(1)),
    **dict.fromkeys(("min", "mins", "minute", "minutes", "'", "’", "′"), Decimal(60)),  # noqa: RUF001
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), Decimal(3600)),
}


def amount_of(value: Decimal, unit: str) -> Amount:
    """``value`` in ``unit`` (a key of DISTANCE_UNITS or TIME_UNITS) as an Amount."""
    if unit in DISTANCE_UNITS:
        return Distance(float(value * DISTANCE_UNITS[unit]))
    return Duration(float(value * TIME_UNITS[unit]))


def plain(value: Decimal) -> str:
    """Shortest fixed-point text: 800, 1.5, 0.25 — never 8E+2 or 1.50."""
    return format(value.normalize(), "f")


def exact(value: float) -> Decimal:
    """The shortest decimal that maps back to ``value``, so formatting round-trips."""
    return Decimal(repr(value))


def clock_seconds(text: str) -> Decimal:
    """``2:30`` or ``1:02:03.5`` (already matched by CLOCK_PATTERN) as seconds."""
    head, _, fraction = text.partition(".")
    fields = [int(field) for field in head.split(":")]
    if any(field >= 60 for field in fields[1:]):
        raise InputProblem(f"Minutes and seconds must be below 60 in {quoted(text)}, e.g. 2:15.")
    total = 0
    for field in fields:
        total = total * 60 + field
    return Decimal(total) + Decimal(f"0.{fraction or 0}")


def clock_text(seconds: Decimal) -> str:
    """``m:ss`` or ``h:mm:ss``, with decimals only when there are any."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    fraction = seconds - whole
    return text + plain(fraction)[1:] if fraction else text


def amount_notation(amount: Amount) -> str:
    """Compact form for the workout notation: ``800m``, ``1.5mi``, ``3km``, ``90s``, ``2:30``."""
    if isinstance(amount, Distance):
        number, unit = _distance_parts(amount.meters)
        return number + unit
    seconds = exact(amount.seconds)
    if seconds < 120:
        return f"{plain(seconds)}s"
    if seconds % 3600 == 0:
        return f"{plain(seconds / 3600)}h"
    if seconds % 60 == 0:
        return f"{plain(seconds / 60)}min"
    return clock_text(seconds)


def amount_text(amount: Amount) -> str:
    """Readable form for announcements: ``800 m``, ``1 mi``, ``90 s``, ``1 h 30 min``."""
    if isinstance(amount, Distance):
        return " ".join(_distance_parts(amount.meters))
    seconds = exact(amount.seconds)
    if seconds < 120:
        return f"{plain(seconds)} s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    pieces = [(hours, "h"), (minutes, "min"), (secs, "s")]
    return " ".join(f"{plain(value)} {unit}" for value, unit in pieces if value)


def _distance_parts(meters: float) -> tuple[str, str]:
    """Pick the unit a runner would use: miles for mile values, km from 3 km, else metres."""
    if meters.is_integer():
        if meters >= 3000 and meters % 100 == 0:
            return plain(Decimal(int(meters)) / 1000), "km"
        return str(int(meters)), "m"
    miles = plain(exact(round(meters / float(MILE), 3)))
    if float(Decimal(miles) * MILE) == meters:
        return miles, "mi"
    return plain(exact(meters)), "m"
