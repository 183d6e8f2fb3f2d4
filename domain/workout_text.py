"""Writing workouts out: readable lines for announcements, and canonical notation.

``to_notation`` is the exact inverse of ``parse_workout`` for every valid workout, so it
can be shown back to the coach ("saved as …") and parsed again without drift.
"""

from domain.amounts import amount_notation, amount_text
from domain.errors import InputProblem
from domain.paces import pace_notation, pace_text
from domain.workout import Amount, Block, Recovery, Rep, Workout
from domain.workout_rules import MAX_LENGTH, NOTE_WORDS, TOO_LONG


def render_workout(w: Workout) -> str:
    """One line per part, e.g. ``6 × 800 m at 5K pace, 90 s recovery``."""
    return "\n".join(_block_text(part) for part in w.parts)


def _block_text(block: Block) -> str:
    items = [_item_text(item) for item in block.items]
    inner = items[0] if len(items) == 1 else f"({' + '.join(items)})"
    if block.count == 1:
        body = " + ".join(items)
    elif any(isinstance(item, Block) for item in block.items):
        body = f"{block.count} sets of {inner}"
    else:
        body = f"{block.count} × {inner}"
    text = _join(body, block.note, pace_text(block.pace) if block.pace else None)
    if block.recovery is not None:
        text += f", {_recovery_text(block.recovery)} recovery"
    if block.set_recovery is not None:
        text += f"; {_recovery_text(block.set_recovery)} between sets"
    return text


def _item_text(item: Rep | Block) -> str:
    if isinstance(item, Block):
        return _block_text(item)
    return _join(amount_text(item.amount), item.note, pace_text(item.pace) if item.pace else None)


def _recovery_text(recovery: Recovery) -> str:
    return _join(amount_text(recovery.amount), recovery.mode)


def to_notation(w: Workout) -> str:
    """Canonical compact notation, e.g. ``2x(4x400m @R r60s) r4min between sets``."""
    return " + ".join(_part_notation(part) for part in w.parts)


def check_fits(w: Workout) -> None:
    """Keep every saved workout re-typeable: its canonical form must fit the input limit.

    Canonical text can be longer than what was typed (``6x1k`` -> ``6x1000m``).
    """
    if len(to_notation(w)) > MAX_LENGTH:
        raise InputProblem(TOO_LONG)


def _part_notation(block: Block) -> str:
    amounts = _plain_amounts(block.items)
    if block.count == 1 and amounts is not None:
        # A single amount or a ladder: "1200m @5K", "400m, 800m, 1200m @5K r2min".
        ladder = ", ".join(amount_notation(amount) for amount in amounts)
        return _join(ladder, *_modifier_notation(block))
    return _block_notation(block)


def _block_notation(block: Block) -> str:
    amounts = _plain_amounts(block.items)
    if amounts is not None and len(amounts) == 1:
        body = amount_notation(amounts[0])
    else:
        body = f"({', '.join(_item_notation(item) for item in block.items)})"
    return _join(f"{block.count}x{body}", *_modifier_notation(block))


def _item_notation(item: Rep | Block) -> str:
    if isinstance(item, Block):
        return _block_notation(item)
    return _join(
        amount_notation(item.amount),
        _note_notation(item.note),
        pace_notation(item.pace) if item.pace else None,
    )


def _modifier_notation(block: Block) -> list[str | None]:
    recovery, between_sets = block.recovery, block.set_recovery
    return [
        _note_notation(block.note),
        pace_notation(block.pace) if block.pace else None,
        "r" + _recovery_notation(recovery) if recovery else None,
        # "r4min between sets", not "4min between sets": a bare number after a time
        # amount would be read as part of it ("2min 4min").
        f"r{_recovery_notation(between_sets)} between sets" if between_sets else None,
    ]


def _recovery_notation(recovery: Recovery) -> str:
    return _join(amount_notation(recovery.amount), recovery.mode)


def _note_notation(note: str | None) -> str | None:
    if note is None or all(word in NOTE_WORDS for word in note.split(" ")):
        return note
    return f'"{note}"'


def _plain_amounts(items: tuple[Rep | Block, ...]) -> list[Amount] | None:
    """The amounts when every item is a bare rep (no pace, no note), else None."""
    plain = [
        item for item in items if isinstance(item, Rep) and item.pace is None and item.note is None
    ]
    return [rep.amount for rep in plain] if len(plain) == len(items) else None


def _join(*pieces: str | None) -> str:
    return " ".join(piece for piece in pieces if piece)
