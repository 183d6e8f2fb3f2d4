"""Entry point: `python bot.py` runs the speed-session bot (long polling, or a webhook
server when WEBHOOK_URL is set); `python bot.py check` validates the configuration, the
database and Telegram.

`build_application` wires settings, database, handlers and jobs into a
python-telegram-bot Application; the engine is created here, at start-up,
and the schema is migrated before the first update is handled.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from typing import NoReturn

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes
from telegram.request import BaseRequest

import handlers
from config.settings import MissingTokenError, Settings, get_settings
from db import rsvps
from db.engine import Database
from db.health import database_health
from db.migrate import upgrade_to_head_async
from db.rsvp_taps import TapWriter
from handlers.context import SERVICES_KEY, BotApplication, BotContext
from handlers.menus import register_menus
from handlers.services import Services, utc_now
from jobs.flood import FloodLimiter
from jobs.refresh import AnnouncementRefresher
from jobs.scheduler import rebuild, start_sweeping, stop_starting
from runtime import webhook
from runtime.logcontext import UpdateContextFilter
from runtime.ordering import InOrderPerUser

log = logging.getLogger("speedsession")

# The signals `run_polling` stops on by default.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)
# Allocations between young-generation collections (CPython's default is 700).
YOUNG_GC_THRESHOLD = 7_000


def services_of(app: BotApplication) -> Services:
    services = app.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services


async def on_startup(app: BotApplication) -> None:
    """Migrate, register menus, rebuild every schedule from the database, tune the GC."""
    services = services_of(app)
    await upgrade_to_head_async(services.settings.database_url)
    services.refresher = AnnouncementRefresher(
        app.bot, services, services.settings.announcement_edit_interval
    )
    # Answers committed just before the last stop whose edit never went out.
    for session_id in await rsvps.stale_announcements(services.db, services.now()):
        services.refresher.mark(session_id)
    try:
        await register_menus(app.bot)
    except TelegramError:
        log.warning("could not register the command menus", exc_info=True)
    if app.job_queue is not None:
        planned = await rebuild(app.job_queue, services)
        start_sweeping(app.job_queue, services.settings.sweep_interval)
        log.info("started: %d group(s) scheduled", planned)
    tune_garbage_collection()


def tune_garbage_collection() -> None:
    """Fewer, cheaper garbage collections under bursts of taps (P1: ~10 % less CPU a tap).

    What start-up loaded (modules, ORM mappers, compiled statements: ~140,000 objects)
    lives as long as the process: frozen, full collections no longer walk it (~70 ms
    each, about one a second under load). A tap's objects live until its batch commits,
    through a few hundred allocations by other taps: at CPython's default young threshold
    (700) most were promoted and died old, which brought full collections sooner.
    Freezing happens once per process: a second start-up in one process (tests) would
    pin what the first left behind.
    """
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
    if not gc.get_freeze_count():
        gc.freeze()


async def on_stop(app: BotApplication) -> None:
    """Flush pending announcement edits while the bot can still talk to Telegram."""
    refresher = services_of(app).refresher
    if refresher is not None:
        await refresher.flush()


async def on_shutdown(app: BotApplication) -> None:
    services = services_of(app)
    if services.taps is not None:
        await services.taps.close()
    await services.db.dispose()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    clock: Callable[[], datetime] = utc_now,
    flood_limits: bool = True,
) -> BotApplication:
    """The bot, ready to run; `flood_limits=False` only for in-process tests (no waits)."""
    base_url = settings.telegram_base_url.rstrip("/")
    file_url = base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url
    builder = (
        Application.builder()
        .token(settings.token())
        .base_url(base_url)
        .base_file_url(file_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(InOrderPerUser())
        .post_init(on_startup)
        .post_stop(on_stop)
        .post_shutdown(on_shutdown)
    )
    if flood_limits:
        # PTB's builder encodes the limiter in its type; this variable keeps one type.
        builder = builder.rate_limiter(FloodLimiter(max_retries=5))  # type: ignore[arg-type]
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    app: BotApplication = builder.build()
    db = Database.connect(settings.database_url)
    app.bot_data[SERVICES_KEY] = Services(
        settings=settings,
        db=db,
        clock=clock,
        taps=TapWriter(db.engine, settings.database_url),
    )
    handlers.register(app)
    return app


def poll_until_stopped(app: BotApplication, settings: Settings) -> None:
    """`run_polling`, with stop signals that first keep scheduled jobs from starting (see
    `stop_starting`); then it stops the bot as it would on its own signal handlers."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # the loop run_polling runs on (and closes)

    def stop() -> NoReturn:
        stop_starting(app.job_queue)
        raise SystemExit  # what run_polling's own handler raises to leave its loop

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop)
    app.run_polling(
        allowed_updates=Update.ALL_TYPES, timeout=settings.poll_timeout, stop_signals=None
    )


def configure_logging(level: str) -> None:
    """One line per event; lines logged while an update is handled name it and its chat."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s%(update_context)s: %(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(UpdateContextFilter())
    # Each getUpdates call would otherwise be logged at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def check(settings: Settings) -> int:
    """`python bot.py check`: print what the configuration and its services look like."""
    problems = 0
    print("Configuration")
    try:
        token = settings.token()
        print(f"  BOT_TOKEN          set ({token.split(':')[0]}:…)")
    except MissingTokenError:
        print("  BOT_TOKEN          MISSING: talk to @BotFather (see README)")
        token, problems = "", problems + 1
    print(f"  DATABASE_URL       {make_url(settings.database_url).render_as_string()}")
    print(f"  TELEGRAM_BASE_URL  {settings.telegram_base_url}")
    print(f"  DEFAULT_TIMEZONE   {settings.default_timezone}")
    print(f"  LOG_LEVEL          {settings.log_level}")
    if settings.webhook_url is None:
        print("  MODE               long polling (set WEBHOOK_URL for a webhook)")
    else:
        print("  MODE               webhook")
        print(f"  WEBHOOK_URL        {settings.webhook_url}")
        print("  WEBHOOK_SECRET     set (not shown)")
        print(
            f"  WEBHOOK_LISTEN     {settings.webhook_listen}:{settings.webhook_port}"
            f" (POST {settings.webhook_path}, GET {webhook.HEALTH_PATH})"
        )
    health = await database_health(settings.database_url)
    if not health.reachable:
        print(f"Database: UNREACHABLE: {health.detail}")
        problems += 1
    else:
        state = "up to date" if health.up_to_date else "will be migrated at start-up"
        print(f"Database: {health.detail}, schema {health.revision or 'empty'} ({state})")
    if token:
        bot = Bot(token, base_url=settings.telegram_base_url)
        try:
            async with bot:
                print(f"Telegram: @{bot.username} answers")
                info = await bot.get_webhook_info()
                pending = f"{info.pending_update_count} update(s) pending"
                if info.url:
                    error = (
                        f", last error: {info.last_error_message}"
                        if info.last_error_message
                        else ""
                    )
                    print(f"Telegram webhook: {info.url} ({pending}{error})")
                else:
                    print(f"Telegram webhook: none ({pending})")
        except TelegramError as error:
            print(f"Telegram: NOT REACHABLE: {error}")
            problems += 1
    print("All good." if not problems else f"{problems} problem(s) found.")
    return 0 if not problems else 1


def main(argv: list[str]) -> int:
    try:
        settings = get_settings()
    except ValidationError as invalid:
        for error in invalid.errors():
            name = ".".join(str(part) for part in error["loc"]).upper()
            # Checks spanning two settings have no single name; their message names both.
            print(f"{name}: {error['msg']}" if name else error["msg"], file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if argv[1:2] == ["check"]:
        return asyncio.run(check(settings))
    try:
        app = build_application(settings)
    except MissingTokenError as missing:
        print(missing, file=sys.stderr)
        return 2
    if settings.webhook_url is None:
        poll_until_stopped(app, settings)
        return 0
    try:
        asyncio.run(webhook.run(app, services_of(app)))
    except webhook.ListenError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
