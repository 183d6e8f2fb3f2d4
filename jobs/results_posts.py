"""The reporting window's posts: the prompt at the end, private nudges, the results board.

Each post is claimed in `posts` before it is sent (as the announcement is), so a job
that fires twice, a restart or a second replica never posts twice:

* `report_prompt` (in the group) once the session has ended, and only until the board
  goes out: after that it would ask for times nobody will see on a board;
* `report_nudge` (one per member, in private) before the board goes out, to those who
  said In, have no result and have started the bot; `report_nudges` in the group's chat
  marks the round as done so the scheduler stops planning it;
* `results_board` (in the group) at the board time, however late (after a restart).
  With no reports there is nothing to show: the board is marked done without a post.
"""

from __future__ import annotations

import logging

from telegram import Bot

from db import boards, claims
from db.boards import NUDGE_ROUND, REPORT_NUDGE, REPORT_PROMPT, RESULTS_BOARD
from handlers import render_results
from handlers.services import Services
from jobs.delivery import send
from jobs.posts import claim, send_once

log = logging.getLogger(__name__)


async def post_report_prompt(bot: Bot, services: Services, session_id: int) -> int | None:
    """The group's "How did it go?"; returns its message id when this call posted it."""
    call = await boards.report_call(services.db, session_id)
    now = services.now()
    if call is None or not call.group.active or call.session.cancelled:
        return None
    if not call.session.ends_at <= now < call.board_at:
        return None
    link = render_results.report_link(bot.username, call.group.chat_id)
    message = await send_once(
        bot,
        services,
        session_id,
        REPORT_PROMPT,
        call.group.chat_id,
        render_results.report_prompt_text(call),
        render_results.report_keyboard(link),
    )
    if message is None:
        return None
    log.info("report prompt for session %s in %s", session_id, message.chat_id)
    return message.message_id


async def post_report_nudges(bot: Bot, services: Services, session_id: int) -> int:
    """One private nudge to each member who said In and has not reported; how many went."""
    call = await boards.report_call(services.db, session_id)
    now = services.now()
    if call is None or not call.group.active or call.session.cancelled:
        return 0
    if not call.session.ends_at <= now < call.board_at:
        return 0
    db, sent = services.db, 0
    link = render_results.report_link(bot.username, call.group.chat_id)
    keyboard = render_results.report_keyboard(link, "📝 Report my times")
    for person in call.to_nudge():
        if not await claim(services, session_id, REPORT_NUDGE, person.user_id, now):
            continue
        try:
            message = await send(
                bot, services, person.user_id, render_results.nudge_text(call, person), keyboard
            )
        except Exception:
            await claims.release(db, session_id, REPORT_NUDGE, person.user_id)
            raise
        # An unreachable member (blocked the bot) is not tried again.
        message_id = message.message_id if message is not None else None
        await claims.record_sent(db, session_id, REPORT_NUDGE, person.user_id, message_id, now)
        sent += message is not None
    if await claim(services, session_id, NUDGE_ROUND, call.group.chat_id, now):
        await claims.record_sent(db, session_id, NUDGE_ROUND, call.group.chat_id, None, now)
    log.info("nudged %d member(s) about session %s", sent, session_id)
    return sent


async def post_results_board(bot: Bot, services: Services, session_id: int) -> int | None:
    """The session's results board in the group, once; its message id when this call posted."""
    now = services.now()
    board = await boards.results_board(services.db, session_id, now)
    if board is None or not board.group.active or board.session.cancelled:
        return None
    if now < board.board_at:
        return None
    chat_id = board.group.chat_id
    if not board.results:
        if await claim(services, session_id, RESULTS_BOARD, chat_id, now):
            await claims.record_sent(services.db, session_id, RESULTS_BOARD, chat_id, None, now)
        return None
    message = await send_once(
        bot, services, session_id, RESULTS_BOARD, chat_id, render_results.board_text(board)
    )
    if message is None:
        return None
    log.info("results board for session %s in %s", session_id, message.chat_id)
    return message.message_id
