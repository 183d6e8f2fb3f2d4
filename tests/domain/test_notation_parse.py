"""parse_workout: real coach input, the structures it means, and friendly refusals."""

# ruff: noqa: RUF001  (look-alike characters are the point of these tests)

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InputProblem
from domain.notation import (
    NOTATION_HELP,
    Block,
    Distance,
    Duration,
    PaceRef,
    Recovery,
    Rep,
    Workout,
    parse_workout,
    to_notation,
)
from domain.text import is_unsafe

MILE = 1609.344
FIVE_K = PaceRef("race", "5K")
T = PaceRef("zone", "T")
R = PaceRef("zone", "R")


def m(meters: float) -> Distance:
    return Distance(float(meters))


def s(seconds: float) -> Duration:
    return Duration(float(seconds))


def one(block: Block) -> Workout:
    return Workout((block,))


PARSED = [
    ("6x800m @5K r90s", one(Block(6, (Rep(m(800)),), FIVE_K, Recovery(s(90))))),
    (
        "4x(400m,200m) @mile r200m jog",
        one(Block(4, (Rep(m(400)), Rep(m(200))), PaceRef("race", "mile"), Recovery(m(200), "jog"))),
    ),
    ("3x1mi @T r2:00", one(Block(3, (Rep(m(MILE)),), T, Recovery(s(120))))),
    (
        "2x(4x400m @R r60s) 4min between sets",
        one(
            Block(
                2,
                (Block(4, (Rep(m(400)),), R, Recovery(s(60))),),
                set_recovery=Recovery(s(240)),
            )
        ),
    ),
    ("20min @T", one(Block(1, (Rep(s(1200)),), T))),
    ("10x200m hills", one(Block(10, (Rep(m(200)),), note="hills"))),
    (
        "8x400m @75s r45s",
        one(Block(8, (Rep(m(400)),), PaceRef("per_rep", "75s", 75.0), Recovery(s(45)))),
    ),
    (
        "5x1000m @3:20/km r400m",
        one(Block(5, (Rep(m(1000)),), PaceRef("per_km", "3:20/km", 200.0), Recovery(m(400)))),
    ),
    (
        "2x1mi @T r2min + 4x200m @R r200m",
        Workout(
            (
                Block(2, (Rep(m(MILE)),), T, Recovery(s(120))),
                Block(4, (Rep(m(200)),), R, Recovery(m(200))),
            )
        ),
    ),
    ("1200m", one(Block(1, (Rep(m(1200)),)))),
    ("10x1min @I r1min", one(Block(10, (Rep(s(60)),), PaceRef("zone", "I"), Recovery(s(60))))),
    ("3x3km @HM r3min", one(Block(3, (Rep(m(3000)),), PaceRef("race", "HM"), Recovery(s(180))))),
    (
        "400, 800, 1200, 800, 400 @5K r2min",
        one(
            Block(
                1,
                tuple(Rep(m(d)) for d in (400, 800, 1200, 800, 400)),
                FIVE_K,
                Recovery(s(120)),
            )
        ),
    ),
    ("6x1k", one(Block(6, (Rep(m(1000)),)))),
    ("2x1.5km", one(Block(2, (Rep(m(1500)),)))),
    (
        "4x(400m @mile, 200m @800) r200m",
        one(
            Block(
                4,
                (Rep(m(400), PaceRef("race", "mile")), Rep(m(200), PaceRef("race", "800"))),
                recovery=Recovery(m(200)),
            )
        ),
    ),
    (
        "2x(1mi @T r2min, 4x200m @R r200m) 5min between sets",
        one(
            Block(
                2,
                (
                    Block(1, (Rep(m(MILE)),), T, Recovery(s(120))),
                    Block(4, (Rep(m(200)),), R, Recovery(m(200))),
                ),
                set_recovery=Recovery(s(300)),
            )
        ),
    ),
    (
        '6x1km "on grass" @10K r1min',
        one(Block(6, (Rep(m(1000)),), PaceRef("race", "10K"), Recovery(s(60)), note="on grass")),
    ),
    ("6x(800m hills)", one(Block(6, (Rep(m(800), note="hills"),)))),
    ("6x(800m @5K)", one(Block(6, (Rep(m(800), FIVE_K),)))),
    ("1x(1200m @5K)", one(Block(1, (Rep(m(1200), FIVE_K),)))),
    ("2x(3x(4x200m))", one(Block(2, (Block(3, (Block(4, (Rep(m(200)),)),)),)))),
    (
        "8x400m @1:15 r45s",
        one(Block(8, (Rep(m(400)),), PaceRef("per_rep", "1:15", 75.0), Recovery(s(45)))),
    ),
    ("6x400m @0:58", one(Block(6, (Rep(m(400)),), PaceRef("per_rep", "0:58", 58.0)))),
    ("4x1mi @5:20/mi", one(Block(4, (Rep(m(MILE)),), PaceRef("per_mile", "5:20/mi", 320.0)))),
    ("3x2km @3:45.5/km", one(Block(3, (Rep(m(2000)),), PaceRef("per_km", "3:45.5/km", 225.5)))),
    ("90min @M", one(Block(1, (Rep(s(5400)),), PaceRef("race", "M")))),
    (
        "10x100m strides r100m walk",
        one(Block(10, (Rep(m(100)),), recovery=Recovery(m(100), "walk"), note="strides")),
    ),
    ("10x200m uphill sprints", one(Block(10, (Rep(m(200)),), note="uphill sprints"))),
    ("6x30s r30s stand", one(Block(6, (Rep(s(30)),), recovery=Recovery(s(30), "stand")))),
    ("0.5mi", one(Block(1, (Rep(m(MILE / 2)),)))),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parses_real_workouts(text: str, expected: Workout) -> None:
    assert parse_workout(text) == expected


SAME_AS = [
    # (variant, canonical spelling of the same workout)
    ("6 x 800 m @5K r90s", "6x800m @5K r90s"),
    ("6x800 @5K r90s", "6x800m @5K r90s"),
    ("6×800m @5k R90S", "6x800m @5K r90s"),
    ("6X800M @5K r 90s", "6x800m @5K r90s"),
    ("6*800m @5K rec 90s", "6x800m @5K r90s"),
    ("6x800m @5K recovery 90 sec", "6x800m @5K r90s"),
    ("6x800m @5K 90s rest", "6x800m @5K r90s"),
    ("6x800m @5K, 90s rest", "6x800m @5K r90s"),
    ("6x800m @5K rest 90s", "6x800m @5K r90s"),
    ("6x800m @5K with 90s rest", "6x800m @5K r90s"),
    ("6x800m @5K w/ 90s", "6x800m @5K r90s"),
    ("6x800m @5K r1:30", "6x800m @5K r90s"),
    ("6x800m @ 5K pace r90s", "6x800m @5K r90s"),
    ("6x800m at 5K pace, 90s recovery", "6x800m @5K r90s"),
    ("6x800m @5000 r90s", "6x800m @5K r90s"),
    ("6x800m @5km r90s", "6x800m @5K r90s"),
    ("6x800m @5K\nr90s", "6x800m @5K r90s"),
    ("6x800m @5K r90s between reps", "6x800m @5K r90s"),
    ("6x0.8km @5K r90s", "6x800m @5K r90s"),
    ("6x800 metres @5K r90s", "6x800m @5K r90s"),
    ("６ｘ８００ｍ @5K r90s", "6x800m @5K r90s"),
    ("6x800m @5K. rec. 90s", "6x800m @5K r90s"),
    ("6x800m @5K – 90s rest", "6x800m @5K r90s"),
    ("3x1 mile @t r2min", "3x1mi @T r2min"),
    ("3 x mile @threshold r2min", "3x1mi @T r2min"),
    ("3xmile @tempo r2min", "3x1mi @T r2min"),
    ("3x1mi @T r2'", "3x1mi @T r2min"),
    ("3x1mi @T r2 minutes", "3x1mi @T r2min"),
    ("4x(400m + 200m) @mile r200m jog", "4x(400m, 200m) @mile r200m jog"),
    ("4x(400m; 200m) @1mi r200m jog", "4x(400m, 200m) @mile r200m jog"),
    ("4x(400m, 200m) @mile 200m jog", "4x(400m, 200m) @mile r200m jog"),
    ("4x(400m, 200m) @mile r200m jog recovery", "4x(400m, 200m) @mile r200m jog"),
    ("2x(4x400m @R r60s) r4min between sets", "2x(4x400m @R r60s) r4min between sets"),
    ("2x(4x400m @R r60s) sr4min", "2x(4x400m @R r60s) r4min between sets"),
    ("2x(4x400m @R r60s) sr 4min", "2x(4x400m @R r60s) r4min between sets"),
    ("2x(4x400m @R r60s), 4min between sets", "2x(4x400m @R r60s) r4min between sets"),
    ("2x(4x400m @rep r60s) 4 min between blocks", "2x(4x400m @R r60s) r4min between sets"),
    ("2x1mi @T r2min, 4x200m @R r200m", "2x1mi @T r2min + 4x200m @R r200m"),
    ("2x1mi @T r2min; 4x200m @R r200m", "2x1mi @T r2min + 4x200m @R r200m"),
    ("2x1mi @T r2min then 4x200m @R r200m", "2x1mi @T r2min + 4x200m @R r200m"),
    ("2x1mi @T r2min\n4x200m @R r200m", "2x1mi @T r2min + 4x200m @R r200m"),
    ("2x1mi @T r2min +\n4x200m @R r200m", "2x1mi @T r2min + 4x200m @R r200m"),
    ("2x1mi @T r2min +", "2x1mi @T r2min"),
    ("400m, 800m, 1200m @5K r2min", "400m, 800m, 1200m @5K r2min"),
    ("(400m, 800m, 1200m) @5K r2min", "400m, 800m, 1200m @5K r2min"),
    ("1h30min @M", "90min @M"),
    ("1h30 @M", "90min @M"),
    ("1h 30min @marathon", "90min @M"),
    ("1.5h @MP", "90min @M"),
    ("2min 30s @T", "2:30 @T"),
    ("20 mins @T", "20min @T"),
    ("1 hour @M", "1h @M"),
    ("3x3km @half r3min", "3x3km @HM r3min"),
    ("3x3km @half marathon pace r3min", "3x3km @HM r3min"),
    ("3x3km @hmp r3min", "3x3km @HM r3min"),
    ("3x3000m @HM r3min", "3x3km @HM r3min"),
    ("8x400m @1500m", "8x400m @1500"),
    ("8x400m @800m", "8x400m @800"),
    ("8x400m @3000", "8x400m @3K"),
    ("8x400m @10000m", "8x400m @10K"),
    ("8x400m @75 s", "8x400m @75s"),
    ("8x400m @75.0s", "8x400m @75s"),
    ("5x1000m @3:20/k", "5x1000m @3:20/km"),
    ("5x1000m @3:20 per km", "5x1000m @3:20/km"),
    ("5x1000m @3:20 min/km", "5x1000m @3:20/km"),
    ("4x1mi @5:20 per mile", "4x1mi @5:20/mi"),
    ("10x200m HILLS", "10x200m hills"),
    ('10x200m "hills"', "10x200m hills"),
    ("6x1km “on grass”", '6x1000m "on grass"'),
    ('6x1km "on   grass "', '6x1000m "on grass"'),
    ("6x800m @5K r90s jog", "6x800m @5K r90s jog"),
    ("6x800m @5K r90s float", "6x800m @5K r90s float"),
]


@pytest.mark.parametrize(("variant", "canonical"), SAME_AS)
def test_variants_mean_the_same(variant: str, canonical: str) -> None:
    assert to_notation(parse_workout(variant)) == canonical
    assert parse_workout(variant) == parse_workout(canonical)


REFUSED = [
    # (input, fragment of the message)
    ("", "Please write the workout"),
    ("   ", "Please write the workout"),
    (",,,", "Please write the workout"),
    ("x" * 301, "too long"),
    ("hello", "didn't understand"),
    ("warm up 2mi", "didn't understand"),
    ("@5K", "Expected a distance or time"),
    ("r90s", "Expected a distance or time"),
    ("6x800m @5K r90", "r90s"),
    ("6x800m r200", "unit"),
    ("6x3m @T", "3min"),
    ("6x800m r2m", "2min"),
    ("6x5", "10 m"),
    ("200x800m", "1 to 100"),
    ("0x800m", "1 to 100"),
    ("2.5x800m", "whole numbers"),
    ("x800m", "number of reps before the x"),
    ("6x800m @5K @T", "one pace"),
    ("6x800m r90s r2min", "one recovery"),
    ("6x800m 4x200m", "Join parts with +"),
    ("6x800m 90s", "r90s"),
    ("6x800m @75", "@75s"),
    ("6x800m @21k", "@5K"),
    ("6x800m @2min", "@75s"),
    ("6x800m @fast", "@5K"),
    ("6x800m @", "@5K"),
    ("6x800m @3:20/mk", "@3:20/km"),
    ("6x800m @0:30/km", "looks wrong"),
    ("6x800m @30:00/km", "looks wrong"),
    ("6x800m @5K r2:75", "below 60"),
    ("6x800m @5K r2:5", "m:ss"),
    ("6x(800m", "closing bracket"),
    ("6x800m)", "without a matching"),
    ("6x()", "Expected a distance or time"),
    ("2x(3x(4x(5x200m)))", "brackets inside brackets"),
    ("((((400m))))", "brackets inside brackets"),
    ("20x(20x100m)", "more than 200 reps"),
    ("6x800m hills" + " hills" * 12, "1 to 60 characters"),
    ('6x800m "on grass', "closing quote"),
    ('6x800m ""', "1 to 60 characters"),
    ("6x800m @5K r90s hello", "didn't understand"),
    ("6x800m r20km", "10 m to 10 km"),
    ("6x800m r2h", "10 m to 10 km"),
    ("200km", "10 m to 100 km"),
    ("7h", "10 m to 100 km"),
    ("6x800m between sets", "didn't understand"),
    ("2x(4x400m) 4min between friends", "4min between sets"),
    ("6x800m #5K", "can't read"),
    ("6x800m @5K r90s\x00", "control characters"),
    ("400+" * 10 + "400", "1 to 10 parts"),
    ("6x800m\u202e @5K", "control characters"),
    ("400m, " * 60, "too long"),
]


@pytest.mark.parametrize(("text", "fragment"), REFUSED)
def test_refuses_with_a_friendly_hint(text: str, fragment: str) -> None:
    with pytest.raises(InputProblem) as caught:
        parse_workout(text)
    message = caught.value.message
    assert fragment in message
    assert len(message) <= 200
    assert any(char.isdigit() for char in message), "every message shows an example"


def test_canonical_form_must_fit_the_input_limit() -> None:
    # Typed in under 300 characters, but canonically every "1k" becomes "1000m, ".
    ladder = ",".join(["1k"] * 20)
    text = "+".join([ladder] * 3)
    assert len(text) < 200
    with pytest.raises(InputProblem, match="too long"):
        parse_workout(text)


def test_help_is_short_enough_for_a_telegram_message() -> None:
    assert len(NOTATION_HELP) < 1500
    for example in ("6x800m @5K r90s", "4x(400m, 200m) @mile r200m jog", "400, 800, 1200"):
        assert example in NOTATION_HELP


def test_every_example_in_the_help_parses() -> None:
    for line in NOTATION_HELP.splitlines():
        label, _, example = line.partition(": ")
        if label in ("Reps", "Groups", "Sets", "Parts", "Ladder"):
            parse_workout(example)


def _only_friendly_problems(text: str) -> None:
    try:
        workout = parse_workout(text)
    except InputProblem as problem:
        assert problem.message and len(problem.message) <= 200
        assert not any(is_unsafe(char) for char in problem.message)
        problem.message.encode("utf-8")  # no lone surrogates: Telegram must accept it
        return
    assert parse_workout(to_notation(workout)) == workout


WORKOUT_TOKENS = [
    "6", "x", "800", "m", "@", "5K", "r", "90s", " ", "(", ")", ",", "+", ";", "\n", "1:15",
    "/km", "jog", "between sets", "sr", "hills", '"', "rest", "mile", "1h", "30", "min",
    "then", "at", "w/", "×", ".", "2:5", "k", "mi", "'", "s", "half", "per", "pace", "0",
]  # fmt: skip


@settings(max_examples=300)
@given(st.lists(st.sampled_from(WORKOUT_TOKENS), max_size=25).map("".join))
def test_token_soup_never_crashes(text: str) -> None:
    _only_friendly_problems(text)


@settings(max_examples=200)
@given(st.text(max_size=350))
def test_any_text_never_crashes(text: str) -> None:
    _only_friendly_problems(text)


NASTY = [
    "\ud800",
    "6x800m \udfff",
    "'; DROP TABLE workouts; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "%s%s%s",
    "6x800m @5K r90s\u200b",
    "💩x800m",
    "6x800m 💩",
    "\ufeff6x800m",
    "9" * 299,
    "6x" + "9" * 290 + "m",
    "6x800m r" + "9" * 280 + "s",
    "6x800m @" + "9" * 280 + "s",
    "1e308m",
    "NaN m",
    "6x800m @inf",
    "-6x800m",
    "6x-800m",
]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings_give_input_problems(text: str) -> None:
    _only_friendly_problems(text)
