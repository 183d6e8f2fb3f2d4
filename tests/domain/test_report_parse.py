"""Reading /report messages: splits as runners type them, skipped reps, total and note."""

# ruff: noqa: RUF001  (look-alike characters are the point of these tests)

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InputProblem
from domain.report import MAX_NOTE_LENGTH, MAX_REPORT_LENGTH, MAX_SPLITS, Report, parse_report
from domain.text import is_unsafe
from domain.times import MAX_MS, format_ms

PARSED = [
    ("2:45 2:43 2:41 2:40 2:38", Report((165_000, 163_000, 161_000, 160_000, 158_000))),
    ("2:45, 2:43", Report((165_000, 163_000))),
    ("2:45,2:43", Report((165_000, 163_000))),
    ("165 163.5", Report((165_000, 163_500))),
    ("2:45.3 2:43.25", Report((165_300, 163_250))),
    ("1:02:45 1:03:10", Report((3_765_000, 3_790_000))),
    ("75.2 74.8 74", Report((75_200, 74_800, 74_000))),
    ("2:45;2:43/2:41\n2:40", Report((165_000, 163_000, 161_000, 160_000))),
    ("2:45 / 2:43 ; 2:41 ,\n 2:40", Report((165_000, 163_000, 161_000, 160_000))),
    ("58s 57.5sec 57 secs", Report((58_000, 57_500, 57_000))),
    ("58 s, 57.5 sec", Report((58_000, 57_500))),
    ("2'45 2'43\" 2′41″ 2’40", Report((165_000, 163_000, 161_000, 160_000))),
    ("２:４５ ２:４３", Report((165_000, 163_000))),
    ("2:45\u00a02:43\u200b 2:41", Report((165_000, 163_000, 161_000))),
    # Skipped reps.
    ("2:45 x 2:41", Report((165_000, None, 161_000))),
    ("2:45 X 2:41", Report((165_000, None, 161_000))),
    ("2:45 - 2:41", Report((165_000, None, 161_000))),
    ("2:45 – 2:41", Report((165_000, None, 161_000))),
    ("2:45 DNF dnf", Report((165_000, None, None))),
    ("skip 2:43 Skipped DNS", Report((None, 163_000, None, None))),
    ("2:45,x,x", Report((165_000, None, None))),
    # Totals anywhere.
    ("2:45 2:43 2:41 total 8:09", Report((165_000, 163_000, 161_000), total_ms=489_000)),
    ("total 21:30", Report((), total_ms=1_290_000)),
    ("total: 21:30 2:45", Report((165_000,), total_ms=1_290_000)),
    ("Total:21:30, 2:45", Report((165_000,), total_ms=1_290_000)),
    ("TOTAL = 21:30", Report((), total_ms=1_290_000)),
    ("2:45 total\n8:09 2:43", Report((165_000, 163_000), total_ms=489_000)),
    ("x x total 5:30", Report((None, None), total_ms=330_000)),
    # Notes.
    ("2:45 2:43 # windy back straight", Report((165_000, 163_000), note="windy back straight")),
    ("2:45#windy", Report((165_000,), note="windy")),
    ("2:45 # windy,   very\n windy", Report((165_000,), note="windy, very windy")),
    ("2:45 # lap 3 # felt good", Report((165_000,), note="lap 3 # felt good")),
    ("2:45 ＃ windy", Report((165_000,), note="windy")),
    ("2:45 # a\u202eb\x07c\x00d", Report((165_000,), note="abcd")),
    ("2:45 #   ", Report((165_000,))),
    ("total 21:30 # tempo felt easy", Report((), total_ms=1_290_000, note="tempo felt easy")),
    ("2:45 # total 9:99 x", Report((165_000,), note="total 9:99 x")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "report"), PARSED)
def test_reads_what_runners_type(text: str, report: Report) -> None:
    assert parse_report(text) == report


REFUSED = [
    ("2:45 2:7x 2:41", "I couldn't read “2:7x” as a time. Example: /report 2:45 2:43 2:41"),
    ("", "Please send your split times"),
    ("   \n ", "Please send your split times"),
    ("x x x", "Please send your split times"),
    ("# just a note", "Please send your split times"),
    ("2:45 abc", "“abc”"),
    ("2:75", "“2:75”"),
    ("0", "“0”"),
    ("-2:45", "“-2:45”"),
    ("2:45:", "“2:45:”"),
    ("2:45s", "“2:45s”"),
    ("1e3", "“1e3”"),
    ("nan inf", "“nan”"),
    ("٣:٤٥", "“٣:٤٥”"),
    ("99999", "“99999”"),
    ("2:45 (windy)", "“(windy)”"),
    ("2:45 2:43 totally", "“totally”"),
    ("'; DROP TABLE reports; --", "“'”"),
    ("<b>2:45</b>", "“<b>2:45<”"),
    ("2:45 " + "9" * 100, "“99999999999999999999999…”"),
    ("total", "Please put a time after total"),
    ("2:45 total, 8:09", "Please put a time after total"),
    ("total 1:00 total 2:00", "total only once"),
    ("total abc", "I couldn't read “abc” as the total time"),
    ("total x", "“x” as the total time"),
    ("1 " * (MAX_SPLITS + 1), f"at most {MAX_SPLITS} splits"),
    ("2:45 # " + "n" * (MAX_NOTE_LENGTH + 1), f"note to {MAX_NOTE_LENGTH} characters"),
    ("2" * (MAX_REPORT_LENGTH + 1), f"at most {MAX_REPORT_LENGTH} characters"),
]


@pytest.mark.parametrize(("text", "fragment"), REFUSED)
def test_refuses_with_a_friendly_message_and_an_example(text: str, fragment: str) -> None:
    with pytest.raises(InputProblem) as caught:
        parse_report(text)
    assert fragment in caught.value.message
    assert "Example: /report" in caught.value.message


def test_limits_are_inclusive() -> None:
    assert len(parse_report("1 " * MAX_SPLITS).splits) == MAX_SPLITS
    assert parse_report("2:45 # " + "n" * MAX_NOTE_LENGTH).note == "n" * MAX_NOTE_LENGTH
    assert parse_report("2:45" + " " * (MAX_REPORT_LENGTH - 4)).splits == (165_000,)


def test_a_lone_surrogate_is_refused_not_crashed() -> None:
    with pytest.raises(InputProblem) as caught:
        parse_report("2:45 \ud800")
    caught.value.message.encode("utf-8")


_SEPARATORS = st.sampled_from([" ", "  ", ",", ", ", " ,", ";", "; ", "/", " / ", "\n", "\t"])
_SPLITS = st.lists(
    st.none() | st.integers(1, MAX_MS // 10).map(lambda n: n * 10), min_size=1, max_size=40
).filter(lambda splits: any(split is not None for split in splits))


@settings(max_examples=300)
@given(_SPLITS, st.data())
def test_formatted_splits_read_back_the_same(splits: list[int | None], data: st.DataObject) -> None:
    words = st.sampled_from(["x", "X", "-", "DNF", "skip"])
    tokens = [data.draw(words) if split is None else format_ms(split) for split in splits]
    text = tokens[0]
    for token in tokens[1:]:
        text += data.draw(_SEPARATORS) + token
    assert parse_report(text) == Report(tuple(splits))


@settings(max_examples=100)
@given(_SPLITS, st.integers(10, MAX_MS), st.integers(0, 40), st.text(min_size=1, max_size=50))
def test_total_and_note_read_back_wherever_the_total_is(
    splits: list[int | None], total: int, at: int, note: str
) -> None:
    tokens = ["x" if split is None else format_ms(split) for split in splits]
    tokens.insert(min(at, len(tokens)), f"total {format_ms(total)}")
    report = parse_report(" ".join(tokens) + " # " + note)
    assert report.splits == tuple(splits)
    assert report.total_ms == total
    assert report.note is None or 0 < len(report.note) <= MAX_NOTE_LENGTH


_REPORTISH = st.text(alphabet="0123456789:.,;/ \nxX-#totalTsec'\"″′", max_size=60)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=80), _REPORTISH))
def test_any_text_gives_a_report_or_an_input_problem(text: str) -> None:
    try:
        report = parse_report(text)
    except InputProblem as problem:
        problem.message.encode("utf-8")
        assert "Example: /report" in problem.message
        return
    assert 0 < len(report.splits) <= MAX_SPLITS or report.total_ms is not None
    assert all(split is None or 0 < split <= MAX_MS for split in report.splits)
    if report.note is not None:
        assert 0 < len(report.note) <= MAX_NOTE_LENGTH
        assert report.note == " ".join(report.note.split())
        assert not any(is_unsafe(char) for char in report.note)
