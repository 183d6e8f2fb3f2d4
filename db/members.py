"""Use cases about people: who they are, where they run, coaches, private reminders."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.convert import person
from db.engine import Database
from db.models import Coach, Member, Membership, Rsvp, Session
from db.sql import upsert
from db.views import Person
from domain.rsvp import Answer


async def remember(session: AsyncSession, user: Person, chat_id: int | None, now: datetime) -> None:
    """Keep a user's name fresh and note that they belong to the group."""
    await upsert(
        session,
        Member,
        {
            "user_id": user.user_id,
            "first_name": user.first_name[:256],
            "last_name": user.last_name[:256] if user.last_name else None,
            "username": user.username,
            "can_dm": False,
            "remind_private": False,
            "updated_at": now,
        },
        keys=["user_id"],
        update=["first_name", "last_name", "username", "updated_at"],
    )
    if chat_id is not None and chat_id < 0:
        await upsert(
            session,
            Membership,
            {"group_id": chat_id, "user_id": user.user_id, "last_seen_at": now},
            keys=["group_id", "user_id"],
            update=["last_seen_at"],
        )
        await session.execute(
            update(Member)
            .where(Member.user_id == user.user_id, Member.home_group_id.is_(None))
            .values(home_group_id=chat_id)
        )


async def started_private_chat(
    db: Database, user: Person, now: datetime, home_group_id: int | None = None
) -> Person:
    """The user opened a private chat: the bot may now message them."""
    async with db.sessions.begin() as session:
        await remember(session, user, home_group_id, now)
        values: dict[str, object] = {"can_dm": True}
        if home_group_id is not None:
            values["home_group_id"] = home_group_id
        await session.execute(update(Member).where(Member.user_id == user.user_id).values(values))
        member = await session.get(Member, user.user_id)
        assert member is not None
        return person(member)


async def cannot_message(db: Database, user_id: int) -> None:
    """The user blocked the bot (403): stop trying to message them privately."""
    async with db.sessions.begin() as session:
        await session.execute(update(Member).where(Member.user_id == user_id).values(can_dm=False))


async def set_private_reminders(db: Database, user: Person, on: bool, now: datetime) -> None:
    async with db.sessions.begin() as session:
        await remember(session, user, None, now)
        await session.execute(
            update(Member)
            .where(Member.user_id == user.user_id)
            .values(remind_private=on, can_dm=True)
        )


async def home_group(db: Database, user_id: int) -> int | None:
    async with db.sessions() as session:
        member = await session.get(Member, user_id)
        return member.home_group_id if member else None


async def is_coach(db: Database, chat_id: int, user_id: int) -> bool:
    async with db.sessions() as session:
        return await session.get(Coach, (chat_id, user_id)) is not None


async def add_coach(db: Database, chat_id: int, user: Person, added_by: int, now: datetime) -> bool:
    """Make a member a coach of the group; False when they already were."""
    async with db.sessions.begin() as session:
        await remember(session, user, chat_id, now)
        if await session.get(Coach, (chat_id, user.user_id)) is not None:
            return False
        session.add(Coach(group_id=chat_id, user_id=user.user_id, added_by=added_by, added_at=now))
        return True


async def remove_coach(db: Database, chat_id: int, user_id: int) -> bool:
    async with db.sessions.begin() as session:
        result = await session.execute(
            delete(Coach).where(Coach.group_id == chat_id, Coach.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))


async def private_reminder_audience(db: Database, session_id: int) -> list[Person]:
    """Members of the session's group who asked for private reminders and haven't said Out."""
    async with db.sessions() as session:
        row = await session.get(Session, session_id)
        if row is None:
            return []
        out = select(Rsvp.user_id).where(Rsvp.session_id == session_id, Rsvp.answer == Answer.OUT)
        members = await session.execute(
            select(Member)
            .join(Membership, Membership.user_id == Member.user_id)
            .where(
                Membership.group_id == row.group_id,
                Member.remind_private,
                Member.can_dm,
                Member.user_id.not_in(out),
            )
            .order_by(Member.user_id)
        )
        return [person(member) for member in members.scalars()]


async def find_by_username(db: Database, chat_id: int, username: str) -> Person | None:
    """A member of the group known by their @username (case-insensitive)."""
    async with db.sessions() as session:
        member = (
            await session.execute(
                select(Member)
                .join(Membership, Membership.user_id == Member.user_id)
                .where(
                    Membership.group_id == chat_id,
                    func.lower(Member.username) == username.lower(),
                )
                .limit(1)
            )
        ).scalar_one_or_none()
        return person(member) if member else None


def offline_runner(chat_id: int, name: str) -> Person:
    """A runner without Telegram, entered by a coach: a stable negative id per group and name.

    Telegram user ids are positive, so these can never collide with a real account.
    """
    digest = hashlib.sha256(f"{chat_id}:{name.casefold()}".encode()).digest()
    return Person(user_id=-(int.from_bytes(digest[:6], "big") + 1), first_name=name)
