"""RSVP use cases: answers, waitlist and promotion, guests, refusals (both backends)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from db import rsvps, sessions
from db.engine import Database
from db.rsvp_taps import Tap, TapWriter
from db.views import Refusal, Refused
from domain.rsvp import Answer
from tests.db.helpers import ANNOUNCEMENT_MESSAGE, CHAT, NOW, OTHER_CHAT, runner, set_up_group


@pytest.fixture
async def writer(db: Database, database_url: str) -> AsyncIterator[TapWriter]:
    """The button path: taps committed in batches (db.rsvp_taps)."""
    taps = TapWriter(db.engine, database_url)
    yield taps
    await taps.close()


async def tap(
    writer: TapWriter,
    session_id: int,
    user_id: int,
    answer: Answer,
    minutes: int = 0,
    chat: int = CHAT,
    message: int = ANNOUNCEMENT_MESSAGE,
):
    when = NOW + timedelta(minutes=minutes)
    return await writer.answer(Tap(session_id, chat, message, runner(user_id), answer, when))


async def test_answers_are_recorded_and_changeable(db: Database, writer: TapWriter) -> None:
    session = await set_up_group(db)
    outcome = await tap(writer, session.id, 1, Answer.IN)
    assert outcome.answer is Answer.IN and outcome.going and outcome.changed
    again = await tap(writer, session.id, 1, Answer.IN, 1)
    assert not again.changed
    out = await tap(writer, session.id, 1, Answer.OUT, 2)
    assert out.answer is Answer.OUT and not out.going
    board = await rsvps.board(db, session.id)
    assert board is not None
    assert [(e.person.user_id, e.reply.answer) for e in board.entries] == [(1, Answer.OUT)]


async def test_capacity_waitlists_and_promotes_the_first_waiting(
    db: Database, writer: TapWriter
) -> None:
    session = await set_up_group(db, CHAT, ("capacity", "2"))
    for minute, user in enumerate((1, 2, 3, 4)):
        await tap(writer, session.id, user, Answer.IN, minute)
    board = await rsvps.board(db, session.id)
    assert board is not None
    assert [s.user_id for s in board.allocation.going] == [1, 2]
    assert [s.user_id for s in board.allocation.waitlist] == [3, 4]
    dropped = await tap(writer, session.id, 2, Answer.OUT, 10)
    assert [p.user_id for p in dropped.promoted] == [3]
    board = await rsvps.board(db, session.id)
    assert board is not None
    assert [s.user_id for s in board.allocation.going] == [1, 3]
    assert board.allocation.position(4) == 1


async def test_waitlisted_member_is_told_their_position(db: Database, writer: TapWriter) -> None:
    session = await set_up_group(db, CHAT, ("capacity", "1"))
    await tap(writer, session.id, 1, Answer.IN)
    second = await tap(writer, session.id, 2, Answer.IN, 1)
    assert not second.going and second.waitlist_position == 1


async def test_guests_take_seats_after_members_who_were_first(
    db: Database, writer: TapWriter
) -> None:
    session = await set_up_group(db, CHAT, ("capacity", "3"), ("guests", "on"))
    await tap(writer, session.id, 1, Answer.IN)
    await tap(writer, session.id, 2, Answer.IN, 1)
    with_guest = await rsvps.change_guests(
        db, session.id, CHAT, ANNOUNCEMENT_MESSAGE, runner(1), +1, NOW + timedelta(minutes=2)
    )
    assert with_guest.guests == 1
    await tap(writer, session.id, 3, Answer.IN, 3)
    board = await rsvps.board(db, session.id)
    assert board is not None
    assert len(board.allocation.going) == 3
    assert board.allocation.is_waitlisted(3)
    out = await tap(writer, session.id, 1, Answer.OUT, 4)  # the member and their guest leave
    assert [p.user_id for p in out.promoted] == [3]


async def test_guest_refusals(db: Database) -> None:
    session = await set_up_group(db)
    with pytest.raises(Refused) as off:
        await rsvps.change_guests(db, session.id, CHAT, ANNOUNCEMENT_MESSAGE, runner(1), 1, NOW)
    assert off.value.reason is Refusal.GUESTS_OFF
    session = await set_up_group(db, OTHER_CHAT, ("guests", "on"))
    with pytest.raises(Refused) as need_in:
        await rsvps.change_guests(
            db, session.id, OTHER_CHAT, ANNOUNCEMENT_MESSAGE, runner(1), 1, NOW
        )
    assert need_in.value.reason is Refusal.GUESTS_NEED_IN


@pytest.mark.parametrize(
    ("chat", "message", "reason"),
    [(OTHER_CHAT, ANNOUNCEMENT_MESSAGE, Refusal.WRONG_CHAT), (CHAT, 499, Refusal.STALE_BUTTON)],
)
async def test_foreign_or_old_buttons_are_refused_without_change(
    db: Database, writer: TapWriter, chat: int, message: int, reason: Refusal
) -> None:
    session = await set_up_group(db)
    with pytest.raises(Refused) as refused:
        await tap(writer, session.id, 1, Answer.IN, chat=chat, message=message)
    assert refused.value.reason is reason
    board = await rsvps.board(db, session.id)
    assert board is not None and board.entries == ()


async def test_no_answers_after_the_start_or_when_cancelled(
    db: Database, writer: TapWriter
) -> None:
    session = await set_up_group(db)
    with pytest.raises(Refused) as started:
        minutes_to_start = -int((NOW - session.starts_at).total_seconds() // 60)  # rounded up
        await tap(writer, session.id, 1, Answer.IN, minutes=minutes_to_start)
    assert started.value.reason is Refusal.STARTED
    await sessions.cancel_next(db, CHAT, "storm", NOW)
    with pytest.raises(Refused) as cancelled:
        await rsvps.answer_next(db, CHAT, runner(1), Answer.IN, NOW, None)
    assert cancelled.value.reason is Refusal.CANCELLED


async def test_concurrent_taps_are_all_kept(db: Database, writer: TapWriter) -> None:
    session = await set_up_group(db, CHAT, ("capacity", "10"))
    await asyncio.gather(*(tap(writer, session.id, user, Answer.IN) for user in range(1, 31)))
    board = await rsvps.board(db, session.id)
    assert board is not None
    assert len(board.entries) == 30
    assert len(board.allocation.going) == 10 and len(board.allocation.waitlist) == 20


async def test_note_is_saved_from_commands(db: Database) -> None:
    await set_up_group(db)
    outcome = await rsvps.answer_next(db, CHAT, runner(7), Answer.IN, NOW, "running late")
    board = await rsvps.board(db, outcome.session_id)
    assert board is not None and board.entries[0].note == "running late"
