"""The scheduled posts: claim in the database, then send, then record the message id."""

from __future__ import annotations

import logging

from telegram import Bot

from db import claims, members, rsvps
from db.sessions import ANNOUNCEMENT, PRIVATE_REMINDER, REMINDER
from handlers import render
from handlers.services import Services
from jobs.delivery import delete_quietly, send

log = logging.getLogger(__name__)

VENUE = "venue"


async def post_announcement(bot: Bot, services: Services, session_id: int) -> int | None:
    """Post a session's announcement once; returns its message id when this call posted it."""
    board = await rsvps.board(services.db, session_id)
    now = services.now()
    if board is None or not board.group.active:
        return None
    if board.session.cancelled or board.session.starts_at <= now:
        return None
    chat_id = board.group.chat_id
    if not await claims.claim(services.db, session_id, ANNOUNCEMENT, chat_id, now):
        return None
    try:
        message = await send(
            bot,
            services,
            chat_id,
            render.announcement_text(board, now),
            render.announcement_keyboard(board, now),
        )
    except Exception:
        await claims.release(services.db, session_id, ANNOUNCEMENT, chat_id)
        raise
    if message is None:
        await claims.release(services.db, session_id, ANNOUNCEMENT, chat_id)
        return None
    await claims.record_sent(
        services.db, session_id, ANNOUNCEMENT, chat_id, message.message_id, now
    )
    log.info("announced session %s in %s as message %s", session_id, chat_id, message.message_id)
    await _post_venue(bot, services, session_id)
    return message.message_id


async def _post_venue(bot: Bot, services: Services, session_id: int) -> None:
    """The map pin under the announcement, when the group has coordinates."""
    board = await rsvps.board(services.db, session_id)
    if board is None or not board.group.has_location:
        return
    group, now = board.group, services.now()
    if not await claims.claim(services.db, session_id, VENUE, group.chat_id, now):
        return
    assert group.latitude is not None and group.longitude is not None
    message = await bot.send_venue(
        group.chat_id,
        latitude=group.latitude,
        longitude=group.longitude,
        title=group.place or "Speed session",
        address=render.when(board.session.starts_at, group.timezone),
    )
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
    chat_id = board.group.chat_id
    if await claims.claim(services.db, session_id, REMINDER, chat_id, now):
        try:
            message = await send(bot, services, chat_id, render.reminder_text(board))
        except Exception:
            await claims.release(services.db, session_id, REMINDER, chat_id)
            raise
        if message is None:
            await claims.release(services.db, session_id, REMINDER, chat_id)
            return
        await claims.record_sent(
            services.db, session_id, REMINDER, chat_id, message.message_id, now
        )
    text = render.private_reminder_text(board)
    for person in await members.private_reminder_audience(services.db, session_id):
        if not await claims.claim(services.db, session_id, PRIVATE_REMINDER, person.user_id, now):
            continue
        sent = await send(bot, services, person.user_id, text)
        await claims.record_sent(
            services.db,
            session_id,
            PRIVATE_REMINDER,
            person.user_id,
            sent.message_id if sent else None,
            now,
        )
