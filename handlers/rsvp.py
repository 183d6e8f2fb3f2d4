"""In / Maybe / Out: the buttons on an announcement and the /in, /maybe, /out commands."""

from __future__ import annotations

from telegram import Update

from db import members, rsvps
from db.rsvp_taps import Tap
from db.views import Refusal, Refused, RsvpOutcome
from domain.rsvp import Answer
from domain.text import is_unsafe
from handlers import render
from handlers.common import argument_text, is_group, person_of, reply
from handlers.context import BotContext
from jobs.notify import tell

MAX_NOTE_CHARS = 200
BUTTON_ACTIONS = {"in": Answer.IN, "maybe": Answer.MAYBE, "out": Answer.OUT}
GUEST_ACTIONS = {"guest+": 1, "guest-": -1}


def parse_button(data: str | None) -> tuple[int, str] | None:
    """`rsvp:<session id>:<action>` -> (session id, action), or None for anything forged."""
    if data is None:
        return None
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "rsvp" or len(parts[1]) > 12:
        return None
    if not (parts[1].isascii() and parts[1].isdigit()):  # int() would also read "١٢"; "²" fails
        return None
    if parts[2] not in BUTTON_ACTIONS and parts[2] not in GUEST_ACTIONS:
        return None
    return int(parts[1]), parts[2]


async def _after_change(context: BotContext, outcome: RsvpOutcome) -> None:
    """Refresh the announcement (coalesced) and tell anyone promoted from the waitlist."""
    services = context.services
    if services.refresher is not None:
        services.refresher.mark(outcome.session_id)
    if not outcome.promoted:
        return
    assert services.taps is not None
    board = await services.taps.board(outcome.session_id)
    if board is not None:
        session, group = board.session, board.group
        await tell(
            context.bot,
            services,
            group.chat_id,
            outcome.promoted,
            render.promotion_private(session, group),
            lambda mentions: render.promotion_in_group(mentions, session, group),
        )


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    parsed = parse_button(query.data)
    message = query.message
    if parsed is None or message is None:
        await query.answer("That button isn't valid any more.")
        return
    session_id, action = parsed
    services = context.services
    user = person_of(query.from_user)
    try:
        if action in GUEST_ACTIONS:
            outcome = await rsvps.change_guests(
                services.db,
                session_id,
                message.chat.id,
                message.message_id,
                user,
                GUEST_ACTIONS[action],
                services.now(),
            )
        else:
            assert services.taps is not None
            tap = Tap(
                session_id,
                message.chat.id,
                message.message_id,
                user,
                BUTTON_ACTIONS[action],
                services.now(),
            )
            outcome = await services.taps.answer(tap)
    except Refused as refused:
        await query.answer(render.refusal(refused.reason, detail=refused.detail), show_alert=True)
        return
    await query.answer(render.rsvp_answer(outcome))
    await _after_change(context, outcome)


async def _answer_command(update: Update, context: BotContext, answer: Answer) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    services = context.services
    note = " ".join(argument_text(message).split())  # one line in the announcement's list
    if len(note) > MAX_NOTE_CHARS:
        await reply(
            update,
            f"🤔 Please keep the note under {MAX_NOTE_CHARS} characters. Example: /in running late",
        )
        return
    if any(is_unsafe(char) for char in note):  # never stored or echoed into the group
        await reply(
            update, "🤔 The note contains hidden control characters. Example: /in running late"
        )
        return
    if is_group(chat):
        group_id: int | None = chat.id
    else:
        group_id = await members.home_group(services.db, user.id)
        if group_id is None:
            await reply(update, render.refusal(Refusal.NO_HOME_GROUP))
            return
    assert group_id is not None
    try:
        outcome = await rsvps.answer_next(
            services.db, group_id, person_of(user), answer, services.now(), note or None
        )
    except Refused as refused:
        await reply(update, render.refusal(refused.reason, detail=refused.detail))
        return
    await reply(update, render.rsvp_answer(outcome))
    await _after_change(context, outcome)


async def rsvp_in(update: Update, context: BotContext) -> None:
    await _answer_command(update, context, Answer.IN)


async def rsvp_maybe(update: Update, context: BotContext) -> None:
    await _answer_command(update, context, Answer.MAYBE)


async def rsvp_out(update: Update, context: BotContext) -> None:
    await _answer_command(update, context, Answer.OUT)


async def on_unknown_button(update: Update, context: BotContext) -> None:
    """Buttons whose data no handler recognises (forged, or from an older version)."""
    query = update.callback_query
    assert query is not None
    await query.answer("That button isn't valid any more.")
