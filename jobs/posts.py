"""The scheduled posts: claim in the database, then send, then record the message id."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import TelegramError

from db import benchmarks, claims, members, rsvps
from db.sessions import ANNOUNCEMENT, PRIVATE_REMINDER, REMINDER
from handlers import render, render_coaching
from handlers.services import Services
from jobs.delivery import delete_quietly, send

log = logging.getLogger(__name__)

VENUE = "venue"


async def claim(
    services: Services, session_id: int, kind: str, chat_id: int, now: datetime
) -> bool:
    """Claim a post; an unsent claim older than CLAIM_EXPIRY_SECONDS (its sender died) is
    taken over."""
    expiry = timedelta(seconds=services.settings.claim_expiry_seconds)
    return await claims.claim(services.db, session_id, kind, chat_id, now, expiry)


async def send_once(
    bot: Bot,
    services: Services,
    session_id: int,
    kind: str,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Claim the post, send it, record it; the message when this call sent it.

    A failed send gives the claim back so a later attempt can post.
    """
    now = services.now()
    if not await claim(services, session_id, kind, chat_id, now):
        return None
    try:
        message = await send(bot, services, chat_id, text, markup)
    except Exception:
        await claims.release(services.db, session_id, kind, chat_id)
        raise
    if message is None:
        await claims.release(services.db, session_id, kind, chat_id)
        return None
    # The message's own chat: a group that just became a supergroup has a new id.
    await claims.record_sent(
        services.db, session_id, kind, message.chat_id, message.message_id, now
    )
    return message


async def post_announcement(bot: Bot, services: Services, session_id: int) -> int | None:
    """Post a session's announcement once; returns its message id when this call posted it."""
    board = await rsvps.board(services.db, session_id)
    now = services.now()
    if board is None or not board.group.active:
        return None
    if board.session.cancelled or board.session.starts_at <= now:
        return None
    message = await send_once(
        bot,
        services,
        session_id,
        ANNOUNCEMENT,
        board.group.chat_id,
        render.announcement_text(board, now),
        render.announcement_keyboard(board, now),
    )
    if message is None:
        return None
    log.info(
        "announced session %s in %s as message %s", session_id, message.chat_id, message.message_id
    )
    await _post_venue(bot, services, session_id)
    return message.message_id


async def _post_venue(bot: Bot, services: Services, session_id: int) -> None:
    """The map pin under the announcement, when the group has coordinates."""
    board = await rsvps.board(services.db, session_id)
    if board is None or not board.group.has_location:
        return
    group, now = board.group, services.now()
    if not await claim(services, session_id, VENUE, group.chat_id, now):
        return
    assert group.latitude is not None and group.longitude is not None
    try:
        message = await bot.send_venue(
            group.chat_id,
            latitude=group.latitude,
            longitude=group.longitude,
            title=group.place or "Speed session",
            address=render.when(board.session.starts_at, group.timezone),
        )
    except TelegramError:
        # The announcement is out; a missing pin is not worth failing the job for.
        log.warning("could not send the map pin for session %s", session_id, exc_info=True)
        await claims.release(services.db, session_id, VENUE, group.chat_id)
        return
    await claims.record_sent(services.db, session_id, VENUE, group.chat_id, message.message_id, now)


async def repost_announcement(bot: Bot, services: Services, session_id: int) -> int | None:
    """Post the announcement again at the bottom of the chat and retire the old copy."""
    board = await rsvps.board(services.db, session_id)
    if board is None:
        return None
    if board.announcement_message_id is None:
        return await post_announcement(bot, services, session_id)
    now = services.now()
    chat_id = board.group.chat_id
    message = await send(
        bot,
        services,
        chat_id,
        render.announcement_text(board, now),
        render.announcement_keyboard(board, now),
    )
    if message is None:
        return None
    old = await claims.replace_message(
        services.db, session_id, ANNOUNCEMENT, chat_id, message.message_id, now
    )
    if old is not None and old != message.message_id:
        await delete_quietly(bot, chat_id, old)
    return message.message_id


async def post_reminder(bot: Bot, services: Services, session_id: int) -> None:
    """The group reminder, then the private ones for members who asked for them."""
    board = await rsvps.board(services.db, session_id)
    now = services.now()
    if board is None or not board.group.active:
        return
    if board.session.cancelled or board.session.starts_at <= now:
        return
    await send_once(
        bot, services, session_id, REMINDER, board.group.chat_id, render.reminder_text(board)
    )
    audience = await members.private_reminder_audience(services.db, session_id)
    # Each member's own targets (one batch of reads for everyone).
    targets = await benchmarks.reminder_targets(
        services.db, board.session, board.group.timezone, audience, now
    )
    for person in audience:
        if not await claim(services, session_id, PRIVATE_REMINDER, person.user_id, now):
            continue
        text = render.private_reminder_text(
            board, render_coaching.reminder_lines(targets.get(person.user_id))
        )
        sent = await send(bot, services, person.user_id, text)
        await claims.record_sent(
            services.db,
            session_id,
            PRIVATE_REMINDER,
            person.user_id,
            sent.message_id if sent else None,
            now,
        )
