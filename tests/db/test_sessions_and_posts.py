"""Sessions (next, workout, cancel, move), post claims and reminder audiences."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from db import claims, groups, members, rsvps, sessions
from db.engine import Database
from db.sessions import ANNOUNCEMENT, PRIVATE_REMINDER, REMINDER
from db.views import Refusal, Refused
from domain.rsvp import Answer
from tests.db.helpers import CHAT, NOW, runner, set_up_group


async def test_next_session_is_the_regular_slot_and_stable(db: Database) -> None:
    await groups.ensure_group(db, CHAT, "Harriers", "Europe/London", NOW)
    with pytest.raises(Refused) as not_set_up:
        await sessions.next_session(db, CHAT, NOW)
    assert not_set_up.value.reason is Refusal.NOT_SET_UP
    await groups.set_setting(db, CHAT, "time", "18:30", NOW)
    first = await sessions.next_session(db, CHAT, NOW)
    second = await sessions.next_session(db, CHAT, NOW)
    assert first == second
    assert first.starts_at == datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    assert first.week == date(2026, 11, 30)
    assert first.announce_at == first.starts_at - timedelta(hours=48)
    after = await sessions.next_session(db, CHAT, first.starts_at)
    assert after.starts_at == datetime(2026, 12, 8, 18, 30, tzinfo=UTC)


async def test_workout_for_next_and_for_a_later_date(db: Database) -> None:
    session = await set_up_group(db)
    saved = await sessions.set_workout(db, CHAT, "6x800m @5K r90s", {"parts": []}, NOW)
    assert saved.id == session.id and saved.workout_text == "6x800m @5K r90s"
    later = await sessions.set_workout(db, CHAT, "hills", None, NOW, date(2026, 12, 8))
    assert later.starts_at == datetime(2026, 12, 8, 18, 30, tzinfo=UTC)
    with pytest.raises(Refused) as wrong_day:
        await sessions.set_workout(db, CHAT, "hills", None, NOW, date(2026, 12, 9))
    assert wrong_day.value.reason is Refusal.NOT_A_SESSION_DAY


async def test_cancel_tells_in_and_maybe_only_and_cannot_repeat(db: Database) -> None:
    session = await set_up_group(db)
    await rsvps.answer_next(db, CHAT, runner(1), Answer.IN, NOW, None)
    await rsvps.answer_next(db, CHAT, runner(2), Answer.MAYBE, NOW, None)
    await rsvps.answer_next(db, CHAT, runner(3), Answer.OUT, NOW, None)
    change = await sessions.cancel_next(db, CHAT, "thunderstorms", NOW)
    assert change.session.id == session.id and change.session.cancelled
    assert change.session.cancel_reason == "thunderstorms"
    assert sorted(p.user_id for p in change.to_tell) == [1, 2]
    assert change.announcement_message_id is not None
    with pytest.raises(Refused):
        await sessions.cancel_next(db, CHAT, None, NOW)


async def test_move_pins_reinstates_and_rearms_the_reminder(db: Database) -> None:
    session = await set_up_group(db)
    assert await claims.claim(db, session.id, REMINDER, CHAT, NOW)
    await sessions.cancel_next(db, CHAT, None, NOW)
    thursday = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    change = await sessions.move_next(db, CHAT, thursday, NOW)
    assert change.previous_start == session.starts_at
    assert change.session.starts_at == thursday and change.session.pinned
    assert not change.session.cancelled
    plan = await sessions.plan_group(db, CHAT, NOW)
    assert plan is not None and plan.announced and not plan.reminded
    # A pinned session is not re-timed by settings changes.
    saved = await groups.set_setting(db, CHAT, "time", "07:00", NOW)
    assert saved.retimed == ()


async def test_a_claim_is_won_once_even_when_contended(db: Database) -> None:
    session = await set_up_group(db)
    results = await asyncio.gather(
        *(claims.claim(db, session.id, REMINDER, CHAT, NOW) for _ in range(10))
    )
    assert results.count(True) == 1


async def test_an_unsent_claim_expires_a_sent_one_never(db: Database) -> None:
    session = await set_up_group(db)
    assert await claims.claim(db, session.id, REMINDER, CHAT, NOW)
    assert not await claims.claim(db, session.id, REMINDER, CHAT, NOW + timedelta(minutes=1))
    later = NOW + claims.CLAIM_EXPIRY + timedelta(seconds=1)
    assert await claims.claim(db, session.id, REMINDER, CHAT, later)
    await claims.record_sent(db, session.id, REMINDER, CHAT, 77, later)
    assert not await claims.claim(db, session.id, REMINDER, CHAT, later + timedelta(hours=1))
    # The announcement was claimed and sent by set_up_group.
    assert not await claims.claim(db, session.id, ANNOUNCEMENT, CHAT, later + timedelta(days=1))


async def test_release_gives_the_claim_back(db: Database) -> None:
    session = await set_up_group(db)
    assert await claims.claim(db, session.id, REMINDER, CHAT, NOW)
    await claims.release(db, session.id, REMINDER, CHAT)
    assert await claims.claim(db, session.id, REMINDER, CHAT, NOW)


async def test_replace_message_returns_the_old_copy(db: Database) -> None:
    session = await set_up_group(db)
    before = await rsvps.board(db, session.id)
    assert before is not None and before.announcement_message_id is not None
    old = before.announcement_message_id
    assert await claims.replace_message(db, session.id, ANNOUNCEMENT, CHAT, 900, NOW) == old
    after = await rsvps.board(db, session.id)
    assert after is not None and after.announcement_message_id == 900


async def test_private_reminders_go_to_opted_in_members_not_out(db: Database) -> None:
    session = await set_up_group(db)
    for user in (1, 2, 3, 4):
        await rsvps.answer_next(
            db, CHAT, runner(user), Answer.IN if user != 3 else Answer.OUT, NOW, None
        )
    for user in (1, 3):
        await members.set_private_reminders(db, runner(user), True, NOW)
    await members.set_private_reminders(db, runner(5), True, NOW)  # not in this group
    audience = await members.private_reminder_audience(db, session.id)
    assert [p.user_id for p in audience] == [1]
    assert await claims.claim(db, session.id, PRIVATE_REMINDER, 1, NOW)


async def test_coaches_are_per_group(db: Database) -> None:
    await set_up_group(db)
    assert await members.add_coach(db, CHAT, runner(9), 1, NOW)
    assert not await members.add_coach(db, CHAT, runner(9), 1, NOW)
    assert await members.is_coach(db, CHAT, 9)
    assert not await members.is_coach(db, -5, 9)
    assert await members.remove_coach(db, CHAT, 9)
    assert not await members.is_coach(db, CHAT, 9)
