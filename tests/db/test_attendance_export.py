"""Season attendance and the CSV export on both backends."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from db import attendance, export, results, sessions
from db.engine import Database
from db.models import Member
from db.views import SessionView
from tests.db.helpers import CHAT, NOW, runner, set_up_group
from tests.db.test_boards import make_private, report, week

ANN, BOB, CAT, DAN, EVE = 1, 2, 3, 4, 5


async def three_weeks(db: Database) -> list[SessionView]:
    """Ann comes every week; Bob is a no-show in week 2; Cat comes in week 3; Dan reports
    in week 2 without answering; nobody answers in week 4, and week 5 is cancelled."""
    await set_up_group(db)
    one = await week(db, NOW, ins=(ANN, BOB))
    await report(db, one, ANN, "2:45 2:44 x 2:42 2:41 2:40 # windy")
    two = await week(db, one.starts_at + timedelta(hours=3), ins=(ANN, BOB))
    await report(db, two, DAN, "2:50 " * 6)
    await results.mark_no_show(db, CHAT, runner(BOB), 99, two.starts_at + timedelta(hours=2))
    three = await week(db, two.starts_at + timedelta(hours=3), ins=(ANN, BOB, CAT))
    await report(db, three, ANN, "2:40 " * 6)
    four = await week(db, three.starts_at + timedelta(hours=3))
    five = await week(db, four.starts_at + timedelta(hours=3), ins=(ANN,))
    await sessions.cancel_next(db, CHAT, None, four.starts_at + timedelta(hours=3))
    return [one, two, three, four, five]


async def test_season_counts_attendance_reports_no_shows_and_streaks(db: Database) -> None:
    weeks = await three_weeks(db)
    now = weeks[4].starts_at + timedelta(days=1)
    season = await attendance.season_attendance(db, CHAT, now)
    assert season is not None and season.year == 2026
    assert season.sessions == (date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15))
    table = {
        m.runner.person.user_id: (m.attended, m.reported, m.no_shows, m.streak)
        for m in season.members
    }
    assert table == {
        ANN: (3, 2, 0, 3),
        BOB: (2, 0, 1, 1),
        CAT: (1, 0, 0, 1),
        DAN: (1, 1, 0, 0),
    }
    assert [m.runner.person.user_id for m in season.members] == [ANN, BOB, CAT, DAN]
    # Seasons are calendar years: nothing in 2025, and 2027 has not started.
    last_year = await attendance.season_attendance(db, CHAT, now, 2025)
    assert last_year is not None and last_year.sessions == () and last_year.members == ()


async def test_waitlisted_members_did_not_attend_and_the_season_ends_on_31_december(
    db: Database,
) -> None:
    await set_up_group(db, CHAT, ("capacity", "1"))
    await week(db, NOW, ins=(ANN, BOB))  # Bob waits
    late = await week(db, datetime(2026, 12, 27, 12, 0, tzinfo=UTC), ins=(ANN,))
    january = await week(db, late.starts_at + timedelta(hours=3), ins=(BOB,))
    now = january.starts_at + timedelta(hours=3)
    season = await attendance.season_attendance(db, CHAT, now, 2026)
    assert season is not None
    assert season.sessions == (date(2026, 12, 1), date(2026, 12, 29))
    assert [(m.runner.person.user_id, m.attended) for m in season.members] == [(ANN, 2)]
    new = await attendance.season_attendance(db, CHAT, now)
    assert new is not None and new.year == 2027 and new.sessions == (date(2027, 1, 5),)


def rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_results_csv_has_one_row_per_rep(db: Database) -> None:
    weeks = await three_weeks(db)
    async with db.sessions.begin() as s:
        await s.execute(
            update(Member).where(Member.user_id == ANN).values(first_name="=Ann", last_name="Ö")
        )
    await make_private(db, DAN)
    now = weeks[4].starts_at + timedelta(days=1)
    reps = await export.season_reps(db, CHAT, 2026, now)
    content = export.results_csv(reps)
    parsed = rows(content)
    assert list(parsed[0]) == list(export.RESULTS_HEADER)
    assert len(parsed) == 18  # three reports of six reps
    first = parsed[0]
    assert first == {
        "date": "2026-12-01",
        "member": "'=Ann Ö",
        "member_id": str(ANN),
        "rep": "1",
        "distance_m": "800",
        "time": "2:45.0",
        "ms": "165000",
        "pace_per_km": "3:26",
        "note": "windy",
    }
    skipped = parsed[2]
    assert (skipped["rep"], skipped["time"], skipped["ms"], skipped["pace_per_km"]) == (
        "3",
        "",
        "",
        "",
    )
    assert {row["date"] for row in parsed} == {"2026-12-01", "2026-12-08", "2026-12-15"}
    assert [row["rep"] for row in parsed[6:12]] == ["1", "2", "3", "4", "5", "6"]
    assert parsed[6]["member"] == "R4"  # private members are in the coach's export
    assert content.count(b"\r\n") == 19


async def test_attendance_csv_matches_the_season(db: Database) -> None:
    weeks = await three_weeks(db)
    await make_private(db, CAT)
    season = await attendance.season_attendance(db, CHAT, weeks[4].starts_at + timedelta(days=1))
    assert season is not None
    parsed = rows(export.attendance_csv(season))
    assert [list(row.values()) for row in parsed] == [
        ["R1", "1", "3", "2", "0", "3", ""],
        ["R2", "2", "2", "0", "1", "1", ""],
        ["R3", "3", "1", "0", "0", "1", "yes"],
        ["R4", "4", "1", "1", "0", "0", ""],
    ]
    assert list(parsed[0]) == list(export.ATTENDANCE_HEADER)


def test_time_and_pace_formats() -> None:
    assert export.time_tenths(163_456) == "2:43.5"
    assert export.time_tenths(58_249) == "0:58.2"
    assert export.time_tenths(59_960) == "1:00.0"
    assert export.time_tenths(3_765_000) == "62:45.0"
    assert export.pace_per_km(165_000, 800) == "3:26"
    assert export.pace_per_km(330_000, 1609.344) == "3:25"
