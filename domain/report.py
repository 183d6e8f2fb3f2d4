"""Reading ``/report`` messages: the splits a member ran, an optional total and a note.

Runners type splits every which way, so the reader is lenient about layout and strict
about each time:

* times as ``2:45``, ``2:45.3``, ``165``, ``163.5``, ``58.2s``, ``58 s``, ``1:02:45`` or
  ``2'45"``;
* ``x``, ``-``, ``DNF``, ``DNS`` or ``skip`` for a rep that was not run (so ``2:45 - 2:43``
  is three reps, the middle one skipped);
* ``total 21:30`` (also ``total: 21:30``) anywhere, at most once;
* a note after the first ``#``: ``# windy back straight``;
* spaces, commas, semicolons, slashes or new lines between splits.

Whether the times fit the session's workout is ``domain.splits_check``'s job.
"""

import re
from dataclasses import dataclass

from domain.errors import InputProblem
from domain.text import is_unsafe, quoted, tidy
from domain.times import parse_time_ms

EXAMPLE = "Example: /report 2:45 2:43 2:41"
TOTAL_EXAMPLE = "Example: /report 2:45 2:43 2:41 total 8:09"
MAX_REPORT_LENGTH = 2000
MAX_SPLITS = 200  # as many as a workout has reps
MAX_NOTE_LENGTH = 200
SKIP_WORDS = frozenset({"x", "-", "–", "—", "−", "dnf", "dns", "skip", "skipped"})  # noqa: RUF001

_SEPARATORS = re.compile(r"[\s,;/]+")
_TOTAL = re.compile(r"\btotal(?![a-z])\s*[:=]?\s*([^\s,;/]*)", re.IGNORECASE)
# "58 s" -> "58s", so a unit typed apart from its number is not read as a split.
_UNIT_GAP = re.compile(r"(?<=[0-9])\s+(?=(?:s|sec|secs)(?![a-z]))", re.IGNORECASE)
# Minutes and seconds with apostrophes or primes: 2'45, 2'45" (NFKC turns a double
# prime into two primes).
_PRIMES = re.compile(r"([0-9]{1,4})['’′]([0-9]{2}(?:\.[0-9]{1,3})?)(?:\"|''|′′|”)?")  # noqa: RUF001


@dataclass(frozen=True)
class Report:
    """What a member reported: one entry per rep in running order, None for a skipped rep."""

    splits: tuple[int | None, ...]
    total_ms: int | None = None
    note: str | None = None


def parse_report(text: str) -> Report:
    """Read the text after ``/report``; every problem is an InputProblem naming what's wrong."""
    if len(text) > MAX_REPORT_LENGTH:
        raise InputProblem(
            f"That report is too long (at most {MAX_REPORT_LENGTH} characters). {EXAMPLE}"
        )
    body, _, note = tidy(text).partition("#")
    body = _UNIT_GAP.sub("", body)
    totals = _TOTAL.findall(body)
    if len(totals) > 1:
        raise InputProblem(f"Please give the total only once. {TOTAL_EXAMPLE}")
    total_ms = _total(totals[0]) if totals else None
    tokens = [token for token in _SEPARATORS.split(_TOTAL.sub(" ", body)) if token]
    if len(tokens) > MAX_SPLITS:
        raise InputProblem(f"Please send at most {MAX_SPLITS} splits. {EXAMPLE}")
    splits = tuple(_split(token) for token in tokens)
    if total_ms is None and all(split is None for split in splits):
        raise InputProblem(
            "Please send your split times, with x for a skipped rep. "
            "Example: /report 2:45 2:43 x 2:40"
        )
    return Report(splits, total_ms, _note(note))


def _split(token: str) -> int | None:
    if token.lower() in SKIP_WORDS:
        return None
    return _time(token, f"I couldn't read {quoted(token)} as a time. {EXAMPLE}")


def _total(value: str) -> int:
    if not value:
        raise InputProblem(f"Please put a time after total. {TOTAL_EXAMPLE}")
    return _time(value, f"I couldn't read {quoted(value)} as the total time. {TOTAL_EXAMPLE}")


def _time(token: str, problem: str) -> int:
    primes = _PRIMES.fullmatch(token)
    try:
        return parse_time_ms(f"{primes[1]}:{primes[2]}" if primes else token)
    except InputProblem:
        raise InputProblem(problem) from None


def _note(raw: str) -> str | None:
    """Single-spaced, without control or bidi characters (it may be echoed to the group)."""
    note = " ".join("".join(char for char in raw if not is_unsafe(char)).split())
    if len(note) > MAX_NOTE_LENGTH:
        raise InputProblem(
            f"Please keep the note to {MAX_NOTE_LENGTH} characters. "
            "Example: /report 2:45 2:43 2:41 # windy back straight"
        )
    return note or None
