"""Split times as members report them (``2:45``, ``58.2``, ``1:02:45``), kept as integer ms.

Integers avoid float drift when splits are summed and compared with a target.
"""

import math
import re

from domain.errors import InputProblem
from domain.text import quoted, tidy

MAX_MS = 24 * 3600 * 1000
_EXAMPLES = "Examples: 2:45, 2:45.3, 58.2"
_TIME = re.compile(
    r"""
    (?: (?P<hours>[0-9]{1,2}) : (?P<minutes_h>[0-9]{2}) : (?P<seconds_h>[0-9]{2})
      | (?P<minutes>[0-9]{1,4}) : (?P<seconds_m>[0-9]{2})
      | (?P<seconds>[0-9]{1,5})
    )
    (?: \. (?P<fraction>[0-9]{1,3}) )?
    (?P<unit> \s* (?:s|sec|secs) )?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def parse_time_ms(text: str) -> int:
    """``2:45`` -> 165000; ``163.5`` and ``58.2s`` are seconds; ``1:02:45`` has hours."""
    cleaned = tidy(text)
    if not cleaned:
        raise InputProblem(f"Please give a time. {_EXAMPLES}")
    match = _TIME.fullmatch(cleaned) if len(cleaned) <= 20 else None
    if match is None or (match["unit"] and match["seconds"] is None):
        raise InputProblem(f"I couldn't read {quoted(cleaned)} as a time. {_EXAMPLES}")
    hours = int(match["hours"] or 0)
    minutes = int(match["minutes_h"] or match["minutes"] or 0)
    seconds = int(match["seconds_h"] or match["seconds_m"] or match["seconds"])
    if (seconds >= 60 and match["seconds"] is None) or (minutes >= 60 and match["hours"]):
        raise InputProblem(
            f"Minutes and seconds must be below 60 in {quoted(cleaned)}. {_EXAMPLES}"
        )
    fraction = (match["fraction"] or "").ljust(3, "0")
    total = ((hours * 60 + minutes) * 60 + seconds) * 1000 + int(fraction)
    if total == 0:
        raise InputProblem(f"A time must be more than zero. {_EXAMPLES}")
    if total > MAX_MS:
        raise InputProblem(f"A time must be under 24 hours. {_EXAMPLES}")
    return total


def format_ms(ms: int) -> str:
    """Shortest natural form: ``2:45``, ``2:45.3``, ``58.2``, ``2:43.45``, ``1:02:45``."""
    if ms < 0:
        raise ValueError("format_ms needs a non-negative number of milliseconds")
    seconds, millis = divmod(ms, 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = f"{hours}:{minutes:02d}:{secs:02d}"
    elif minutes:
        text = f"{minutes}:{secs:02d}"
    else:
        text = str(secs)
    return text + f".{millis:03d}".rstrip("0") if millis else text


def format_pace(seconds_per_km: float) -> str:
    """Pace rounded to the second, e.g. ``3:20/km``."""
    if not math.isfinite(seconds_per_km) or seconds_per_km <= 0:
        raise ValueError("format_pace needs a positive, finite number of seconds")
    minutes, secs = divmod(round(seconds_per_km), 60)
    return f"{minutes}:{secs:02d}/km"
