"""RSVP use cases: answer by command, bring guests, and read the state an announcement shows.

Button taps (In / Maybe / Out) take the fast path in db.rsvp_taps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.convert import group_settings, person, session_view
from db.engine import Database
from db.groups import load_group
from db.members import remember
from db.models import Group, Member, Post, Rsvp, Session
from db.sessions import ANNOUNCEMENT, upcoming_row
from db.views import Board, Entry, Person, Refusal, Refused, RsvpOutcome
from domain.rsvp import MAX_GUESTS, Allocation, Answer, Reply, allocate, promoted


async def _locked_session(
    session: AsyncSession,
    session_id: int,
    chat_id: int,
    now: datetime,
    message_id: int | None = None,
) -> tuple[Session, Group]:
    """The session row, locked so taps on one announcement are applied one at a time.

    With `message_id` (a button press) the message must be the session's
    current announcement: buttons on replaced copies are refused.
    """
    row = (
        await session.execute(select(Session).where(Session.id == session_id).with_for_update())
    ).scalar_one_or_none()
    if row is None or row.group_id != chat_id:
        raise Refused(Refusal.WRONG_CHAT)
    group = await load_group(session, row.group_id)
    assert group is not None
    view = session_view(row, group)
    if message_id is not None:
        claimed = (
            await session.execute(
                select(Post.message_id).where(
                    Post.session_id == row.id,
                    Post.kind == ANNOUNCEMENT,
                    Post.chat_id == row.group_id,
                )
            )
        ).one_or_none()
        # Claimed, id not yet recorded: the announcement is being posted right now, and
        # the message tapped is that only copy. Never claimed: no announcement has these.
        recording = claimed is not None and claimed.message_id is None
        if not recording and (claimed is None or message_id != claimed.message_id):
            raise Refused(Refusal.STALE_BUTTON, view)
    if row.cancelled_at is not None:
        raise Refused(Refusal.CANCELLED, view)
    if row.starts_at <= now:
        raise Refused(Refusal.STARTED, view)
    return row, group


async def _rows(session: AsyncSession, session_id: int) -> list[tuple[Rsvp, Member]]:
    result = await session.execute(
        select(Rsvp, Member)
        .join(Member, Member.user_id == Rsvp.user_id)
        .where(Rsvp.session_id == session_id)
        .order_by(Rsvp.updated_at, Rsvp.user_id)
    )
    return [(rsvp, member) for rsvp, member in result.all()]


def _reply(rsvp: Rsvp) -> Reply:
    return Reply(
        user_id=rsvp.user_id,
        answer=Answer(rsvp.answer),
        guests=rsvp.guests,
        in_since=rsvp.in_since,
        guests_since=rsvp.guests_since,
    )


def _allocation(rows: list[tuple[Rsvp, Member]], capacity: int | None) -> Allocation:
    return allocate((_reply(rsvp) for rsvp, _ in rows), capacity)


async def answer_next(
    db: Database, chat_id: int, user: Person, answer: Answer, now: datetime, note: str | None
) -> RsvpOutcome:
    """Record a member's answer for the group's next session (from /in, /maybe, /out)."""
    async with db.sessions.begin() as session:
        group = await load_group(session, chat_id)
        if group is None or not group.configured:
            raise Refused(Refusal.NOT_SET_UP)
        upcoming = await upcoming_row(session, group, now)
        row, group = await _locked_session(session, upcoming.id, chat_id, now)
        return await _apply_answer(session, row, group, user, answer, note, now)


async def _apply_answer(
    session: AsyncSession,
    row: Session,
    group: Group,
    user: Person,
    answer: Answer,
    note: str | None,
    now: datetime,
) -> RsvpOutcome:
    await remember(session, user, group.chat_id, now)
    rows = await _rows(session, row.id)
    before = _allocation(rows, group.capacity)
    mine = next((rsvp for rsvp, _ in rows if rsvp.user_id == user.user_id), None)
    previous = mine.answer if mine is not None else None
    changed = previous != answer or (note is not None and mine is not None and mine.note != note)
    if mine is None:
        member = await session.get(Member, user.user_id)
        assert member is not None
        mine = Rsvp(session_id=row.id, user_id=user.user_id, guests=0, answer=answer)
        session.add(mine)
        rows.append((mine, member))
    if previous != answer:
        mine.in_since = now if answer is Answer.IN else None
        if answer is not Answer.IN:
            mine.guests = 0
            mine.guests_since = None
    mine.answer = answer
    if note is not None:
        mine.note = note or None
    mine.updated_at = now
    await session.flush()
    return await _outcome(session, row, group, rows, before, user, changed)


async def change_guests(
    db: Database,
    session_id: int,
    chat_id: int,
    message_id: int,
    user: Person,
    delta: int,
    now: datetime,
) -> RsvpOutcome:
    """Add or remove one guest of a member who is In."""
    async with db.sessions.begin() as session:
        row, group = await _locked_session(session, session_id, chat_id, now, message_id)
        view = session_view(row, group)
        if not group.guests_allowed:
            raise Refused(Refusal.GUESTS_OFF, view)
        await remember(session, user, group.chat_id, now)
        rows = await _rows(session, row.id)
        before = _allocation(rows, group.capacity)
        mine = next((rsvp for rsvp, _ in rows if rsvp.user_id == user.user_id), None)
        if mine is None or mine.answer != Answer.IN:
            raise Refused(Refusal.GUESTS_NEED_IN, view)
        if delta > 0 and mine.guests >= MAX_GUESTS:
            raise Refused(Refusal.GUESTS_MAX, view)
        if delta < 0 and mine.guests == 0:
            raise Refused(Refusal.NO_GUESTS, view)
        mine.guests += 1 if delta > 0 else -1
        if delta > 0:
            mine.guests_since = now
        mine.updated_at = now
        await session.flush()
        return await _outcome(session, row, group, rows, before, user, True)


async def _outcome(
    session: AsyncSession,
    row: Session,
    group: Group,
    rows: list[tuple[Rsvp, Member]],
    before: Allocation,
    user: Person,
    changed: bool,
) -> RsvpOutcome:
    after = _allocation(rows, group.capacity)
    members = {member.user_id: member for _, member in rows}
    lucky = [
        seat.user_id
        for seat in promoted(before, after)
        if seat.guest == 0 and seat.user_id != user.user_id
    ]
    promoted_people = [person(members[user_id]) for user_id in lucky]
    mine = next(rsvp for rsvp, _ in rows if rsvp.user_id == user.user_id)
    return RsvpOutcome(
        session_id=row.id,
        chat_id=group.chat_id,
        starts_at=row.starts_at,
        timezone=group.timezone,
        answer=Answer(mine.answer),
        guests=mine.guests,
        changed=changed,
        going=after.is_going(user.user_id),
        waitlist_position=after.position(user.user_id),
        promoted=tuple(promoted_people),
    )


_sessions, _groups = Session.__table__, Group.__table__
_announcement = Post.__table__.alias("announcement")
_answers, _names = Rsvp.__table__, Member.__table__


def announced_session(announcement: Any) -> Any:
    """Sessions with their group and, when there is one, their announcement's `posts`
    row (`announcement`: an alias of posts): what every tap and board statement starts
    from."""
    return _sessions.join(_groups, _groups.c.chat_id == _sessions.c.group_id).outerjoin(
        announcement,
        and_(
            announcement.c.session_id == _sessions.c.id,
            announcement.c.kind == ANNOUNCEMENT,
            announcement.c.chat_id == _sessions.c.group_id,
        ),
    )


# Everything an announcement shows in one statement (so one consistent snapshot without
# a transaction): the session, its group, its announcement's message id, and one row per
# answer with the member's name (a single row with empty answer columns when nobody has
# answered), oldest change first. Plain columns: the refresher reads this for every
# coalesced edit, through db.prepared on the tap writer (db.rsvp_taps.TapWriter.board).
BOARD = (
    select(
        *(column.label(f"session_{column.key}") for column in _sessions.columns),
        *(column.label(f"group_{column.key}") for column in _groups.columns),
        _announcement.c.message_id.label("announced_as"),
        _answers.c.user_id,
        _answers.c.answer,
        _answers.c.guests,
        _answers.c.in_since,
        _answers.c.guests_since,
        _answers.c.note,
        _names.c.first_name,
        _names.c.last_name,
        _names.c.username,
        _names.c.can_dm,
        _names.c.private,
    )
    .select_from(
        announced_session(_announcement)
        .outerjoin(_answers, _answers.c.session_id == _sessions.c.id)
        # Every answer has its member (foreign key); joined flat, SQLite uses the indexes.
        .outerjoin(_names, _names.c.user_id == _answers.c.user_id)
    )
    .where(_sessions.c.id == bindparam("session"))
    .order_by(_answers.c.updated_at, _answers.c.user_id)
)


def board_from_rows(rows: Sequence[Mapping[Any, Any]]) -> Board | None:
    """The Board that BOARD's rows describe (None: no such session)."""
    if not rows:
        return None
    first = rows[0]
    # Transient (never added to a session) rows, so db.convert stays the one mapping.
    group = Group(**{c.key: first[f"group_{c.key}"] for c in _groups.columns})
    row = Session(**{c.key: first[f"session_{c.key}"] for c in _sessions.columns})
    entries = tuple(
        Entry(
            person=Person(
                r["user_id"],
                r["first_name"],
                r["last_name"],
                r["username"],
                r["can_dm"],
                r["private"],
            ),
            reply=Reply(
                r["user_id"], Answer(r["answer"]), r["guests"], r["in_since"], r["guests_since"]
            ),
            note=r["note"],
        )
        for r in rows
        if r["user_id"] is not None
    )
    return Board(
        group=group_settings(group),
        session=session_view(row, group),
        entries=entries,
        allocation=allocate((entry.reply for entry in entries), group.capacity),
        announcement_message_id=first["announced_as"],
    )


async def board(db: Database, session_id: int) -> Board | None:
    """The fresh state of one session, as its announcement shows it."""
    async with db.engine.connect() as connection:
        result = await connection.execute(BOARD, {"session": session_id})
        return board_from_rows(result.mappings().all())


async def upcoming_answered(db: Database, user_id: int, now: datetime) -> list[int]:
    """Sessions not yet started that the member answered: their announcements name them."""
    async with db.sessions() as session:
        rows = await session.execute(
            select(Rsvp.session_id)
            .join(Session, Session.id == Rsvp.session_id)
            .where(Rsvp.user_id == user_id, Session.starts_at > now)
        )
        return list(rows.scalars())


async def record_refreshes(db: Database, shown: dict[int, datetime]) -> None:
    """Each session's announcement now shows the answers committed up to its instant."""
    async with db.sessions.begin() as session:
        for session_id, read_at in shown.items():
            await session.execute(
                update(Post)
                .where(Post.session_id == session_id, Post.kind == ANNOUNCEMENT)
                .values(edited_at=read_at)
            )


async def stale_announcements(db: Database, now: datetime) -> list[int]:
    """Live announcements older than their latest answer (the bot stopped before editing)."""
    shown_at = func.coalesce(Post.edited_at, Post.sent_at)
    async with db.sessions() as session:
        rows = await session.execute(
            select(Session.id)
            .join(Post, (Post.session_id == Session.id) & (Post.kind == ANNOUNCEMENT))
            .where(
                Post.sent_at.is_not(None),
                Session.starts_at > now,
                Session.cancelled_at.is_(None),
                select(Rsvp.session_id)
                .where(Rsvp.session_id == Session.id, Rsvp.updated_at > shown_at)
                .exists(),
            )
        )
        return list(rows.scalars())
