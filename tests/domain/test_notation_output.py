"""Rendering, canonical notation, storage dicts and rep flattening."""

import contextlib
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InputProblem
from domain.notation import (
    Distance,
    Duration,
    PaceRef,
    Rep,
    Workout,
    flatten_reps,
    parse_workout,
    render_workout,
    to_notation,
    total_distance_m,
    total_reps,
    workout_from_dict,
    workout_to_dict,
)
from tests.domain.strategies import workouts

RENDERED = [
    ("6x800m @5K r90s", "6 × 800 m at 5K pace, 90 s recovery"),
    ("2x(4x400m @R r60s) 4min between sets",
     "2 sets of 4 × 400 m at R pace, 60 s recovery; 4 min between sets"),
    ("4x(400m,200m) @mile r200m jog", "4 × (400 m + 200 m) at mile pace, 200 m jog recovery"),
    ("20min @T", "20 min at T pace"),
    ("8x400m @75s r45s", "8 × 400 m in 75 s, 45 s recovery"),
    ("5x1000m @3:20/km r400m", "5 × 1000 m at 3:20/km, 400 m recovery"),
    ("3x1mi @T r2:00", "3 × 1 mi at T pace, 2 min recovery"),
    ("2x1.5mi @HM", "2 × 1.5 mi at half-marathon pace"),
    ("3x3km @M r3min", "3 × 3 km at marathon pace, 3 min recovery"),
    ("2x5.5km", "2 × 5.5 km"),
    ("10x200m hills", "10 × 200 m hills"),
    ("8x400m @1:15", "8 × 400 m in 1:15"),
    ("6x800m @800 r2:30", "6 × 800 m at 800 m pace, 2 min 30 s recovery"),
    ("4x1mi @5:20/mi", "4 × 1 mi at 5:20/mi"),
    ("90min @M", "1 h 30 min at marathon pace"),
    ("1h @E", "1 h at E pace"),
    ("400, 800, 1200 @5K r2min", "400 m + 800 m + 1200 m at 5K pace, 2 min recovery"),
    ("2x1mi @T r2min + 4x200m @R r200m",
     "2 × 1 mi at T pace, 2 min recovery\n4 × 200 m at R pace, 200 m recovery"),
    ('6x1km "on grass" @10K', "6 × 1000 m on grass at 10K pace"),
    ("4x(400m @mile, 200m @800)", "4 × (400 m at mile pace + 200 m at 800 m pace)"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), RENDERED)
def test_renders_for_the_announcement(text: str, expected: str) -> None:
    assert render_workout(parse_workout(text)) == expected


@given(workouts())
def test_valid_workouts_survive_every_representation(w: Workout) -> None:
    # One test for several properties: generating valid workouts is the slow part.
    text = to_notation(w)
    assert parse_workout(text) == w
    assert to_notation(parse_workout(text)) == text

    lines = render_workout(w).split("\n")
    assert len(lines) == len(w.parts)
    assert all(line and line.strip() == line for line in lines)

    data = workout_to_dict(w)
    assert _json_safe(data)
    assert workout_from_dict(json.loads(json.dumps(data))) == w

    reps = flatten_reps(w)
    assert len(reps) == total_reps(w)
    if all(part.pace is not None for part in w.parts):
        assert all(rep.pace is not None for rep in reps)
    total = total_distance_m(w)
    if any(isinstance(rep.amount, Duration) for rep in reps):
        assert total is None
    else:
        assert total == pytest.approx(
            sum(r.amount.meters for r in reps if isinstance(r.amount, Distance))
        )


def _json_safe(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    return value is None or isinstance(value, str | int | float)


def test_dict_shape_is_documented() -> None:
    data = workout_to_dict(parse_workout("2x(4x400m @R r60s) 4min jog between sets"))
    assert data == {
        "format": 1,
        "parts": [
            {
                "type": "block",
                "count": 2,
                "items": [
                    {
                        "type": "block",
                        "count": 4,
                        "items": [{"type": "rep", "amount": {"meters": 400.0}}],
                        "pace": {"kind": "zone", "name": "R"},
                        "recovery": {"amount": {"seconds": 60.0}},
                    }
                ],
                "set_recovery": {"amount": {"seconds": 240.0}, "mode": "jog"},
            }
        ],
    }


GOOD = workout_to_dict(parse_workout("6x800m @3:20/km r90s jog hills"))


def _copy() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(GOOD))
    return data


def _with(path: list[Any], value: object) -> dict[str, Any]:
    data = _copy()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _without(path: list[Any]) -> dict[str, Any]:
    data = _copy()
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


MALFORMED: list[object] = [
    None,
    [],
    "6x800m",
    {},
    {"format": 1},
    {"format": 2, "parts": GOOD["parts"]},
    {"format": True, "parts": GOOD["parts"]},
    {"format": 1, "parts": []},
    {"format": 1, "parts": {}},
    {"format": 1, "parts": GOOD["parts"], "extra": 1},
    _with(["parts", 0, "count"], 0),
    _with(["parts", 0, "count"], 6.0),
    _with(["parts", 0, "count"], True),
    _with(["parts", 0, "count"], "6"),
    _with(["parts", 0, "count"], 10**6),
    _with(["parts", 0, "type"], "rep"),
    _with(["parts", 0, "items"], []),
    _with(["parts", 0, "items"], [{"type": "rep"}]),
    _with(["parts", 0, "items", 0, "amount"], {"meters": -1}),
    _with(["parts", 0, "items", 0, "amount"], {"meters": float("nan")}),
    _with(["parts", 0, "items", 0, "amount"], {"meters": float("inf")}),
    _with(["parts", 0, "items", 0, "amount"], {"meters": 10**400}),
    _with(["parts", 0, "items", 0, "amount"], {"meters": "800"}),
    _with(["parts", 0, "items", 0, "amount"], {"meters": 800, "seconds": 1}),
    _with(["parts", 0, "items", 0, "amount"], {"minutes": 3}),
    _with(["parts", 0, "items", 0, "type"], "lap"),
    _with(["parts", 0, "pace", "kind"], "speed"),
    _with(["parts", 0, "pace", "name"], "3:21/km"),
    _with(["parts", 0, "pace", "seconds"], None),
    _with(["parts", 0, "pace"], {"kind": "race", "name": "7K"}),
    _with(["parts", 0, "pace"], {"kind": "zone", "name": "T", "seconds": 1.0}),
    _with(["parts", 0, "pace"], {"kind": "per_rep", "name": "75", "seconds": 75.0}),
    _with(["parts", 0, "recovery", "mode"], "sprint"),
    _with(["parts", 0, "recovery", "amount"], {"seconds": 0}),
    _with(["parts", 0, "note"], ""),
    _with(["parts", 0, "note"], 'say "hi"'),
    _with(["parts", 0, "note"], "x" * 61),
    _with(["parts", 0, "note"], "two  spaces"),
    _with(["parts", 0, "note"], 5),
    _without(["parts", 0, "items"]),
    {"format": 1, "parts": [GOOD["parts"][0]] * 11},
    {"format": 1, "parts": [{"type": "block", "count": 1, "items": [
        {"type": "block", "count": 1, "items": [
            {"type": "block", "count": 1, "items": [
                {"type": "block", "count": 1, "items": [
                    {"type": "rep", "amount": {"meters": 400.0}}]}]}]}]}]},
]  # fmt: skip


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_dicts_are_refused(data: object) -> None:
    with pytest.raises(InputProblem):
        workout_from_dict(data)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["format", "parts", "type", "count", "items", "amount", "meters"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200)
@given(JSON)
def test_any_json_value_is_refused_or_valid(data: object) -> None:
    with contextlib.suppress(InputProblem):
        workout_from_dict(data)


FLATTENED = [
    ("4x(400m,200m) @mile", [400, 200] * 4, ["mile"] * 8),
    ("2x(3x200m @R, 400m @T)", ([200] * 3 + [400]) * 2, (["R"] * 3 + ["T"]) * 2),
    ("2x(3x200m, 400m @T) @5K", ([200] * 3 + [400]) * 2, (["5K"] * 3 + ["T"]) * 2),
    ("400, 800 @5K + 2x200m", [400, 800, 200, 200], ["5K", "5K", None, None]),
]


@pytest.mark.parametrize(("text", "meters", "paces"), FLATTENED)
def test_flatten_runs_reps_in_order_with_inherited_pace(
    text: str, meters: list[int], paces: list[str | None]
) -> None:
    reps = flatten_reps(parse_workout(text))
    assert [rep.amount for rep in reps] == [Distance(float(d)) for d in meters]
    assert [rep.pace.name if rep.pace else None for rep in reps] == paces


def test_flatten_inherits_notes_and_keeps_own() -> None:
    reps = flatten_reps(parse_workout('2x(200m, 100m "flat") hills @5K'))
    assert [rep.note for rep in reps] == ["hills", "flat", "hills", "flat"]
    assert reps[0] == Rep(Distance(200.0), PaceRef("race", "5K"), "hills")


@pytest.mark.parametrize(
    ("text", "reps", "meters"),
    [
        ("6x800m @5K r90s", 6, 4800.0),
        ("2x(4x400m) + 1mi", 9, 3200 + 1609.344),
        ("20x(10x100m)", 200, 20_000.0),
        ("3x10min @T", 3, None),
        ("4x(400m, 1min)", 8, None),
    ],
)
def test_totals(text: str, reps: int, meters: float | None) -> None:
    w = parse_workout(text)
    assert total_reps(w) == reps
    total = total_distance_m(w)
    assert total == meters if meters is None else math.isclose(total or 0, meters)
