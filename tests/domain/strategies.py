"""Hypothesis strategies for domain values, built independently of the parser."""

from decimal import Decimal

from hypothesis import strategies as st

from domain.amounts import MILE
from domain.errors import InputProblem
from domain.paces import RACES, ZONES
from domain.workout import Block, Distance, Duration, PaceRef, Recovery, Rep, Workout
from domain.workout_rules import MAX_NOTE_LENGTH, MODES, NOTE_WORDS, check_note, check_workout
from domain.workout_text import check_fits


def clock(seconds: Decimal) -> str:
    """m:ss or h:mm:ss with optional decimals, written without domain helpers."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    fraction = seconds - whole
    return text + str(fraction.normalize())[1:] if fraction else text


def _tenths(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low * 10, high * 10).map(lambda n: Decimal(n) / 10)


def rep_amounts() -> st.SearchStrategy[Distance | Duration]:
    return st.one_of(
        st.integers(10, 100_000).map(lambda m: Distance(float(m))),
        st.integers(100, 500_000).map(lambda dm: Distance(float(Decimal(dm) / 10))),
        st.integers(1, 6200).map(lambda cmi: Distance(float(Decimal(cmi) / 100 * MILE))),
        st.integers(1, 6 * 3600).map(lambda s: Duration(float(s))),
        _tenths(1, 3600).map(lambda s: Duration(float(s))),
    )


def recovery_amounts() -> st.SearchStrategy[Distance | Duration]:
    return st.one_of(
        st.integers(10, 10_000).map(lambda m: Distance(float(m))),
        st.integers(1, 600).map(lambda cmi: Distance(float(Decimal(cmi) / 100 * MILE))),
        st.integers(1, 3600).map(lambda s: Duration(float(s))),
        _tenths(1, 3599).map(lambda s: Duration(float(s))),
    )


def paces() -> st.SearchStrategy[PaceRef]:
    return st.one_of(
        st.sampled_from(RACES).map(lambda name: PaceRef("race", name)),
        st.sampled_from(ZONES).map(lambda name: PaceRef("zone", name)),
        _tenths(60, 1200).map(lambda s: PaceRef("per_km", clock(s) + "/km", float(s))),
        _tenths(90, 1920).map(lambda s: PaceRef("per_mile", clock(s) + "/mi", float(s))),
        _tenths(1, 3600).map(lambda s: PaceRef("per_rep", f"{s.normalize():f}s", float(s))),
        _tenths(1, 3600).map(lambda s: PaceRef("per_rep", clock(s), float(s))),
    )


def _is_valid_note(text: str) -> bool:
    try:
        check_note(text)
    except InputProblem:
        return False
    return True


def notes() -> st.SearchStrategy[str]:
    words = st.lists(st.sampled_from(sorted(NOTE_WORDS)), min_size=1, max_size=3)
    free = st.text(min_size=1, max_size=MAX_NOTE_LENGTH // 3).map(lambda t: " ".join(t.split()))
    return st.one_of(words.map(" ".join), free).filter(_is_valid_note)


def recoveries() -> st.SearchStrategy[Recovery]:
    return st.builds(Recovery, recovery_amounts(), st.none() | st.sampled_from(MODES))


def reps() -> st.SearchStrategy[Rep]:
    return st.builds(Rep, rep_amounts(), st.none() | paces(), st.none() | notes())


def blocks(depth: int = 1) -> st.SearchStrategy[Block]:
    item = reps() if depth == 3 else st.one_of(reps(), reps(), blocks(depth + 1))
    return st.builds(
        Block,
        st.integers(1, 8),
        st.lists(item, min_size=1, max_size=3).map(tuple),
        st.none() | paces(),
        st.none() | recoveries(),
        st.none() | recoveries(),
        st.none() | notes(),
    )


def _fits(w: Workout) -> bool:
    try:
        check_workout(w)
        check_fits(w)
    except InputProblem:
        return False
    return True


def workouts() -> st.SearchStrategy[Workout]:
    """Valid workouts: within every limit, including a canonical form of <= 300 chars."""
    parts = st.lists(blocks(), min_size=1, max_size=3).map(lambda b: Workout(tuple(b)))
    return parts.filter(_fits)
