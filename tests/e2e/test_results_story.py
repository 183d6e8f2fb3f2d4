"""After the session, end to end: reports, the "How did it go?" post, the results board,
personal views with a chart, and the coach's CSV export, against the real bot process."""

from __future__ import annotations

import asyncio
import csv
import io
import struct
import time
from datetime import UTC, datetime, timedelta

import pytest

from db import results, sessions
from db.engine import Database
from db.views import Person
from domain.notation import parse_workout, workout_to_dict
from domain.report import parse_report
from tests.e2e.conftest import ANN, BOB, CAT, COACH, DAN, GROUP, BotProcess
from tests.e2e.test_weekly_story import announcements, press, say
from tests.fake_api import FakeTelegram

pytestmark = pytest.mark.e2e


def wait_until_utc(instant: datetime) -> None:
    while datetime.now(UTC) < instant:
        time.sleep(0.5)


async def seed_last_week(database_url: str, start: datetime) -> None:
    """Ann's report of the week before, so /progress has two sessions to draw."""
    db = Database.connect(database_url)
    try:
        last_week = start - timedelta(days=7)
        before = last_week - timedelta(hours=1)
        await sessions.next_session(db, GROUP, before)
        workout = parse_workout("6x800m @5K r90s")
        await sessions.set_workout(db, GROUP, "6x800m @5K r90s", workout_to_dict(workout), before)
        await results.save_report(
            db,
            GROUP,
            Person(ANN, "Ann"),
            ANN,
            parse_report("2:50 2:49 2:48 2:47 2:46 2:45"),
            last_week + timedelta(hours=1),
        )
    finally:
        await db.dispose()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_reports_prompt_board_views_and_export(api: FakeTelegram, bot: BotProcess) -> None:
    now = datetime.now(UTC)
    start = (now + timedelta(minutes=3)).replace(second=0, microsecond=0)
    if start - now < timedelta(minutes=2, seconds=20):
        start += timedelta(minutes=1)
    board_at = start + timedelta(minutes=3)
    say(api, COACH, "/set tz UTC", "Saved")
    say(api, COACH, f"/set day {start.strftime('%A').lower()}", "Saved")
    say(api, COACH, f"/set time {start:%H:%M}", "Saved")
    say(api, COACH, "/set duration 1m", "Saved")
    say(api, COACH, f"/set board {board_at:%H:%M} same day", "Saved")
    say(api, COACH, "/workout 6x800m @5K r90s", "Read as")
    say(api, COACH, "/announce", "Speed session")
    asyncio.run(seed_last_week(bot.env["DATABASE_URL"], start))
    announcement = announcements(api)[-1]
    for runner in (ANN, BOB, CAT, DAN):
        assert press(api, runner, announcement, "in").startswith("You're in")
    api.user_starts(DAN)
    say(api, DAN, "/private on", "private", chat=DAN)
    api.user_starts(COACH)

    wait_until_utc(start + timedelta(seconds=2))
    # Reports: Ann in the group, Bob privately through the deep link, Dan (private) too.
    say(api, ANN, "/report 2:45 2:43 2:41 2:40 2:38 2:35", "PB 800 m")
    api.user_starts(BOB, f"report_{abs(GROUP)}")
    api.wait_for_message(BOB, "Send me your splits", timeout=15)
    say(api, BOB, "/report 2:55 2:54 2:53 2:52 2:51 2:50", "Saved", chat=BOB)
    say(api, DAN, "/report 3:05 3:04 3:03 3:02 3:01 3:00", "Saved", chat=DAN)

    # "How did it go?" at the end: mentions those who were In, except the private runner.
    prompt = api.wait_for_message(GROUP, "How did it go?", timeout=120)
    text = prompt.plain_text or ""
    assert "Ann" in text and "Cat" in text and "Dan" not in text
    assert any(f"start=report_{abs(GROUP)}" in str(b.get("url")) for b in prompt.buttons)

    # The board when the window closes: Ann and Bob named, Dan counted only.
    # (The seeded week gets its own, late board first: that is the catch-up rule.)
    this_week = f"Results · {start:%a} {start.day} {start:%b}"
    board = api.wait_for_message(GROUP, this_week, timeout=240)
    shown = board.plain_text or ""
    assert "3 reported" in shown and "Ann" in shown and "Bob" in shown and "Dan" not in shown
    assert all("Dan" not in (m.plain_text or "") for m in api.messages_in(GROUP) if m.from_bot)
    assert len([m for m in api.messages_in(GROUP) if this_week in (m.plain_text or "")]) == 1

    # Personal views, and the chart as a real PNG.
    api.user_starts(ANN)
    me = say(api, ANN, "/me", "2:35", chat=ANN)
    assert "2:45" in (me.plain_text or "")
    assert "2:35" in (say(api, ANN, "/pb", "800", chat=ANN).plain_text or "")
    mark = api.call_mark()
    api.user_sends(ANN, ANN, "/progress 800")
    photo = api.wait_for_call("sendPhoto", timeout=60, after_index=mark)
    image = next(iter(photo.files.values())).content
    width, height = png_size(image)
    assert width >= 400 and height >= 250 and len(image) < 5_000_000

    # The coach's export arrives privately as two CSV files that read back as rows.
    mark = api.call_mark()
    say(api, COACH, "/export", "privately")
    api.wait_until(lambda: len(api.calls_of("sendDocument")) >= 2, 30, "two CSV documents")
    documents = {
        m.document.filename or "": m.document.content or b""
        for m in api.messages_in(COACH)
        if m.document is not None
    }
    results_csv = next(v for k, v in documents.items() if "results" in k)
    rows = list(csv.DictReader(io.StringIO(results_csv.decode("utf-8-sig"))))
    reps = [r for r in rows if r.get("date") == start.date().isoformat()]
    assert len(reps) == 18  # Ann, Bob and Dan: six reps each
    assert {r["member"] for r in reps} == {"Ann", "Bob", "Dan"}
    attendance_csv = next(v for k, v in documents.items() if "attendance" in k)
    attendance = list(csv.DictReader(io.StringIO(attendance_csv.decode("utf-8-sig"))))
    by_member = {row["member"]: row for row in attendance}
    assert {"Ann", "Bob", "Cat", "Dan"} <= set(by_member)
