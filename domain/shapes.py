"""A workout's shape: its structure of reps without paces or recoveries.

Sessions of the same shape can be compared rep for rep, so the shape names a series of
personal bests (``6x800m``) and describes what a report should contain (``6 × 800 m``).
Notes stay part of the shape — ``10x200m hills`` is not ``10x200m`` on the track — but
sets do too: ``2x(3x800m)`` is a different shape from ``6x800m``.
"""

from domain.workout import Block, Distance, Rep, Workout, flatten_reps
from domain.workout_text import render_workout, to_notation


def shape_key(w: Workout) -> str | None:
    """``6x800m`` for ``6x800m @5K r90s``; None when a rep is timed (``10x1min``).

    The key is the canonical notation of the bare structure, so it is readable, parses back
    to the same shape, and is equal for workouts that differ only in paces or recoveries.
    Timed reps have no distance, so their reported times say nothing about speed.
    Keys are stored with results: a change to the canonical notation needs a migration.
    """
    if not all(isinstance(rep.amount, Distance) for rep in flatten_reps(w)):
        return None
    return to_notation(_bare(w))


def shape_text(w: Workout) -> str:
    """``6 × 800 m`` or ``4 × (400 m + 200 m)``, with parts joined by ``, then``."""
    return ", then ".join(render_workout(Workout((part,))) for part in _bare(w).parts)


def _bare(w: Workout) -> Workout:
    return Workout(tuple(_bare_block(part) for part in w.parts))


def _bare_block(block: Block) -> Block:
    items = tuple(
        Rep(item.amount, note=item.note) if isinstance(item, Rep) else _bare_block(item)
        for item in block.items
    )
    return Block(block.count, items, note=block.note)
