"""Splits workout text into tokens, remembering where each starts so errors can quote it."""

import re
from dataclasses import dataclass
from typing import Literal

from domain.amounts import CLOCK_PATTERN, NUMBER_PATTERN
from domain.errors import InputProblem
from domain.text import is_unsafe, quoted, tidy
from domain.workout_rules import EXAMPLE, MAX_LENGTH, TOO_LONG

TokenKind = Literal["number", "clock", "word", "times", "symbol", "quote", "newline"]


@dataclass(frozen=True)
class Token:
    """``text`` is lower-cased for words and kept as written for quoted notes."""

    kind: TokenKind
    text: str
    start: int


_TOKEN = re.compile(
    rf"""
    (?P<clock>{CLOCK_PATTERN})(?![0-9:])
    | (?P<badclock>[0-9]+:[0-9:.]*)
    | (?P<number>{NUMBER_PATTERN})
    | (?P<newline>\n)
    | (?P<space>(?:[^\S\n]|[.:\-\u2013\u2014])+)
    | (?P<word>[^\W\d_]+|['\u2019\u2032])
    | (?P<times>[\u00d7*])
    | (?P<quote>["\u201c\u201d][^"\u201c\u201d]*["\u201c\u201d]?)
    | (?P<symbol>[(),+;@/])
    """,
    re.VERBOSE,
)


_KINDS: dict[str, TokenKind] = {
    "clock": "clock",
    "number": "number",
    "word": "word",
    "times": "times",
    "symbol": "symbol",
}


def tokenize(source: str) -> tuple[str, list[Token]]:
    """The tidied source and its tokens; raises InputProblem on characters we cannot read."""
    text = tidy(source)
    if not text:
        raise InputProblem(f"Please write the workout, e.g. {EXAMPLE}")
    if len(text) > MAX_LENGTH:
        raise InputProblem(TOO_LONG)
    unsafe = [char for char in text if is_unsafe(char) and char not in "\t\n\r"]
    if unsafe:
        raise InputProblem(f"The workout contains hidden control characters. Example: {EXAMPLE}")
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise InputProblem(
                f"I can't read {quoted(text[position])} in the workout. Example: {EXAMPLE}"
            )
        kind, value, start = match.lastgroup or "", match.group(), match.start()
        position = match.end()
        if kind == "badclock":
            raise InputProblem(f"Write times as m:ss, e.g. r2:00 (not {quoted(value)}).")
        if kind == "word" and value[0] in "xX" and tokens and tokens[-1].kind == "number":
            # "6x800" or "4xmile": the x is the repeat sign, the rest is read again.
            tokens.append(Token("times", "x", start))
            position = start + 1
        elif kind == "quote":
            if len(value) < 2 or value[-1] not in '"“”':
                raise InputProblem('A note is missing its closing quote, e.g. 6x1km "on grass".')
            tokens.append(Token("quote", " ".join(value[1:-1].split()), start))
        elif kind == "newline":
            if tokens and tokens[-1].kind != "newline":
                tokens.append(Token("newline", "\n", start))
        elif kind in _KINDS:
            tokens.append(Token(_KINDS[kind], value.lower() if kind == "word" else value, start))
    return text, tokens
