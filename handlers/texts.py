"""The long help texts, kept apart from the code that sends them."""

from __future__ import annotations

from html import escape

from domain.notation import NOTATION_HELP

MEMBER_HELP = """\
🏃 <b>Speed session bot</b>: the weekly workout, who's coming, reminders.

<b>For everyone</b>
/next: the next session: when, where, workout, who's coming
/in, /maybe, /out: answer for the next session, a note may follow: <code>/in running late</code>
/settings: the group's weekly slot and options
/remind on: private reminders (send it to me in a private chat)
/help workout: how workouts are written

<b>After the session</b>
/report 2:45 2:43 2:41 2:40 2:38 2:35: your splits (x for a skipped rep, # a note)
/report undo: remove your report
/results or /results 2026-12-01: the results board
/me: your recent sessions · /pb: your personal bests
/progress or /progress 800: a chart of your pace over time
/race 5k 19:30 (or /race 10k 41:05 2026-10-12): log a race
/private on: counted but never named in group posts

<b>Coaching</b>
/pace 5k 19:30: VDOT, equivalent race times, E/M/T/I/R paces
/benchmark 5k 19:30 (or the latest /race): what your targets come from
/targets: your splits to aim for next session (sent privately)
/profile born 1985 F: age grading in /pace and benchmarks

<b>For coaches</b> (group admins, and members added with /coach)
/workout 6x800m @5K r90s: the next session's workout
/workout 2026-12-08 3x1mi @T r2:00: a later session's workout
/announce: post the announcement now (or again, at the bottom)
/cancel heavy thunderstorms: cancel the next session
/move thu 19:00 or /move 2026-12-04 19:00: move the next session
/set day tuesday, /set time 18:30, /set tz Europe/London, /set place The track,
/set location 51.5074,-0.1278, /set announce 48h, /set reminder 3h,
/set duration 90m, /set capacity 20 (or off), /set guests on
/setup: the same, step by step with buttons
/report @name 2:50 2:48 … or as a reply: report for a member; /report @name noshow
/attendance: attendance, streaks and no-shows · /export: CSV files (sent privately)
/targets: everyone's targets (privately) · /groups: pace groups from the In list
/set board 09:00 next day, /set tolerance 2%, /set spread 10
/coach add (as a reply to a member's message, or /coach add 123456789), /coach remove"""

PRIVATE_HELP = """

<b>In this private chat</b>
/in, /maybe, /out answer for your club's next session, and /remind on sends you a
reminder before each session. I need to know your club first: answer once in your
club's group (tap a button or send /in there), or open the link that /help shows in
the group."""


def group_help(bot_username: str, chat_id: int) -> str:
    link = f"https://t.me/{bot_username}?start=g{abs(chat_id)}"
    return (
        MEMBER_HELP
        + f'\n\nPrivate reminders: <a href="{link}">open a private chat with me</a>, '
        + "then /remind on."
    )


def workout_help() -> str:
    return "<b>Workout notation</b>\n" + escape(NOTATION_HELP, quote=False)
