"""Workouts as JSON-safe dicts for storage; loading re-validates everything it reads.

Shape (optional keys are left out when empty)::

    {"format": 1, "parts": [block, ...]}
    block    = {"type": "block", "count": 6, "items": [rep | block, ...],
                "pace"?: pace, "recovery"?: recovery, "set_recovery"?: recovery, "note"?: str}
    rep      = {"type": "rep", "amount": amount, "pace"?: pace, "note"?: str}
    amount   = {"meters": 800.0} | {"seconds": 90.0}
    pace     = {"kind": "race", "name": "5K", "seconds"?: 200.0}
    recovery = {"amount": amount, "mode"?: "jog"}
"""

import math
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from domain.errors import InputProblem
from domain.workout import (
    Amount,
    Block,
    Distance,
    Duration,
    PaceKind,
    PaceRef,
    Recovery,
    Rep,
    Workout,
)
from domain.workout_rules import EXAMPLE, MAX_DEPTH, MAX_ITEMS, MAX_PARTS, check_workout
from domain.workout_text import check_fits

FORMAT = 1

T = TypeVar("T")

_PACE_KINDS: dict[object, PaceKind] = {
    "race": "race",
    "zone": "zone",
    "per_km": "per_km",
    "per_mile": "per_mile",
    "per_rep": "per_rep",
}


def workout_to_dict(w: Workout) -> dict[str, Any]:
    """Only dicts, lists, str, int, float: safe for json.dumps and JSON columns."""
    return {"format": FORMAT, "parts": [_block_to_dict(part) for part in w.parts]}


def _block_to_dict(block: Block) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "block",
        "count": block.count,
        "items": [
            _block_to_dict(item) if isinstance(item, Block) else _rep_to_dict(item)
            for item in block.items
        ],
    }
    _put(data, "pace", _pace_to_dict(block.pace) if block.pace else None)
    _put(data, "recovery", _recovery_to_dict(block.recovery) if block.recovery else None)
    _put(
        data, "set_recovery", _recovery_to_dict(block.set_recovery) if block.set_recovery else None
    )
    _put(data, "note", block.note)
    return data


def _rep_to_dict(rep: Rep) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "rep", "amount": _amount_to_dict(rep.amount)}
    _put(data, "pace", _pace_to_dict(rep.pace) if rep.pace else None)
    _put(data, "note", rep.note)
    return data


def _amount_to_dict(amount: Amount) -> dict[str, Any]:
    if isinstance(amount, Distance):
        return {"meters": float(amount.meters)}
    return {"seconds": float(amount.seconds)}


def _pace_to_dict(pace: PaceRef) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": pace.kind, "name": pace.name}
    _put(data, "seconds", None if pace.seconds is None else float(pace.seconds))
    return data


def _recovery_to_dict(recovery: Recovery) -> dict[str, Any]:
    data: dict[str, Any] = {"amount": _amount_to_dict(recovery.amount)}
    _put(data, "mode", recovery.mode)
    return data


def _put(data: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        data[key] = value


def workout_from_dict(d: object) -> Workout:
    """The stored workout, or InputProblem if the dict is not exactly a valid one."""
    data = _fields(d, {"format", "parts"})
    if type(data["format"]) is not int or data["format"] != FORMAT:
        _damaged()
    parts = _list(data["parts"], MAX_PARTS)
    workout = Workout(tuple(_block(part, 1) for part in parts))
    check_workout(workout)
    check_fits(workout)
    return workout


def _block(value: object, depth: int) -> Block:
    if depth > MAX_DEPTH:
        _damaged()
    data = _fields(value, {"type", "count", "items"}, {"pace", "recovery", "set_recovery", "note"})
    count = data["count"]
    if data["type"] != "block" or type(count) is not int:
        _damaged()
    return Block(
        count,
        tuple(_item(item, depth + 1) for item in _list(data["items"], MAX_ITEMS)),
        _optional(data, "pace", _pace),
        _optional(data, "recovery", _recovery),
        _optional(data, "set_recovery", _recovery),
        _optional(data, "note", _string),
    )


def _item(value: object, depth: int) -> Rep | Block:
    if isinstance(value, dict) and value.get("type") == "block":
        return _block(value, depth)
    data = _fields(value, {"type", "amount"}, {"pace", "note"})
    if data["type"] != "rep":
        _damaged()
    return Rep(
        _amount(data["amount"]), _optional(data, "pace", _pace), _optional(data, "note", _string)
    )


def _amount(value: object) -> Amount:
    if isinstance(value, dict) and "meters" in value:
        return Distance(_number(_fields(value, {"meters"})["meters"]))
    return Duration(_number(_fields(value, {"seconds"})["seconds"]))


def _pace(value: object) -> PaceRef:
    data = _fields(value, {"kind", "name"}, {"seconds"})
    kind = _PACE_KINDS.get(data["kind"])
    if kind is None:
        _damaged()
    return PaceRef(kind, _string(data["name"]), _optional(data, "seconds", _number))


def _recovery(value: object) -> Recovery:
    data = _fields(value, {"amount"}, {"mode"})
    return Recovery(_amount(data["amount"]), _optional(data, "mode", _string))


def _fields(
    value: object, required: set[str], optional: set[str] | None = None
) -> dict[str, object]:
    """``value`` as a dict with all ``required`` keys and nothing unexpected."""
    if not isinstance(value, dict) or not required <= value.keys() <= required | (
        optional or set()
    ):
        _damaged()
    return value


def _optional(data: dict[str, object], key: str, read: Callable[[object], T]) -> T | None:
    value = data.get(key)
    return None if value is None else read(value)


def _list(value: object, limit: int) -> list[object]:
    if not isinstance(value, list) or len(value) > limit:
        _damaged()
    return value


def _number(value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        _damaged()
    try:
        number = float(value)
    except OverflowError:
        _damaged()
    if not math.isfinite(number):
        _damaged()
    return number


def _string(value: object) -> str:
    if not isinstance(value, str):
        _damaged()
    return value


def _damaged() -> NoReturn:
    raise InputProblem(f"That saved workout is damaged. Please set it again, e.g. {EXAMPLE}")
