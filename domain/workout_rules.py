"""Limits every workout must respect, whether typed by a coach or loaded from storage.

They keep announcements readable and split checking cheap, and stop absurd input early.
"""

import unicodedata

from domain.errors import InputProblem
from domain.paces import is_canonical
from domain.workout import Amount, Block, Distance, PaceRef, Recovery, Rep, Workout, total_reps

EXAMPLE = "6x800m @5K r90s"
MAX_LENGTH = 300  # characters of notation, typed or canonical
TOO_LONG = f"That workout is too long (at most {MAX_LENGTH} characters). Example: {EXAMPLE}"
MAX_PARTS = 10
MAX_ITEMS = 20
MAX_COUNT = 100
MAX_DEPTH = 3  # blocks inside blocks inside blocks: 2x(3x(4x200m))
TOO_DEEP = "Too many brackets inside brackets. Example: 2x(4x400m @R r60s) 4min between sets"
MAX_TOTAL_REPS = 200
MAX_NOTE_LENGTH = 60
MODES = ("jog", "walk", "stand", "float")
# Words accepted as notes without quotes (``10x200m hills``); anything else goes in quotes.
NOTE_WORDS = frozenset({
    "hills", "hill", "uphill", "downhill", "strides", "sprints", "surges", "track", "grass",
    "trail", "road", "treadmill", "sand", "stairs", "flat", "fartlek", "spikes", "barefoot",
    "relaxed", "fast", "controlled", "progressive", "steady", "easy", "warmup", "cooldown",
    "pyramid", "ladder", "cutdown",
})  # fmt: skip

_REP_METRES = (10.0, 100_000.0)
_REP_SECONDS = (1.0, 6 * 3600.0)
_RECOVERY_METRES = (10.0, 10_000.0)
_RECOVERY_SECONDS = (1.0, 3600.0)


def check_count(count: int) -> None:
    """Repeat counts are whole numbers from 1 to MAX_COUNT."""
    if not 1 <= count <= MAX_COUNT:
        raise InputProblem(
            f"Repeat counts must be whole numbers from 1 to {MAX_COUNT}, e.g. 6x800m."
        )


def check_rep_amount(amount: Amount) -> None:
    """A rep is 10 m to 100 km, or 1 s to 6 h."""
    if not _within(amount, _REP_METRES, _REP_SECONDS):
        raise InputProblem("A rep must be 10 m to 100 km, or 1 s to 6 h, e.g. 800m or 3min.")


def check_recovery_amount(amount: Amount) -> None:
    """A recovery is 10 m to 10 km, or 1 s to 60 min."""
    if not _within(amount, _RECOVERY_METRES, _RECOVERY_SECONDS):
        raise InputProblem(
            "A recovery must be 10 m to 10 km, or 1 s to 60 min, e.g. r90s or r200m."
        )


def check_note(note: str) -> None:
    """Notes are short, single-spaced, printable, NFKC-normal and free of double quotes.

    The last two keep every stored note writable in the notation and readable back.
    """
    if (
        not 0 < len(note) <= MAX_NOTE_LENGTH
        or note != " ".join(unicodedata.normalize("NFKC", note).split())
        or any(char in '"“”' or not char.isprintable() for char in note)
    ):
        raise InputProblem(
            f"A note must be 1 to {MAX_NOTE_LENGTH} characters without quotes inside, "
            'e.g. 6x1km "on grass".'
        )


def check_workout(w: Workout) -> None:
    """Raise InputProblem unless ``w`` is a workout the parser could have produced."""
    if not 1 <= len(w.parts) <= MAX_PARTS:
        raise InputProblem(
            f"A workout has 1 to {MAX_PARTS} parts, e.g. 2x1mi @T r2min + 4x200m @R r200m."
        )
    for part in w.parts:
        _check_block(part, 1)
    if total_reps(w) > MAX_TOTAL_REPS:
        raise InputProblem(
            f"That adds up to more than {MAX_TOTAL_REPS} reps. "
            "Please shorten it, e.g. 10x400m @5K r60s."
        )


def _check_block(block: Block, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InputProblem(TOO_DEEP)
    check_count(block.count)
    if not 1 <= len(block.items) <= MAX_ITEMS:
        raise InputProblem(
            f"A group holds 1 to {MAX_ITEMS} items, e.g. 4x(400m, 200m) @mile r200m."
        )
    for item in block.items:
        if isinstance(item, Rep):
            check_rep_amount(item.amount)
            _check_extras(item.pace, item.note)
        else:
            _check_block(item, depth + 1)
    _check_extras(block.pace, block.note)
    for recovery in (block.recovery, block.set_recovery):
        if recovery is not None:
            _check_recovery(recovery)


def _check_extras(pace: PaceRef | None, note: str | None) -> None:
    if pace is not None and not is_canonical(pace):
        raise InputProblem("Unknown pace. Examples: @5K, @T, @3:20/km, @75s.")
    if note is not None:
        check_note(note)


def _check_recovery(recovery: Recovery) -> None:
    check_recovery_amount(recovery.amount)
    if recovery.mode is not None and recovery.mode not in MODES:
        raise InputProblem("A recovery can be a jog, walk, stand or float, e.g. r200m jog.")


def _within(amount: Amount, metres: tuple[float, float], seconds: tuple[float, float]) -> bool:
    if isinstance(amount, Distance):
        value, (low, high) = amount.meters, metres
    else:
        value, (low, high) = amount.seconds, seconds
    return low <= value <= high
