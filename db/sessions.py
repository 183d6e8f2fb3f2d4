"""Use cases about sessions: which one is next, its workout, cancelling and moving it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import boards
from db.convert import group_settings, person, session_view
from db.engine import Database
from db.groups import load_group
from db.models import Group, Member, Post, Rsvp, Session
from db.sql import chunks, insert_ignore, insert_ignore_many
from db.views import Person, PostPlan, Refusal, Refused, SessionChange, SessionView
from domain import schedule
from domain.rsvp import Answer

ANNOUNCEMENT = "announcement"
REMINDER = "reminder"
PRIVATE_REMINDER = "private_reminder"


def _slot_row(group: Group, week: date, now: datetime) -> dict[str, Any]:
    """The row of `week`'s session at the group's regular slot."""
    settings = group_settings(group)
    return {
        "group_id": group.chat_id,
        "week": week,
        "starts_at": schedule.slot_start(
            week, settings.weekday, settings.start_time, settings.timezone
        ),
        "pinned": False,
        "created_at": now,
    }


async def _session_row(session: AsyncSession, group: Group, week: date, now: datetime) -> Session:
    """The session of `week`, created at the group's regular slot if it does not exist."""
    await insert_ignore(session, Session, _slot_row(group, week, now))
    row = (
        await session.execute(
            select(Session).where(Session.group_id == group.chat_id, Session.week == week)
        )
    ).scalar_one()
    return row


async def upcoming_row(session: AsyncSession, group: Group, now: datetime) -> Session:
    """The group's next session (the earliest that has not started), created if needed.

    The regular weekly slot always has a row, so moving or cancelling one week
    never hides the following week.
    """
    settings = group_settings(group)
    start = schedule.next_slot_start(settings.weekday, settings.start_time, settings.timezone, now)
    while True:
        row = await _session_row(
            session,
            group,
            schedule.week_monday(schedule.local_date(start, settings.timezone)),
            now,
        )
        if row.starts_at > now:
            break
        # This week's session was moved earlier and is over: look at the next week.
        start = schedule.next_slot_start(
            settings.weekday, settings.start_time, settings.timezone, start
        )
    earliest = (
        await session.execute(
            select(Session)
            .where(Session.group_id == group.chat_id, Session.starts_at > now)
            .order_by(Session.starts_at)
            .limit(1)
        )
    ).scalar_one()
    return earliest


async def _configured_group(session: AsyncSession, chat_id: int, *, lock: bool = False) -> Group:
    group = await load_group(session, chat_id, lock=lock)
    if group is None or not group.configured:
        raise Refused(Refusal.NOT_SET_UP)
    return group


async def next_session(db: Database, chat_id: int, now: datetime) -> SessionView:
    async with db.sessions.begin() as session:
        group = await _configured_group(session, chat_id)
        return session_view(await upcoming_row(session, group, now), group)


async def set_workout(
    db: Database,
    chat_id: int,
    text: str,
    workout: dict[str, Any] | None,
    now: datetime,
    on_date: date | None = None,
) -> SessionView:
    """Attach a workout to the next session, or to the session on `on_date`."""
    async with db.sessions.begin() as session:
        group = await _configured_group(session, chat_id, lock=True)
        if on_date is None:
            row = await upcoming_row(session, group, now)
        else:
            row = await _session_on(session, group, on_date, now)
        row.workout_text = text
        row.workout = workout
        await session.flush()
        return session_view(row, group)


async def _session_on(session: AsyncSession, group: Group, on_date: date, now: datetime) -> Session:
    """The session held on a local date: a moved one, or the regular slot of that day."""
    settings = group_settings(group)
    candidates = (
        await session.execute(
            select(Session).where(
                Session.group_id == group.chat_id,
                Session.starts_at > now - timedelta(days=1),
                Session.starts_at < now + timedelta(days=400),
            )
        )
    ).scalars()
    for row in candidates:
        if schedule.local_date(row.starts_at, settings.timezone) == on_date:
            return row
    if on_date.weekday() != settings.weekday:
        raise Refused(Refusal.NOT_A_SESSION_DAY, detail=on_date.isoformat())
    return await _session_row(session, group, schedule.week_monday(on_date), now)


async def _people_in_or_maybe(session: AsyncSession, session_id: int) -> tuple[Person, ...]:
    rows = await session.execute(
        select(Member)
        .join(Rsvp, Rsvp.user_id == Member.user_id)
        .where(Rsvp.session_id == session_id, Rsvp.answer.in_([Answer.IN, Answer.MAYBE]))
        .order_by(Rsvp.updated_at)
    )
    return tuple(person(member) for member in rows.scalars())


async def announcement_message_id(session: AsyncSession, row: Session) -> int | None:
    """The message id of the session's announcement, once it has been posted."""
    return (
        await session.execute(
            select(Post.message_id).where(
                Post.session_id == row.id, Post.kind == ANNOUNCEMENT, Post.chat_id == row.group_id
            )
        )
    ).scalar_one_or_none()


async def cancel_next(
    db: Database, chat_id: int, reason: str | None, now: datetime
) -> SessionChange:
    async with db.sessions.begin() as session:
        group = await _configured_group(session, chat_id, lock=True)
        row = await upcoming_row(session, group, now)
        if row.cancelled_at is not None:
            raise Refused(Refusal.ALREADY_CANCELLED, session_view(row, group))
        row.cancelled_at = now
        row.cancel_reason = reason
        await session.flush()
        return SessionChange(
            session=session_view(row, group),
            previous_start=row.starts_at,
            to_tell=await _people_in_or_maybe(session, row.id),
            announcement_message_id=await announcement_message_id(session, row),
        )


async def move_next(
    db: Database, chat_id: int, new_start: datetime, now: datetime
) -> SessionChange:
    """Move (and if cancelled, reinstate) the next session; its reminder will go out again."""
    async with db.sessions.begin() as session:
        group = await _configured_group(session, chat_id, lock=True)
        row = await upcoming_row(session, group, now)
        previous = row.starts_at
        row.starts_at = new_start
        row.pinned = True
        row.cancelled_at = None
        row.cancel_reason = None
        view = session_view(row, group)
        if view.reminder_at > now:
            await session.execute(
                delete(Post).where(
                    Post.session_id == row.id, Post.kind.in_([REMINDER, PRIVATE_REMINDER])
                )
            )
        await session.flush()
        return SessionChange(
            session=view,
            previous_start=previous,
            to_tell=await _people_in_or_maybe(session, row.id),
            announcement_message_id=await announcement_message_id(session, row),
        )


async def plan_group(db: Database, chat_id: int, now: datetime) -> PostPlan | None:
    """The next session of one group and which of its posts are already out."""
    async with db.sessions.begin() as session:
        group = await load_group(session, chat_id)
        if group is None or not group.configured or not group.active:
            return None
        return (await _plans(session, [group], now))[0]


async def plan_all(db: Database, now: datetime) -> list[PostPlan]:
    """Plans for every active, set-up group: what the scheduler rebuilds its jobs from."""
    async with db.sessions.begin() as session:
        groups = (
            (await session.execute(select(Group).where(Group.active, Group.configured)))
            .scalars()
            .all()
        )
        return await _plans(session, groups, now)


async def _plans(session: AsyncSession, groups: Sequence[Group], now: datetime) -> list[PostPlan]:
    """Each group's next session, its latest started one, and which of their posts are out.

    The same few statements for one group or a thousand (a thousand groups per IN list):
    start-up and the sweep plan every group at once (benchmarks/p4_scale.py).
    """
    upcoming = await _upcoming_rows(session, groups, now)
    latest = await boards.latest_started(session, [group.chat_id for group in groups], now)
    done = await _sent_kinds(session, [*upcoming.values(), *latest.values()])
    plans = []
    for group in groups:
        row = upcoming[group.chat_id]
        # Only sent posts are done: a claim whose sender died is planned again.
        kinds = done.get(row.id, frozenset())
        last = latest.get(group.chat_id)
        plans.append(
            PostPlan(
                session=session_view(row, group),
                announced=ANNOUNCEMENT in kinds,
                reminded=REMINDER in kinds,
                reporting=session_view(last, group) if last else None,
                board_at=boards.board_time(last, group) if last else None,
                reporting_posts=(
                    done.get(last.id, frozenset()) & frozenset(boards.RESULTS_KINDS)
                    if last
                    else frozenset()
                ),
            )
        )
    return plans


async def _upcoming_rows(
    session: AsyncSession, groups: Sequence[Group], now: datetime
) -> dict[int, Session]:
    """`upcoming_row` for many groups at once: every regular slot up to the next one that
    has not started gets its row, then each group's earliest session still to come."""
    by_id = {group.chat_id: group for group in groups}
    slots = {group.chat_id: group_settings(group) for group in groups}

    def next_start(chat_id: int, after: datetime) -> datetime:
        slot = slots[chat_id]
        return schedule.next_slot_start(slot.weekday, slot.start_time, slot.timezone, after)

    starts = {chat_id: next_start(chat_id, now) for chat_id in by_id}
    while starts:
        weeks = {
            chat_id: schedule.week_monday(schedule.local_date(start, slots[chat_id].timezone))
            for chat_id, start in starts.items()
        }
        await insert_ignore_many(
            session,
            Session,
            [_slot_row(by_id[chat_id], week, now) for chat_id, week in weeks.items()],
        )
        started: set[int] = set()
        for chunk in chunks(list(weeks)):
            rows = await session.execute(
                select(Session.group_id, Session.week, Session.starts_at).where(
                    Session.group_id.in_(chunk), Session.week.in_(set(weeks.values()))
                )
            )
            started.update(
                chat_id
                for chat_id, week, starts_at in rows
                if weeks.get(chat_id) == week and starts_at <= now
            )
        # Those weeks' sessions were moved earlier and are over: look at the next week.
        starts = {chat_id: next_start(chat_id, starts[chat_id]) for chat_id in started}
    earliest: dict[int, Session] = {}
    for chunk in chunks(list(by_id)):
        future = await session.execute(
            select(Session)
            .where(Session.group_id.in_(chunk), Session.starts_at > now)
            .order_by(Session.group_id, Session.starts_at)
        )
        for row in future.scalars():
            earliest.setdefault(row.group_id, row)
    return earliest


async def _sent_kinds(session: AsyncSession, rows: Sequence[Session]) -> dict[int, frozenset[str]]:
    """Per session, the kinds of its posts already sent in its group's chat."""
    kinds: dict[int, set[str]] = {}
    for chunk in chunks(list({row.id for row in rows})):
        found = await session.execute(
            select(Post.session_id, Post.kind)
            .join(Session, Session.id == Post.session_id)
            .where(
                Post.session_id.in_(chunk),
                Post.chat_id == Session.group_id,
                Post.sent_at.is_not(None),
            )
        )
        for session_id, kind in found:
            kinds.setdefault(session_id, set()).add(kind)
    return {session_id: frozenset(found) for session_id, found in kinds.items()}
