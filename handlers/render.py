"""Texts and keyboards: pure functions from plain data to what Telegram shows.

All texts are HTML (parse_mode=HTML); every piece of user-supplied text goes
through `esc` so names like "<Bob>" or "A & B" cannot break a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from db.views import Board, Entry, GroupSettings, Person, Refusal, RsvpOutcome, SessionView
from domain import durations, notation, schedule, values
from domain.errors import InputProblem
from domain.rsvp import Answer

MAX_NAMES_PER_LINE = 60


def esc(text: str) -> str:
    return escape(text, quote=False)


def mention(person: Person) -> str:
    return f'<a href="tg://user?id={person.user_id}">{esc(person.display_name)}</a>'


def when(instant: datetime, tz: str) -> str:
    return schedule.format_when(instant, tz)


def day(instant: datetime, tz: str) -> str:
    return schedule.format_day(instant, tz)


def workout_line(session: SessionView) -> str | None:
    if session.workout is not None:
        return notation.render_workout(notation.workout_from_dict(session.workout))
    return session.workout_text


# --- announcement -------------------------------------------------------------------------


def rsvp_data(session_id: int, action: str) -> str:
    return f"rsvp:{session_id}:{action}"


def _names(entries: list[Entry], board: Board) -> str:
    """Names for a group post: members in private mode are counted, never named."""
    shown = []
    public = [entry for entry in entries if not entry.person.private]
    for entry in public[:MAX_NAMES_PER_LINE]:
        name = esc(entry.person.display_name)
        guests = (
            board.allocation.guests_going(entry.person.user_id)
            if entry.reply.answer is Answer.IN
            else 0
        )
        if guests:
            name += f" (+{guests})"
        if entry.note:
            name += f" <i>“{esc(entry.note)}”</i>"
        shown.append(name)
    more = len(entries) - len(shown)
    if not shown:  # everyone on the line chose /private: count them, name nobody
        return f"{more} runner{'s' if more != 1 else ''}"
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def announcement_text(board: Board, now: datetime) -> str:
    group, session = board.group, board.session
    tz = group.timezone
    lines = [f"🏃 <b>Speed session · {esc(when(session.starts_at, tz))}</b>"]
    if session.cancelled:
        reason = f": {esc(session.cancel_reason)}" if session.cancel_reason else ""
        lines.insert(0, f"🚫 <b>CANCELLED</b>{reason}")
    elif session.pinned:
        lines.append("📅 <i>Moved from the usual slot</i>")
    if group.place:
        lines.append(f"📍 {esc(group.place)}")
    workout = workout_line(session)
    lines.append(f"🏋️ {esc(workout)}" if workout else "🏋️ <i>Workout to be announced</i>")
    lines.append(f"⏱ {esc(durations.format_span(session.duration))}")
    lines.append("")
    by_id = {entry.person.user_id: entry for entry in board.entries}
    going = [
        by_id[s.user_id] for s in board.allocation.going if s.guest == 0 and s.user_id in by_id
    ]
    waiting = [
        by_id[s.user_id] for s in board.allocation.waitlist if s.guest == 0 and s.user_id in by_id
    ]
    people_going = len(board.allocation.going)
    capacity = f"/{group.capacity}" if group.capacity else ""
    lines.append(f"✅ <b>In ({people_going}{capacity})</b>: {_names(going, board) or '—'}")
    if group.capacity and board.allocation.waitlist:
        lines.append(
            f"⏳ <b>Waitlist ({len(board.allocation.waitlist)})</b>: {_names(waiting, board)}"
        )
    maybe = board.entries_with(Answer.MAYBE)
    out = board.entries_with(Answer.OUT)
    lines.append(f"🤔 <b>Maybe ({len(maybe)})</b>: {_names(maybe, board) or '—'}")
    lines.append(f"❌ <b>Out ({len(out)})</b>: {_names(out, board) or '—'}")
    if not session.cancelled and session.starts_at <= now:
        lines.append("\n<i>RSVPs are closed: the session has started.</i>")
    return "\n".join(lines)[:4096]


def announcement_keyboard(board: Board, now: datetime) -> InlineKeyboardMarkup | None:
    session = board.session
    if session.cancelled or session.starts_at <= now:
        return None
    people_going = len(board.allocation.going)
    rows = [
        [
            InlineKeyboardButton(
                f"✅ In ({people_going})", callback_data=rsvp_data(session.id, "in")
            ),
            InlineKeyboardButton(
                f"🤔 Maybe ({len(board.entries_with(Answer.MAYBE))})",
                callback_data=rsvp_data(session.id, "maybe"),
            ),
            InlineKeyboardButton(
                f"❌ Out ({len(board.entries_with(Answer.OUT))})",
                callback_data=rsvp_data(session.id, "out"),
            ),
        ]
    ]
    if board.group.guests_allowed:
        rows.append(
            [
                InlineKeyboardButton("+1 guest", callback_data=rsvp_data(session.id, "guest+")),
                InlineKeyboardButton("−1 guest", callback_data=rsvp_data(session.id, "guest-")),
            ]
        )
    return InlineKeyboardMarkup(rows)


def reminder_text(board: Board) -> str:
    group, session = board.group, board.session
    going = len(board.allocation.going)
    lines = [f"⏰ <b>Reminder: speed session {esc(when(session.starts_at, group.timezone))}</b>"]
    if group.place:
        lines.append(f"📍 {esc(group.place)}")
    workout = workout_line(session)
    if workout:
        lines.append(f"🏋️ {esc(workout)}")
    by_id = {entry.person.user_id: entry for entry in board.entries}
    coming = [
        by_id[s.user_id] for s in board.allocation.going if s.guest == 0 and s.user_id in by_id
    ]
    lines.append(f"✅ Coming ({going}): {_names(coming, board) or 'nobody yet'}")
    maybe = board.entries_with(Answer.MAYBE)
    if maybe:
        lines.append(f"🤔 Maybe ({len(maybe)}): {_names(maybe, board)}")
    lines.append("Not answered yet? Tap a button on the announcement or send /in.")
    return "\n".join(lines)[:4096]


def private_reminder_text(board: Board, targets: Sequence[str] = ()) -> str:
    """The reminder one member gets privately; ``targets`` are their own (HTML lines)."""
    group, session = board.group, board.session
    lines = [f"⏰ Speed session <b>{esc(when(session.starts_at, group.timezone))}</b>"]
    if group.title:
        lines.append(f"👥 {esc(group.title)}")
    if group.place:
        lines.append(f"📍 {esc(group.place)}")
    workout = workout_line(session)
    if workout:
        lines.append(f"🏋️ {esc(workout)}")
    lines.extend(targets)
    lines.append(
        f"✅ {len(board.allocation.going)} coming. Send /in, /maybe or /out here to answer."
    )
    lines.append("<i>Stop these with /remind off.</i>")
    return "\n".join(lines)


# --- RSVP replies -------------------------------------------------------------------------


def rsvp_answer(outcome: RsvpOutcome) -> str:
    tz = outcome.timezone
    at = when(outcome.starts_at, tz)
    if outcome.answer is Answer.IN:
        if not outcome.going:
            return (
                f"The session is full: you're #{outcome.waitlist_position} on the waitlist "
                f"for {at}. I'll tell you if a place frees up."
            )
        already = "" if outcome.changed else "already "
        guests = (
            f" with {outcome.guests} guest{'s' if outcome.guests != 1 else ''}"
            if outcome.guests
            else ""
        )
        return f"You're {already}in{guests} for {at} ✅"
    if outcome.answer is Answer.MAYBE:
        return (
            f"Marked as maybe for {at} 🤔"
            if outcome.changed
            else f"You're already a maybe for {at}"
        )
    return f"You're out for {day(outcome.starts_at, tz)}. Thanks for letting us know!"


def promotion_private(session: SessionView, group: GroupSettings) -> str:
    where = f" at {esc(group.place)}" if group.place else ""
    return (
        f"🎉 Good news: a place freed up. You're in for the speed session "
        f"<b>{esc(when(session.starts_at, group.timezone))}</b>{where}!"
    )


def promotion_in_group(mentions: str, session: SessionView, group: GroupSettings) -> str:
    return (
        f"🎉 {mentions}: a place freed up, you're in for "
        f"{esc(when(session.starts_at, group.timezone))}!"
    )


REFUSALS: dict[Refusal, str] = {
    Refusal.NOT_SET_UP: (
        "This group has no weekly session yet. An admin can run /setup, or e.g. "
        "/set day tuesday and /set time 18:30."
    ),
    Refusal.CANCELLED: "That session is cancelled, so answers are closed.",
    Refusal.ALREADY_CANCELLED: (
        "The next session is already cancelled. To bring it back: /move tue 18:30"
    ),
    Refusal.STARTED: "That session has already started: answers are closed.",
    Refusal.WRONG_CHAT: "This button doesn't belong to a session of this group.",
    Refusal.STALE_BUTTON: "That announcement is out of date: please use the latest one (/next).",
    Refusal.GUESTS_OFF: "Guests aren't enabled for this group (an admin can: /set guests on).",
    Refusal.GUESTS_NEED_IN: "Tap In first: guests come with you.",
    Refusal.GUESTS_MAX: "That's the most guests one member can bring.",
    Refusal.NO_GUESTS: "You have no guests to remove.",
    Refusal.NOT_A_SESSION_DAY: "There is no session on that date.",
    Refusal.NOTHING_TO_REPORT: (
        "There's no session to report for yet: reports open when a session starts."
    ),
    Refusal.NOTHING_TO_UNDO: "You have no report for the latest session to undo.",
    Refusal.NO_HOME_GROUP: (
        "I don't know your club yet. Answer once in your club's group (tap a button or "
        "send /in there), or open the link from /help in the group."
    ),
}


def refusal(reason: Refusal, group: GroupSettings | None = None, detail: str = "") -> str:
    text = REFUSALS[reason]
    if reason is Refusal.NOT_A_SESSION_DAY and group is not None:
        weekday = values.weekday_name(group.weekday)
        text = (
            f"{esc(detail)} isn't a session day: sessions are on {weekday}s. "
            "Example: /workout 2026-12-08 6x800m @5K r90s"
        )
    return text


def problem(issue: InputProblem) -> str:
    return "🤔 " + esc(issue.message)


# --- settings -----------------------------------------------------------------------------


def schedule_lines(group: GroupSettings, session: SessionView | None) -> list[str]:
    if not group.configured:
        return ["Automatic posts start once an admin sets the day or time (or runs /setup)."]
    if session is None:
        return []
    tz = group.timezone
    lines = [f"Next session: <b>{esc(when(session.starts_at, tz))}</b>"]
    if session.cancelled:
        lines[0] += " (cancelled)"
    lines.append(f"Announcement: {esc(when(session.announce_at, tz))}")
    lines.append(f"Reminder: {esc(when(session.reminder_at, tz))}")
    return lines


def _board_day(days: int) -> str:
    return {0: "same day", 1: "next day"}.get(days, f"+{days} days")


def settings_text(group: GroupSettings, session: SessionView | None) -> str:
    location = f"{group.latitude:.5f},{group.longitude:.5f}" if group.has_location else "not set"
    lines = [
        f"⚙️ <b>Settings for {esc(group.title or 'this group')}</b>",
        f"day: {values.weekday_name(group.weekday)}",
        f"time: {group.start_time.strftime('%H:%M')}",
        f"tz: {esc(group.timezone)}",
        f"place: {esc(group.place) if group.place else 'not set'}",
        f"location: {location}",
        f"announce: {durations.format_span(group.announce_lead)} before",
        f"reminder: {durations.format_span(group.reminder_lead)} before",
        f"duration: {durations.format_span(group.duration)}",
        f"capacity: {group.capacity if group.capacity else 'off'}",
        f"guests: {'on' if group.guests_allowed else 'off'}",
        f"board: {group.board_time.strftime('%H:%M')} {_board_day(group.board_days_after)}",
        f"tolerance: {group.tolerance_percent:g} %",
        f"spread: {group.pace_spread_s:g} s/km",
        "",
        *schedule_lines(group, session),
        "",
        "Change one with /set &lt;key&gt; &lt;value&gt;, e.g. /set time 18:30",
    ]
    return "\n".join(lines)


def setting_value(group: GroupSettings, key: str) -> str:
    shown = settings_text(group, None).split("\n")
    for line in shown:
        if line.startswith(f"{key}: "):
            return line
    return key


def saved_text(group: GroupSettings, key: str, session: SessionView | None, kept: int) -> str:
    lines = [f"✅ Saved. {setting_value(group, key)}", "", *schedule_lines(group, session)]
    if kept:
        lines.append(
            "This week's session keeps its time: the new time has already passed this week."
        )
    return "\n".join(lines)
