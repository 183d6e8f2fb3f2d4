"""Workout notation: what coaches type after /workout, read into a ``Workout``.

Grammar (EBNF-ish; case-insensitive, spaces optional, see NOTATION.md for examples)::

    workout    = part { ("+" | ";" | "then" | newline) part } ;
    part       = element { "," element } ;
    element    = [ count ("x" | "×" | "*") ] body { modifier } ;
    count      = whole number 1..100 ;
    body       = amount | "(" element { ("," | "+" | ";") element } ")" ;
    amount     = number [ unit ] { number smaller-time-unit } | clock | "mile" ;
    unit       = "m" | "meter(s)" | "metre(s)" | "k" | "km" | "mi" | "mile(s)"
               | "s" | "sec(s)" | "second(s)" | "min(s)" | "minute(s)" | "'"
               | "h" | "hr(s)" | "hour(s)" ;
    clock      = [ h ":" ] m ":" ss [ "." fraction ] ;          (* always a duration *)
    modifier   = pace | recovery | set-recovery | note ;
    pace       = ("@" | "at") pace-name [ "pace" ] ;
    pace-name  = "800" | "1500" | "mile" | "1mi" | "3K" | "3000" | "5K" | "5000"
               | "10K" | "10000" | "HM" | "HMP" | "half" ["marathon"] | "M" | "MP"
               | "marathon" | "E" | "T" | "I" | "R" | "easy" | "tempo" | "threshold"
               | "interval" | "rep"
               | clock ("/km" | "/k" | "/mi" | "/mile" | "per km" | "per mile")
               | number "s" | clock ;                        (* time per rep *)
    recovery   = ("r" | "rec" | "recovery" | "rest" | "with" | "w/") amount [ mode ]
                     [ "rest" | "recovery" ] [ "between" ("reps" | "sets") ]
               | amount ( mode | "rest" | "recovery" | "between" ("reps" | "sets") ) ... ;
    set-recov. = "sr" amount [ mode ] | recovery ending in "between sets" ;
    mode       = "jog" | "walk" | "stand" | "float" ;
    note       = note-word { note-word } | '"' text '"' ;   (* hills, strides, grass… *)

Meaning:

* Every part is a ``Block``; a missing count means 1. ``6x800m @5K r90s`` is
  ``Block(6, (Rep(800 m),), pace=5K, recovery=90 s)``: modifiers after a body belong to
  that block, and a block's pace and note apply to the reps inside that have none.
* A bare number as a rep is metres (``6x800``). ``m`` always means metres in a workout.
  Recoveries need a unit (``r90s``, ``r200m``) because ``r90`` is ambiguous.
* Inside brackets, modifiers stick to the item they follow: ``(400m @mile, 200m @800)``.
  An item without a count becomes a ``Rep``, unless it has its own recovery, in which
  case it is a one-off group ``Block(1, …)``; an item with a count is always a ``Block``.
* ``2x(4x400m @R r60s) 4min between sets``: ``set_recovery`` of the outer block.
* At the top level, a comma list of plain amounts is a ladder, one ``Block(1, …)``, and
  modifiers after the last amount apply to all of it: ``400, 800, 1200 @5K r2min``.
  Otherwise commas separate parts, like ``+``.
* ``, r90s`` / ``, 90s rest`` / ``, @5K`` after an element still belong to that element.
* A new line starting with a distance, time or bracket starts a new part.
* Notes are words from a fixed list (``hills``, ``strides``, ``grass``…) or any text
  in double quotes; several notes are joined with a space.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NoReturn

from domain.amounts import DISTANCE_UNITS, MILE, TIME_UNITS, amount_of, clock_seconds
from domain.errors import InputProblem
from domain.notation_lexer import Token, tokenize
from domain.paces import explicit_pace, named_pace, race_at
from domain.text import quoted
from domain.workout import (
    Amount,
    Block,
    Distance,
    Duration,
    PaceRef,
    Recovery,
    Rep,
    Workout,
    flatten_reps,
    total_distance_m,
    total_reps,
)
from domain.workout_json import workout_from_dict, workout_to_dict
from domain.workout_rules import (
    EXAMPLE,
    MAX_DEPTH,
    MODES,
    NOTE_WORDS,
    TOO_DEEP,
    check_count,
    check_note,
    check_recovery_amount,
    check_rep_amount,
    check_workout,
)
from domain.workout_text import check_fits, render_workout, to_notation

__all__ = [
    "NOTATION_HELP",
    "Amount",
    "Block",
    "Distance",
    "Duration",
    "PaceRef",
    "Recovery",
    "Rep",
    "Workout",
    "flatten_reps",
    "parse_workout",
    "render_workout",
    "to_notation",
    "total_distance_m",
    "total_reps",
    "workout_from_dict",
    "workout_to_dict",
]

NOTATION_HELP = """\
Workout notation

Reps: 6x800m @5K r90s
Groups: 4x(400m, 200m) @mile r200m jog
Sets: 2x(4x400m @R r60s) 4min between sets
Parts: 2x1mi @T r2min + 4x200m @R r200m
Ladder: 400, 800, 1200, 800, 400 @5K r2min
One rep: 1200m @5K or 20min @T

Distances: 800m (or just 800), 1.5km, 3k, 1mi
Times: 90s, 3min, 1h, 2:30 (m means metres, so write min)

Paces:
 race: @800 @1500 @mile @3K @5K @10K @HM @M
 zone: @E @T @I @R
 per km / mile: @3:20/km @5:20/mi
 per rep: @75s or @1:15

Recovery: r90s, rec 2min, r2:00, 90s rest, r200m jog (jog, walk, stand, float)
Between sets: 4min between sets or sr4min

Notes: 10x200m hills, 6x100m strides, or any text in quotes: 6x1km "on grass"
"""

_PART_SEPARATORS = frozenset({",", "+", ";", "\n", "then"})
_MARKERS = frozenset({"r", "rec", "recov", "recovery", "rest", "with", "sr"})
_FILLERS = frozenset({"rest", "recovery", "rec", "recov"})
_POSTFIX = _FILLERS | frozenset(MODES) | {"between"}
_SETS = frozenset({"sets", "set", "blocks", "block", "rounds", "round"})
_REPS = frozenset({"reps", "rep"})
_UNITS = DISTANCE_UNITS.keys() | TIME_UNITS.keys()
_JOIN_HINT = "Join parts with +, e.g. 2x1mi @T r2min + 4x200m @R r200m"
_RECOVERY_HINT = "Write recoveries like r90s, 90s rest or r200m jog."
_PACE_HINT = "Paces look like @5K, @T, @3:20/km or @75s."


def parse_workout(text: str) -> Workout:
    """Read a coach's notation; InputProblem says what was not understood, with an example."""
    source, tokens = tokenize(text)
    workout = _Parser(source, tokens).workout()
    check_workout(workout)
    check_fits(workout)
    return workout


@dataclass
class _Modifiers:
    """What follows a body; a block or rep is built from it once the element is complete."""

    pace: PaceRef | None = None
    recovery: Recovery | None = None
    set_recovery: Recovery | None = None
    note: str | None = None

    def is_empty(self) -> bool:
        return self == _Modifiers()


@dataclass(frozen=True)
class _Element:
    count: int | None
    body: Amount | tuple[Rep | Block, ...]
    modifiers: _Modifiers

    def is_plain_amount(self) -> bool:
        return self.count is None and not isinstance(self.body, tuple)

    def as_block(self) -> Block:
        items = self.body if isinstance(self.body, tuple) else (Rep(self.body),)
        m = self.modifiers
        return Block(self.count or 1, items, m.pace, m.recovery, m.set_recovery, m.note)

    def as_item(self) -> Rep | Block:
        """Inside brackets: a bare amount is a Rep unless it carries its own recovery."""
        m = self.modifiers
        own_recovery = m.recovery is not None or m.set_recovery is not None
        if self.count is None and not isinstance(self.body, tuple) and not own_recovery:
            return Rep(self.body, m.pace, m.note)
        return self.as_block()


class _Parser:
    """Recursive descent over the tokens; one instance per parse."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = _drop_soft_newlines(tokens)
        self.position = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.position + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def at(self, kind: str, *texts: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.kind == kind and (not texts or token.text in texts)

    def take(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def fail(self, token: Token | None, hint: str) -> NoReturn:
        if token is None:
            raise InputProblem(f"The workout ends too early. {hint}")
        raise InputProblem(f"I didn't understand {quoted(self.text[token.start :])}. {hint}")

    def fail_after_element(self) -> NoReturn:
        token = self.peek()
        if self.at("symbol", ")"):
            raise InputProblem("There is a ) without a matching (. Example: 4x(400m, 200m) @mile")
        if token is not None and token.kind in ("number", "clock"):
            self.fail(token, _JOIN_HINT if self.at("times", ahead=1) else _RECOVERY_HINT)
        self.fail(token, f"Example: {EXAMPLE}")

    # -- structure -----------------------------------------------------------------------

    def workout(self) -> Workout:
        parts: list[Block] = []
        while True:
            while self.peek() is not None and self._at_part_separator():
                self.take()
            if self.peek() is None and not parts:
                raise InputProblem(f"Please write the workout, e.g. {EXAMPLE}")
            if self.peek() is None:
                return Workout(tuple(parts))
            parts.extend(self.part())
            if self.peek() is not None and not self._at_part_separator():
                self.fail_after_element()

    def _at_part_separator(self) -> bool:
        token = self.peek()
        return token is not None and token.kind != "quote" and token.text in _PART_SEPARATORS

    def part(self) -> list[Block]:
        elements = [self.element()]
        while self.at("symbol", ",") and self._starts_element(1):
            self.take()
            elements.append(self.element())
        ladder = elements[-1].is_plain_amount() and all(
            e.is_plain_amount() and e.modifiers.is_empty() for e in elements[:-1]
        )
        if len(elements) > 1 and ladder:
            last = elements[-1].as_block()
            reps = tuple(Rep(e.body) for e in elements if not isinstance(e.body, tuple))
            return [Block(1, reps, last.pace, last.recovery, last.set_recovery, last.note)]
        return [element.as_block() for element in elements]

    def _starts_element(self, ahead: int) -> bool:
        return (
            self.at("number", ahead=ahead)
            or self.at("clock", ahead=ahead)
            or self.at("symbol", "(", ahead=ahead)
            or self.at("word", "mile", ahead=ahead)
        )

    def element(self) -> _Element:
        count = None
        if self.at("number") and self.at("times", ahead=1):
            count_token = self.take()
            self.take()
            if "." in count_token.text:
                raise InputProblem("Repeat counts must be whole numbers, e.g. 6x800m.")
            count = int(count_token.text)
            check_count(count)
        elif self.at("times") or self.at("word", "x"):
            self.fail(self.peek(), "Put the number of reps before the x, e.g. 6x800m.")
        body = self.group() if self.at("symbol", "(") else self.amount("rep")
        return _Element(count, body, self.modifiers())

    def group(self) -> tuple[Rep | Block, ...]:
        self.take()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise InputProblem(TOO_DEEP)
        items: list[Rep | Block] = []
        while not (items and self.at("symbol", ")")):
            items.append(self.element().as_item())
            if self.at("symbol", ",", "+", ";") or self.at("newline"):
                self.take()
            elif self.peek() is None:
                raise InputProblem("A closing bracket is missing, e.g. 4x(400m, 200m) @mile.")
            elif not self.at("symbol", ")"):
                self.fail_after_element()
        self.take()
        self.depth -= 1
        return tuple(items)

    # -- amounts -------------------------------------------------------------------------

    def amount(self, what: Literal["rep", "recovery"]) -> Amount:
        token = self.peek()
        if token is None or not (
            token.kind in ("number", "clock")
            or (what == "rep" and token.kind == "word" and token.text == "mile")
        ):
            example = "e.g. 800m, 1mi or 3min" if what == "rep" else "e.g. r90s or r200m"
            self.fail(token, f"Expected a distance or time here, {example}.")
        self.take()
        unit = None
        amount: Amount
        if token.kind == "clock":
            amount = Duration(float(clock_seconds(token.text)))
        elif token.kind == "word":
            amount = Distance(float(MILE))
        else:
            value = Decimal(token.text)
            unit = self.unit()
            if unit is None and what == "recovery":
                raise InputProblem(f"Give the recovery a unit: r{token.text}s or r{token.text}m.")
            if unit is None:
                amount = Distance(float(value))
            elif unit in TIME_UNITS:
                amount = Duration(float(self.more_time(value * TIME_UNITS[unit], unit)))
            else:
                amount = amount_of(value, unit)
        if unit == "m" and isinstance(amount, Distance) and amount.meters < 10:
            raise InputProblem(
                f"“{token.text}m” is {token.text} metres. Minutes are min, e.g. {token.text}min."
            )
        (check_rep_amount if what == "rep" else check_recovery_amount)(amount)
        return amount

    def unit(self) -> str | None:
        if self.at("word") and (token := self.peek()) is not None and token.text in _UNITS:
            return self.take().text
        return None

    def more_time(self, seconds: Decimal, unit: str) -> Decimal:
        """Add trailing smaller units: ``1h30min``, ``2min 30s``, and ``1h30`` (minutes)."""
        size = TIME_UNITS[unit]
        while self.at("number") and not self.at("times", ahead=1):
            following = self.peek(1)
            if following is not None and following.kind == "word" and following.text in _UNITS:
                smaller = TIME_UNITS.get(following.text)
            elif size == TIME_UNITS["h"]:
                smaller, following = TIME_UNITS["min"], None
            else:
                break
            if smaller is None or smaller >= size:
                break
            seconds += Decimal(self.take().text) * smaller
            if following is not None:
                self.take()
            size = smaller
        return seconds

    # -- modifiers -----------------------------------------------------------------------

    def modifiers(self) -> _Modifiers:
        found = _Modifiers()
        while (token := self.peek()) is not None:
            if self.at("symbol", "@") or self.at("word", "at"):
                self.take()
                self.pace(found)
            elif self._at_marker(0) or self._postfix_recovery_at(0):
                self.recovery(found)
            elif token.kind == "quote" or self.at("word", *NOTE_WORDS):
                self.take()
                check_note(token.text)
                found.note = token.text if found.note is None else f"{found.note} {token.text}"
                check_note(found.note)
            elif (self.at("symbol", ",") or self.at("newline")) and self._continues():
                self.take()
            else:
                return found
        return found

    def _continues(self) -> bool:
        """After a comma or new line: does a modifier of the same element follow?"""
        return (
            self.at("symbol", "@", ahead=1)
            or self.at("word", "at", *NOTE_WORDS, ahead=1)
            or self.at("quote", ahead=1)
            or self._at_marker(1)
            or self._postfix_recovery_at(1)
        )

    def _at_marker(self, ahead: int) -> bool:
        return self.at("word", *_MARKERS, ahead=ahead) or (
            self.at("word", "w", ahead=ahead) and self.at("symbol", "/", ahead=ahead + 1)
        )

    def _postfix_recovery_at(self, ahead: int) -> bool:
        """``90s rest``, ``200m jog``, ``4min between sets``: an amount, then a recovery word."""
        if not (self.at("number", ahead=ahead) or self.at("clock", ahead=ahead)):
            return False
        index = ahead + 1
        while (token := self.peek(index)) is not None and (
            token.kind in ("number", "clock") or (token.kind == "word" and token.text in _UNITS)
        ):
            index += 1
        return self.at("word", *_POSTFIX, ahead=index)

    def pace(self, found: _Modifiers) -> None:
        token = self.peek()
        if token is None:
            self.fail(token, _PACE_HINT)
        self.take()
        pace: PaceRef | None = None
        if token.kind == "word":
            pace = named_pace(token.text)
            if token.text == "half" and self.at("word", "marathon"):
                self.take()
        elif token.kind == "clock":
            pace = explicit_pace(self.per_distance(), clock_seconds(token.text), clock_style=True)
        elif token.kind == "number":
            pace = self.number_pace(token)
        if pace is None:
            self.fail(token, _PACE_HINT)
        if self.at("word", "pace"):
            self.take()
        if found.pace is not None:
            raise InputProblem("Give one pace per rep or group, e.g. 6x800m @5K r90s.")
        found.pace = pace

    def per_distance(self) -> Literal["per_km", "per_mile", "per_rep"]:
        if self.at("word", "min") and self.at("symbol", "/", ahead=1):
            self.take()
        if not (self.at("symbol", "/") or self.at("word", "per")):
            return "per_rep"
        token = self.take()
        if self.at("word", "km", "k", "kilometre", "kilometer"):
            self.take()
            return "per_km"
        if self.at("word", "mi", "mile"):
            self.take()
            return "per_mile"
        self.fail(token, "Write paces like @3:20/km or @5:20/mi.")

    def number_pace(self, token: Token) -> PaceRef | None:
        value = Decimal(token.text)
        unit = self.unit()
        if unit is not None and TIME_UNITS.get(unit) == 1:
            return explicit_pace("per_rep", value, clock_style=False)
        if unit is None or unit in DISTANCE_UNITS:
            race = race_at(value * DISTANCE_UNITS[unit or "m"])
            if race is not None:
                return race
        raise InputProblem(
            f"I don't know the pace @{token.text}{unit or ''}. "
            "For a time per rep write @75s, for a pace per km @3:20/km, for a race @5K."
        )

    def recovery(self, found: _Modifiers) -> None:
        first = self.peek()
        between_sets = self.at("word", "sr")
        if self._at_marker(0) and self.take().text == "w":
            self.take()  # the slash of "w/"
        amount = self.amount("recovery")
        mode = self.take().text if self.at("word", *MODES) else None
        while self.at("word", *_FILLERS):
            self.take()
        if self.at("word", "between"):
            word = self.peek(1)
            if word is None or word.text not in _SETS | _REPS:
                self.fail(first, "Write set recoveries like 4min between sets.")
            self.take()
            between_sets = self.take().text in _SETS or between_sets
        recovery = Recovery(amount, mode)
        if between_sets and found.set_recovery is None:
            found.set_recovery = recovery
        elif not between_sets and found.recovery is None:
            found.recovery = recovery
        else:
            raise InputProblem("Give one recovery per rep or group, e.g. 6x800m r90s.")


def _drop_soft_newlines(tokens: list[Token]) -> list[Token]:
    """A line break next to a separator or bracket means nothing; drop it."""
    kept: list[Token] = []
    for index, token in enumerate(tokens):
        if token.kind == "newline":
            before = kept[-1] if kept else None
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if _is_glue(before, {",", "+", ";", "(", "@", "then"}) or _is_glue(
                after, {",", "+", ";", ")", "then"}
            ):
                continue
        kept.append(token)
    return kept


def _is_glue(token: Token | None, texts: set[str]) -> bool:
    return token is not None and token.kind in ("symbol", "word") and token.text in texts
