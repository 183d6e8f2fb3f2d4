"""/report through the real Application: summaries, partial reports, coaches, privacy of data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db import sessions
from db.models import Member, Result, ResultChange
from tests.handlers.conftest import ADMIN, ANN, BOB, GROUP, Harness
from tests.handlers.test_session_flow import announce, set_up


async def after_session(h: Harness, workout: str = "6x800m @5K r90s") -> None:
    await set_up(h)
    await h.say(ADMIN, f"/workout {workout}")
    await announce(h)
    session = await sessions.next_session(h.services.db, GROUP, h.clock.now)
    h.clock.now = session.starts_at + timedelta(minutes=95)


async def results_rows(h: Harness) -> list[tuple[int, str, int]]:
    async with h.services.db.sessions() as s:
        rows = await s.execute(select(Result.user_id, Result.status, Result.reported_by))
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_no_report_before_the_session_starts(harness: Harness) -> None:
    await set_up(harness)
    assert "no session to report" in await harness.say(ANN, "/report 2:45 2:43")


async def test_a_full_report_is_summarised_with_paces_and_first_bests(harness: Harness) -> None:
    await after_session(harness)
    reply = await harness.say(ANN, "/report 2:45 2:43 2:41 2:40 2:38 2:35 # windy")
    assert reply.startswith("✅ Saved: Tue 1 Dec, 18:30"), reply
    assert "1. 2:45  (3:26.3/km, 5:31.9/mi)" in reply
    assert "average 2:40.3" in reply and "fastest #6" in reply and "slowest #1" in reply
    assert "fade" in reply and "Note: windy" in reply
    assert "PB 800 m: 2:35 (first one)" in reply and "Best average for 6x800m" in reply
    again = await harness.say(ANN, "/report 2:50 2:50 2:50 2:50 2:50 2:50")
    assert again.startswith("✅ Updated") and "PB" in again  # the replaced report doesn't count
    assert await results_rows(harness) == [(ANN, "reported", ANN)]
    assert "Removed" in await harness.say(ANN, "/report undo")
    assert await results_rows(harness) == []
    assert "no report" in await harness.say(ANN, "/report undo")


async def test_a_partial_report_is_confirmed_with_a_button(harness: Harness) -> None:
    await after_session(harness, "4x(400m,200m) @mile r200m jog")
    question = await harness.say(ANN, "/report 75 36 74")
    assert "4 × (400 m + 200 m): 8 reps" in question and "you gave 3 times" in question
    assert await results_rows(harness) == []
    asked = harness.api.messages_in(GROUP)[-1]
    cancel = next(b for b in asked.buttons if b["text"] == "Cancel")
    await harness.press(ANN, asked.message_id, str(cancel["callback_data"]))
    assert await results_rows(harness) == []
    await harness.say(ANN, "/report 75 36 74")
    asked = harness.api.messages_in(GROUP)[-1]
    save = next(b for b in asked.buttons if b["text"] == "Save as it is")
    assert "expired" in await harness.press(BOB, asked.message_id, str(save["callback_data"]))
    await harness.press(ANN, asked.message_id, str(save["callback_data"]))
    assert any(t.startswith("✅ Saved") for t in harness.bot_texts())
    assert await results_rows(harness) == [(ANN, "reported", ANN)]


async def test_impossible_splits_are_refused_with_a_reason(harness: Harness) -> None:
    await after_session(harness)
    reply = await harness.say(ANN, "/report 0:40 2:43 2:41 2:40 2:38 2:35")
    assert reply.startswith("🤔") and "800" in reply
    assert "🤔" in await harness.say(ANN, "/report 2:7x")
    assert "Usage" in await harness.say(ANN, "/report")
    assert await results_rows(harness) == []


async def test_coaches_report_for_others_and_mark_no_shows_audited(harness: Harness) -> None:
    await after_session(harness)
    assert "Only coaches" in await harness.say(ANN, "/report @Zed 2:50 2:50 2:50 2:50 2:50 2:50")
    saved = await harness.say(ADMIN, "/report @Zed 2:50 2:50 2:50 2:50 2:50 2:50")
    assert "Saved for Zed" in saved
    await harness.say(BOB, "/out")  # Bob writes something the coach can reply to
    bob_message = [m for m in harness.api.messages_in(GROUP) if m.from_id == BOB][-1]
    assert "no-show" in await harness.say(ADMIN, "/report noshow", reply_to=bob_message.message_id)
    async with harness.services.db.sessions() as s:
        zed = (await s.execute(select(Member).where(Member.first_name == "Zed"))).scalar_one()
        changes = (
            await s.execute(
                select(ResultChange.action, ResultChange.user_id, ResultChange.actor_id)
            )
        ).all()
    assert zed.user_id < 0  # no Telegram account
    assert sorted(tuple(c) for c in changes) == sorted(
        [("report", zed.user_id, ADMIN), ("no_show", BOB, ADMIN)]
    )


async def test_the_private_deep_link_lets_a_member_report_privately(harness: Harness) -> None:
    await after_session(harness)
    harness.api.user_starts(ANN, f"report_{abs(GROUP)}")
    await harness.feed(harness.api.updates_log()[-1])
    assert "Send me your splits" in harness.bot_texts(ANN)[-1]
    reply = await harness.say(ANN, "/report 2:45 2:43 2:41 2:40 2:38 2:35", chat=ANN)
    assert reply.startswith("✅ Saved")


async def test_a_private_members_times_never_reach_the_group(harness: Harness) -> None:
    await after_session(harness)
    harness.api.user_starts(ANN)
    await harness.feed(harness.api.user_sends(ANN, ANN, "/private on"))
    reply = await harness.say(ANN, "/report 2:45 2:43 2:41 2:40 2:38 2:35")
    assert reply == "✅ Got it: the details went to you privately."
    assert any("2:35" in t for t in harness.bot_texts(ANN))
    partial = await harness.say(ANN, "/report 2:45 2:43")
    assert "privately" in partial
    assert all("2:43" not in t for t in harness.bot_texts(GROUP))
