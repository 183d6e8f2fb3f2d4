"""RSVP use cases: answer by command, bring guests, and read the state an announcement shows.

Button taps (In / Maybe / Out) take the fast path in db.rsvp_taps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
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


async def board(db: Database, session_id: int) -> Board | None:
    """The fresh state of one session, as its announcement shows it."""
    async with db.sessions() as session:
        # Two statements: the refresher runs this for every coalesced announcement edit.
        found = (
            await session.execute(
                select(Session, Group, Post.message_id)
                .join(Group, Group.chat_id == Session.group_id)
                .outerjoin(
                    Post,
                    (Post.session_id == Session.id)
                    & (Post.kind == ANNOUNCEMENT)
                    & (Post.chat_id == Session.group_id),
                )
                .where(Session.id == session_id)
            )
        ).one_or_none()
        if found is None:
            return None
        row, group, message_id = found
        entries = await _entries(session, row.id)
        return Board(
            group=group_settings(group),
            session=session_view(row, group),
            entries=entries,
            allocation=allocate((entry.reply for entry in entries), group.capacity),
            announcement_message_id=message_id,
        )


async def _entries(session: AsyncSession, session_id: int) -> tuple[Entry, ...]:
    """Everyone's answer with their name, read as plain rows (no ORM objects: ~5x cheaper)."""
    result = await session.execute(
        select(
            Rsvp.user_id,
            Rsvp.answer,
            Rsvp.guests,
            Rsvp.in_since,
            Rsvp.guests_since,
            Rsvp.note,
            Member.first_name,
            Member.last_name,
            Member.username,
            Member.can_dm,
            Member.private,
        )
        .join(Member, Member.user_id == Rsvp.user_id)
        .where(Rsvp.session_id == session_id)
        .order_by(Rsvp.updated_at, Rsvp.user_id)
    )
    return tuple(
        Entry(
            person=Person(user_id, first, last, username, can_dm, private),
            reply=Reply(user_id, Answer(answer), guests, in_since, guests_since),
            note=note,
        )
        for (
            user_id,
            answer,
            guests,
            in_since,
            guests_since,
            note,
            first,
            last,
            username,
            can_dm,
            private,
        ) in result.all()
    )


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
