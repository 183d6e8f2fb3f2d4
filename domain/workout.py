"""The workout model: immutable, structurally comparable values plus the ways we walk them.

A workout is a sequence of parts; each part is a ``Block`` that repeats its items ``count``
times. Items are single ``Rep``s or nested ``Block``s (sets). Paces and notes set on a block
apply to every rep inside that does not set its own.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

PaceKind = Literal["race", "zone", "per_km", "per_mile", "per_rep"]


@dataclass(frozen=True)
class Distance:
    """A length in metres (1 mi = 1609.344 m)."""

    meters: float


@dataclass(frozen=True)
class Duration:
    """A length of time in seconds."""

    seconds: float


Amount = Distance | Duration


@dataclass(frozen=True)
class PaceRef:
    """How fast to run: a race pace, a training zone, or an explicit time.

    ``name`` is canonical (``"5K"``, ``"T"``, ``"3:20/km"``, ``"75s"``, ``"1:15"``) and
    ``seconds`` is set only for explicit paces: per km, per mile or per rep.
    """

    kind: PaceKind
    name: str
    seconds: float | None = None


@dataclass(frozen=True)
class Recovery:
    """Rest between efforts; ``mode`` says how it is spent (jog, walk, stand, float)."""

    amount: Amount
    mode: str | None = None


@dataclass(frozen=True)
class Rep:
    """One effort, e.g. 800 m or 3 min, optionally with its own pace and note."""

    amount: Amount
    pace: PaceRef | None = None
    note: str | None = None


@dataclass(frozen=True)
class Block:
    """``count`` repetitions of ``items``.

    ``recovery`` is taken between the reps inside; ``set_recovery`` between repetitions of
    the whole block (``2x(4x400m r60s) 4min between sets``).
    """

    count: int
    items: tuple["Rep | Block", ...]
    pace: PaceRef | None = None
    recovery: Recovery | None = None
    set_recovery: Recovery | None = None
    note: str | None = None


@dataclass(frozen=True)
class Workout:
    """A session: parts run one after another."""

    parts: tuple[Block, ...]


def flatten_reps(w: Workout) -> list[Rep]:
    """Every rep in running order, with pace and note inherited from enclosing blocks.

    This is what reported splits are checked against: ``4x(400m,200m)`` gives 8 reps.
    """
    return [rep for part in w.parts for rep in _expand(part, None, None)]


def _expand(block: Block, pace: PaceRef | None, note: str | None) -> Iterator[Rep]:
    pace = block.pace if block.pace is not None else pace
    note = block.note if block.note is not None else note
    for _ in range(block.count):
        for item in block.items:
            if isinstance(item, Rep):
                yield Rep(
                    item.amount,
                    item.pace if item.pace is not None else pace,
                    item.note if item.note is not None else note,
                )
            else:
                yield from _expand(item, pace, note)


def total_reps(w: Workout) -> int:
    """How many efforts the whole session contains."""
    return sum(_block_reps(part) for part in w.parts)


def _block_reps(block: Block) -> int:
    inner = sum(1 if isinstance(item, Rep) else _block_reps(item) for item in block.items)
    return block.count * inner


def total_distance_m(w: Workout) -> float | None:
    """Metres of fast running, or None when any rep is timed (its distance is unknown)."""
    metres: list[float] = []
    for rep in flatten_reps(w):
        if not isinstance(rep.amount, Distance):
            return None
        metres.append(rep.amount.meters)
    return math.fsum(metres)
