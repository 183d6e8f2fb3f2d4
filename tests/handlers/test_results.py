"""The reporting window through the real Application: prompt, nudges, board, coach views.

Scheduled jobs are called directly with the clock set, as in test_session_flow.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from db import boards, claims, results, sessions
from db.models import Member
from db.views import Person, SessionView
from domain.notation import parse_workout, workout_to_dict
from domain.report import parse_report
from domain.splits_check import check_report
from handlers.render_results import MAX_TEXT, example_report, text_length
from jobs import results_posts
from jobs.scheduler import rebuild
from tests.fake_api import BOT_USERNAME
from tests.handlers.conftest import ADMIN, ANN, BOB, CAT, DAN, GROUP, Harness
from tests.handlers.test_session_flow import set_up

WORKOUT = "6x800m @5K r90s"
NAMES = {ANN: "Ann", BOB: "Bob", CAT: "Cat", DAN: "Dan"}


@pytest.fixture
def h(harness: Harness) -> Harness:
    """The harness (the commands are registered by handlers/__init__.py)."""
    return harness


async def make_private(h: Harness, user_id: int) -> None:
    async with h.services.db.sessions.begin() as s:
        await s.execute(update(Member).where(Member.user_id == user_id).values(private=True))


async def a_session(h: Harness, ins: tuple[int, ...] = (ANN, BOB, CAT)) -> SessionView:
    """Set up (first time), the next session's workout, and who said In."""
    if not (await sessions.plan_all(h.services.db, h.clock.now)):
        await set_up(h)
    await h.say(ADMIN, f"/workout {WORKOUT}")
    for user in ins:
        assert "You're in" in await h.say(user, "/in")
    return await sessions.next_session(h.services.db, GROUP, h.clock.now)


async def save(h: Harness, user: int, text: str) -> None:
    await results.save_report(
        h.services.db, GROUP, Person(user, NAMES[user]), user, parse_report(text), h.clock.now
    )


def group_posts(h: Harness) -> list[str]:
    """Every bot message in the group, raw HTML (links included) and as shown."""
    return [f"{m.text or ''}\n{m.plain_text or ''}" for m in h.api.messages_in(GROUP) if m.from_bot]


def assert_never_named(h: Harness, user: int) -> None:
    for post in group_posts(h):
        assert NAMES[user] not in post and f"tg://user?id={user}" not in post, post


async def test_the_prompt_thanks_those_in_explains_report_and_links_privately(h: Harness) -> None:
    session = await a_session(h)
    await make_private(h, CAT)
    h.clock.now = session.starts_at + timedelta(minutes=30)  # still running
    assert await results_posts.post_report_prompt(h.app.bot, h.services, session.id) is None
    h.clock.now = session.ends_at
    first = await results_posts.post_report_prompt(h.app.bot, h.services, session.id)
    again = await results_posts.post_report_prompt(h.app.bot, h.services, session.id)
    assert first is not None and again is None
    prompt = h.api.message(GROUP, first)
    assert "How did it go?" in (prompt.plain_text or "")
    raw = prompt.text or ""
    assert f'<a href="tg://user?id={ANN}">Ann</a>' in raw and f"tg://user?id={BOB}" in raw
    assert "and 1 more" in raw
    example = "/report 2:45 2:44 2:43 2:42 2:41 2:40"
    assert f"<code>{example}</code>" in raw
    assert prompt.buttons[0]["url"] == f"https://t.me/{BOT_USERNAME}?start=report_{-GROUP}"
    assert_never_named(h, CAT)
    assert (
        await claims.claim(h.services.db, session.id, boards.REPORT_PROMPT, GROUP, h.clock.now)
        is False
    )


async def test_the_example_fits_the_workout_whatever_it_is(h: Harness) -> None:
    for notation in (WORKOUT, "4x(400m,200m) @mile r200m jog", "10x1min r1min", "3x1mi @T"):
        workout = parse_workout(notation)
        now = h.clock.now
        view = SessionView(
            id=1,
            group_id=GROUP,
            week=now.date(),
            starts_at=now,
            duration=timedelta(hours=1),
            pinned=False,
            workout_text=notation,
            workout=workout_to_dict(workout),
            cancelled_at=None,
            cancel_reason=None,
            announce_at=now,
            reminder_at=now,
        )
        example = example_report(view)
        checked = check_report(parse_report(example.removeprefix("/report ")), workout)
        assert checked.mismatch is None, (notation, example)


async def test_no_prompt_once_the_board_is_out_but_a_late_board_still_goes(h: Harness) -> None:
    session = await a_session(h)
    h.clock.now = session.starts_at + timedelta(hours=2)
    await save(h, ANN, "2:45 2:43 2:41 2:40 2:38 2:35")
    call = await boards.report_call(h.services.db, session.id)
    assert call is not None
    h.clock.now = call.board_at + timedelta(hours=20)  # the bot was down
    await rebuild(h.app.job_queue, h.services)
    jobs = {job.name: job for job in h.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert f"prompt:{GROUP}" not in jobs and f"nudge:{GROUP}" not in jobs
    assert jobs[f"board:{GROUP}"].job.trigger.run_date == h.clock.now
    assert await results_posts.post_report_prompt(h.app.bot, h.services, session.id) is None
    assert await results_posts.post_results_board(h.app.bot, h.services, session.id)
    assert await results_posts.post_results_board(h.app.bot, h.services, session.id) is None
    boards_posted = [t for t in h.bot_texts(GROUP) if t.startswith("📊 Results")]
    assert len(boards_posted) == 1
    await rebuild(h.app.job_queue, h.services)
    names = {job.name for job in h.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert f"board:{GROUP}" not in names


async def test_the_scheduler_plans_prompt_nudge_and_board_for_the_latest_session(
    h: Harness,
) -> None:
    session = await a_session(h)
    jobs = {job.name: job for job in h.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert f"prompt:{GROUP}" not in jobs  # no session has started yet
    h.clock.now = session.starts_at + timedelta(seconds=1)  # the roll-over
    await rebuild(h.app.job_queue, h.services)
    jobs = {job.name: job for job in h.app.job_queue.jobs()}  # type: ignore[union-attr]
    call = await boards.report_call(h.services.db, session.id)
    assert call is not None
    assert jobs[f"prompt:{GROUP}"].job.trigger.run_date == session.ends_at
    assert jobs[f"nudge:{GROUP}"].job.trigger.run_date == call.board_at - boards.NUDGE_LEAD
    assert jobs[f"board:{GROUP}"].job.trigger.run_date == call.board_at
    assert all(jobs[f"{k}:{GROUP}"].data == session.id for k in ("prompt", "nudge", "board"))
    h.clock.now = session.ends_at
    await results_posts.post_report_prompt(h.app.bot, h.services, session.id)
    await rebuild(h.app.job_queue, h.services)
    names = {job.name for job in h.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert f"prompt:{GROUP}" not in names and f"board:{GROUP}" in names
    # A board with nothing reported is skipped, once and for all.
    h.clock.now = call.board_at
    assert await results_posts.post_results_board(h.app.bot, h.services, session.id) is None
    await rebuild(h.app.job_queue, h.services)
    names = {job.name for job in h.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert not {f"{k}:{GROUP}" for k in ("prompt", "nudge", "board")} & names
    assert not [t for t in h.bot_texts(GROUP) if t.startswith("📊")]


async def test_nudges_go_once_to_those_in_without_a_result_who_started_the_bot(
    h: Harness,
) -> None:
    for user in (ANN, BOB, DAN):
        h.api.user_starts(user)
        await h.feed(h.api.user_sends(user, user, "/start"))
    session = await a_session(h, ins=(ANN, BOB, CAT))  # Cat never started the bot
    h.clock.now = session.starts_at + timedelta(hours=2)
    await save(h, BOB, "2:45 " * 6)
    call = await boards.report_call(h.services.db, session.id)
    assert call is not None
    h.clock.now = call.board_at - boards.NUDGE_LEAD
    assert await results_posts.post_report_nudges(h.app.bot, h.services, session.id) == 1
    assert await results_posts.post_report_nudges(h.app.bot, h.services, session.id) == 0
    nudges = [m for m in h.api.messages_in(ANN) if m.from_bot and "How did" in (m.text or "")]
    assert len(nudges) == 1
    assert nudges[0].buttons[0]["url"].endswith(f"?start=report_{-GROUP}")
    assert "/report 2:45 2:44" in (nudges[0].plain_text or "")
    for user in (BOB, DAN):
        assert not [t for t in h.bot_texts(user) if "How did" in t]
    plan = await sessions.plan_group(h.services.db, GROUP, h.clock.now)
    assert plan is not None and boards.NUDGE_ROUND in plan.reporting_posts


async def two_weeks_of_reports(h: Harness) -> tuple[SessionView, SessionView]:
    first = await a_session(h, ins=(ANN, BOB))
    h.clock.now = first.starts_at + timedelta(hours=2)
    await save(h, ANN, "2:45 " * 6)
    await save(h, CAT, "2:50 " * 6)
    h.clock.now = first.starts_at + timedelta(days=2)
    second = await a_session(h, ins=(ANN, BOB, CAT, DAN))
    h.clock.now = second.starts_at + timedelta(hours=2)
    await save(h, ANN, "2:45 2:44 2:43 2:42 2:41 2:35")
    await save(h, BOB, "2:40 2:40.2 2:40.1 2:40 2:40.3 2:40.1")
    await save(h, CAT, "2:40 2:39 2:38 2:37 2:36 2:30")  # a PB, and private
    await results.mark_no_show(h.services.db, GROUP, Person(DAN, "Dan"), ADMIN, h.clock.now)
    await make_private(h, CAT)
    return first, second


async def test_the_board_shows_averages_trends_pbs_and_the_most_consistent(h: Harness) -> None:
    _, second = await two_weeks_of_reports(h)
    call = await boards.report_call(h.services.db, second.id)
    assert call is not None
    h.clock.now = call.board_at
    message_id = await results_posts.post_results_board(h.app.bot, h.services, second.id)
    assert message_id is not None
    board = h.api.message(GROUP, message_id).plain_text or ""
    assert board.startswith("📊 Results · Tue 8 Dec, 18:30")
    assert "✅ 3 reported (4 said In): Ann, Bob and 1 more" in board
    assert "Ann: 800 m avg 2:41.7, 2:45 → 2:35 (10 s faster), even" in board
    assert "Bob: 800 m avg 2:40.1, 2:40 → 2:40.1 (faded 0.1 s), very even" in board
    assert "… and 1 more" in board
    assert "🏅 Personal bests\nAnn: 800 m in 2:35 (was 2:45), 6x800m average 2:41.7" in board
    assert "🎯 Most consistent: Bob, 800 m reps within 0.3 s" in board
    assert "Dan" not in board  # no-shows are not shown
    assert_never_named(h, CAT)
    assert await results_posts.post_results_board(h.app.bot, h.services, second.id) is None


async def test_results_command_shows_the_latest_or_a_dated_board(h: Harness) -> None:
    await set_up(h)
    assert "no session with results" in await h.say(ANN, "/results")
    first, second = await two_weeks_of_reports(h)
    latest = await h.say(ANN, "/results")
    assert latest.startswith("📊 Results · Tue 8 Dec") and "Not on the board yet?" in latest
    dated = await h.say(BOB, "/results 2026-12-01")
    assert dated.startswith("📊 Results · Tue 1 Dec") and "Not on the board yet?" not in dated
    assert "800 m 2:45" not in dated and "Ann: 800 m avg 2:45" in dated
    assert "year-month-day" in await h.say(ANN, "/results yesterday")
    assert "year-month-day" in await h.say(ANN, "/results 2026-02-30")
    assert "hasn't started" in await h.say(ANN, "/results 2026-12-15")
    assert "no session on 2026-12-02" in await h.say(ANN, "/results 2026-12-02")
    assert_never_named(h, CAT)
    # In private, for the home group; private members stay unnamed there too.
    h.api.user_starts(DAN)
    await h.feed(h.api.user_sends(DAN, DAN, "/start"))
    private = await h.say(DAN, "/results", chat=DAN)
    assert private.startswith("📊 Results · Tue 8 Dec") and "Cat" not in private
    assert first.id != second.id


async def test_a_long_board_is_cut_with_and_more(h: Harness) -> None:
    session = await a_session(h, ins=(ANN,))
    h.clock.now = session.starts_at + timedelta(hours=2)
    for user_id in range(100, 180):
        h.api.add_user(user_id, "N" * 60)
        await results.save_report(
            h.services.db,
            GROUP,
            Person(user_id, "<b>" + "N" * 250, "&" * 200),
            user_id,
            parse_report("2:45 2:44 2:43 2:42 2:41 2:40"),
            h.clock.now,
        )
    text = await h.say(ANN, "/results")
    assert "… and" in text and "more" in text
    last = h.api.messages_in(GROUP)[-1]
    assert text_length(last.text or "") <= MAX_TEXT and "&lt;b&gt;" in (last.text or "")


async def test_attendance_is_for_coaches_and_hides_private_members_in_the_group(
    h: Harness,
) -> None:
    await two_weeks_of_reports(h)
    assert "Only coaches" in await h.say(ANN, "/attendance")
    text = await h.say(ADMIN, "/attendance")
    assert text.startswith("📋 Attendance 2026 · Harriers")
    assert "2 sessions, 1 Dec – 8 Dec" in text  # noqa: RUF001
    assert "Ann: 2 (2 reported) · streak 2" in text
    assert "Bob: 2 (1 reported) · streak 2" in text
    assert "Dan: 0 · 1 no-show" in text
    assert "🔒 1 private member counted, not named." in text
    assert_never_named(h, CAT)
    assert "up to 2026" in await h.say(ADMIN, "/attendance 2027")
    assert "No sessions held" in await h.say(ADMIN, "/attendance 2025")
    # In private, a coach of the home group sees everyone.
    h.api.user_starts(ADMIN)
    await h.feed(h.api.user_sends(ADMIN, ADMIN, f"/start g{-GROUP}"))
    private = await h.say(ADMIN, "/attendance", chat=ADMIN)
    assert "Cat 🔒: 2 (2 reported) · streak 2" in private
    h.api.user_starts(ANN)
    await h.feed(h.api.user_sends(ANN, ANN, "/start"))
    assert "Only coaches" in await h.say(ANN, "/attendance", chat=ANN)


def parse_csv(content: bytes | None) -> list[dict[str, str]]:
    assert content is not None
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_export_sends_both_csv_files_privately_to_the_coach(h: Harness) -> None:
    await two_weeks_of_reports(h)
    assert "Only coaches" in await h.say(ANN, "/export")
    refused = await h.say(ADMIN, "/export")
    assert "send it privately" in refused
    assert not [call for call in h.api.calls_of("sendDocument") if call.ok]
    h.api.start_private(ADMIN)
    assert "sent you the 2026 export privately" in await h.say(ADMIN, "/export")
    documents = [m for m in h.api.messages_in(ADMIN) if m.document is not None]
    assert [d.document.filename for d in documents if d.document] == [
        "harriers-results-2026.csv",
        "harriers-attendance-2026.csv",
    ]
    assert len([call for call in h.api.calls_of("sendDocument") if call.ok]) == 2
    reps = parse_csv(documents[0].document.content if documents[0].document else None)
    assert len(reps) == 5 * 6
    assert reps[0]["date"] == "2026-12-01" and reps[0]["member"] == "Ann"
    assert (reps[0]["time"], reps[0]["ms"], reps[0]["pace_per_km"]) == ("2:45.0", "165000", "3:26")
    assert {r["member"] for r in reps} == {"Ann", "Bob", "Cat"}
    people = parse_csv(documents[1].document.content if documents[1].document else None)
    assert [(p["member"], p["sessions_attended"], p["no_shows"]) for p in people] == [
        ("Ann", "2", "0"),
        ("Bob", "2", "0"),
        ("Cat", "2", "0"),
        ("Dan", "0", "1"),
    ]
    assert "Attendance 2026: 2 session(s), 4 member(s)" in (documents[1].caption or "")
    assert_never_named(h, CAT)
