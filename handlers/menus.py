"""Command menus per scope: members in groups, admins in groups, private chats."""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)

MEMBER_COMMANDS = [
    BotCommand("next", "The next session: when, where, who's coming"),
    BotCommand("in", "I'm in (a note may follow)"),
    BotCommand("maybe", "Maybe"),
    BotCommand("out", "I can't make it"),
    BotCommand("report", "Your splits: /report 2:45 2:43 2:41"),
    BotCommand("results", "The latest results board"),
    BotCommand("me", "Your recent sessions"),
    BotCommand("pb", "Your personal bests"),
    BotCommand("targets", "Your target splits (sent privately)"),
    BotCommand("settings", "The group's weekly slot"),
    BotCommand("help", "Every command with an example"),
]
COACH_COMMANDS = [
    BotCommand("workout", "Set the workout: /workout 6x800m @5K r90s"),
    BotCommand("announce", "Post the announcement now"),
    BotCommand("cancel", "Cancel the next session: /cancel reason"),
    BotCommand("move", "Move the next session: /move thu 19:00"),
    BotCommand("set", "Change a setting: /set time 18:30"),
    BotCommand("setup", "Guided set-up with buttons"),
    BotCommand("groups", "Pace groups for the next session"),
    BotCommand("attendance", "Attendance, streaks and no-shows"),
    BotCommand("export", "Results and attendance as CSV"),
    BotCommand("coach", "Add or remove a coach"),
]
PRIVATE_COMMANDS = [
    BotCommand("next", "Your club's next session"),
    BotCommand("in", "I'm in"),
    BotCommand("maybe", "Maybe"),
    BotCommand("out", "I can't make it"),
    BotCommand("remind", "Private reminders: /remind on or off"),
    BotCommand("report", "Your splits: /report 2:45 2:43 2:41"),
    BotCommand("me", "Your recent sessions"),
    BotCommand("pb", "Your personal bests"),
    BotCommand("progress", "A chart of your pace: /progress 800"),
    BotCommand("race", "Log a race: /race 5k 19:30"),
    BotCommand("private", "Keep your name off group posts: /private on"),
    BotCommand("pace", "VDOT, equivalents, paces: /pace 5k 19:30"),
    BotCommand("benchmark", "Your benchmark: /benchmark 5k 19:30"),
    BotCommand("targets", "Your splits to aim for next session"),
    BotCommand("profile", "Age grading: /profile born 1985 F"),
    BotCommand("help", "How to use me"),
]


async def register_menus(bot: Bot) -> None:
    await bot.set_my_commands(MEMBER_COMMANDS, scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        MEMBER_COMMANDS + COACH_COMMANDS, scope=BotCommandScopeAllChatAdministrators()
    )
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())
