"""Claims on scheduled posts: the row that makes each post go out exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from db.engine import Database
from db.models import Post
from db.sql import insert_ignore

# A claim whose sender never recorded the message (it crashed) may be taken over after this
# (the default of Settings.claim_expiry_seconds).
CLAIM_EXPIRY = timedelta(minutes=2)


async def claim(
    db: Database,
    session_id: int,
    kind: str,
    chat_id: int,
    now: datetime,
    expiry: timedelta = CLAIM_EXPIRY,
) -> bool:
    """True when this caller won the right to send the post (and must record or release it).

    An unsent claim older than `expiry` is taken over: its sender died before recording.
    """
    async with db.sessions.begin() as session:
        if await insert_ignore(
            session,
            Post,
            {"session_id": session_id, "kind": kind, "chat_id": chat_id, "claimed_at": now},
        ):
            return True
        taken_over = await session.execute(
            update(Post)
            .where(
                Post.session_id == session_id,
                Post.kind == kind,
                Post.chat_id == chat_id,
                Post.sent_at.is_(None),
                Post.claimed_at < now - expiry,
            )
            .values(claimed_at=now)
        )
        return bool(getattr(taken_over, "rowcount", 0) == 1)


async def record_sent(
    db: Database, session_id: int, kind: str, chat_id: int, message_id: int | None, now: datetime
) -> None:
    async with db.sessions.begin() as session:
        await session.execute(
            update(Post)
            .where(Post.session_id == session_id, Post.kind == kind, Post.chat_id == chat_id)
            .values(sent_at=now, message_id=message_id)
        )


async def release(db: Database, session_id: int, kind: str, chat_id: int) -> None:
    """Give a claim back after a failed send, so the next attempt can post."""
    async with db.sessions.begin() as session:
        await session.execute(
            delete(Post).where(
                Post.session_id == session_id,
                Post.kind == kind,
                Post.chat_id == chat_id,
                Post.sent_at.is_(None),
            )
        )


async def replace_message(
    db: Database, session_id: int, kind: str, chat_id: int, message_id: int, now: datetime
) -> int | None:
    """Point an already-sent post at its re-posted message; returns the old message id."""
    async with db.sessions.begin() as session:
        post = (
            await session.execute(
                select(Post)
                .where(Post.session_id == session_id, Post.kind == kind, Post.chat_id == chat_id)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if post is None:
            session.add(
                Post(
                    session_id=session_id,
                    kind=kind,
                    chat_id=chat_id,
                    claimed_at=now,
                    sent_at=now,
                    message_id=message_id,
                )
            )
            return None
        old = post.message_id
        post.message_id = message_id
        post.sent_at = now
        return old
