"""Every handler, registered in one visible, ordered place.

Handlers are thin: parse the update, call a use case from `db`, render the
reply with `handlers.render`. Order matters only within a group: the first
matching handler wins, so specific patterns come before general ones.
"""

from __future__ import annotations

from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import (
    coach,
    coach_views,
    coaching,
    history,
    membership,
    private,
    report,
    results,
    rsvp,
    session,
    settings,
    setup,
    workout,
)
from handlers.context import BotApplication
from handlers.errors import on_error


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            # Membership of the bot itself.
            ChatMemberHandler(membership.on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.StatusUpdate.MIGRATE, membership.on_migration),
            # Buttons.
            CallbackQueryHandler(rsvp.on_button, pattern=r"^rsvp:"),
            CallbackQueryHandler(setup.on_setup_button, pattern=r"^setup:"),
            CallbackQueryHandler(report.on_confirm, pattern=r"^report:"),
            # Everyone.
            CommandHandler("start", private.start),
            CommandHandler("help", private.help_command),
            CommandHandler("next", session.show_next),
            CommandHandler("in", rsvp.rsvp_in),
            CommandHandler("maybe", rsvp.rsvp_maybe),
            CommandHandler("out", rsvp.rsvp_out),
            CommandHandler("settings", settings.show_settings),
            CommandHandler("remind", private.remind),
            CommandHandler("report", report.report),
            CommandHandler("me", history.me),
            CommandHandler("pb", history.pb),
            CommandHandler("progress", history.progress),
            CommandHandler("race", history.race),
            CommandHandler("private", history.private_mode),
            CommandHandler("results", results.show_results),
            CommandHandler("pace", coaching.pace),
            CommandHandler("benchmark", coaching.benchmark),
            CommandHandler("targets", coaching.targets),
            CommandHandler("profile", coaching.profile),
            # Coaches.
            CommandHandler("set", settings.set_setting),
            CommandHandler("setup", setup.start_setup),
            CommandHandler("workout", workout.set_workout),
            CommandHandler("announce", session.announce),
            CommandHandler("cancel", session.cancel),
            CommandHandler("move", session.move),
            CommandHandler("attendance", coach_views.show_attendance),
            CommandHandler("export", coach_views.export_csv),
            CommandHandler("groups", coaching.groups),
            # Admins.
            CommandHandler("coach", coach.coach),
            # Anything else that looks like a button: refused politely, never ignored.
            CallbackQueryHandler(rsvp.on_unknown_button),
        ]
    )
    app.add_error_handler(on_error)
