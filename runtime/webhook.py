"""Webhook mode: an aiohttp server takes Telegram's POSTs into the Application's queue.

PTB's "custom webhook bot" pattern: the Application is initialised and started by hand,
and this server feeds `update_queue`, so updates are handled exactly as in long polling
(one at a time, in order). Every request must carry the secret Telegram was given; each
update id is recorded in the database first, so a retry is acknowledged but not handled
again, also when it reaches another replica. `GET /healthz` tells a load balancer whether
this process can serve. On SIGTERM/SIGINT the server refuses new updates (503, so
Telegram retries them elsewhere or later) and health turns 503, no scheduled job starts
any more, queued updates and running jobs are finished, pending announcement edits
flushed (post_stop), then everything is shut down.
The webhook is not deleted on the way out: other replicas keep serving it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from http import HTTPStatus
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from telegram import Update

from db import health, updates
from handlers.context import BotApplication, BotContext
from handlers.services import Services
from jobs.scheduler import stop_starting
from runtime.logcontext import handling

log = logging.getLogger("speedsession.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
# A load balancer probes often; a database that takes longer than this counts as down.
HEALTH_TIMEOUT = 3.0
PRUNE_INTERVAL = 3600.0


class ListenError(RuntimeError):
    """The webhook server could not bind its address (taken, or not this machine's)."""


def _status(code: HTTPStatus, **body: Any) -> web.Response:
    return web.json_response(body, status=int(code))


class WebhookServer:
    """The HTTP side: authenticate, de-duplicate, queue; and say whether it is healthy."""

    def __init__(self, app: BotApplication, services: Services) -> None:
        settings = services.settings
        assert settings.webhook_secret is not None, "settings validation requires it"
        self.app = app
        self.services = services
        self.secret = settings.webhook_secret.get_secret_value().encode()
        self.path = settings.webhook_path
        self.host = settings.webhook_listen
        self.port = settings.webhook_port
        self.stopping = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        server = web.Application()
        server.router.add_post(self.path, self._on_update)
        server.router.add_get(HEALTH_PATH, self._on_health)
        self._runner = web.AppRunner(server, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as error:
            raise ListenError(f"cannot listen on {self.host}:{self.port}: {error}") from error
        log.info("webhook server listening on %s:%d%s", self.host, self.port, self.path)

    async def drain(self) -> None:
        """Refuse new updates from now on; return once requests in progress have queued theirs."""
        self.stopping = True
        await self._idle.wait()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _on_update(self, request: web.Request) -> web.Response:
        token = request.headers.get(SECRET_HEADER)
        if token is None:
            log.warning("webhook request without the secret token from %s", request.remote)
            return _status(HTTPStatus.UNAUTHORIZED, ok=False)
        if not hmac.compare_digest(token.encode(), self.secret):
            log.warning("webhook request with a wrong secret token from %s", request.remote)
            return _status(HTTPStatus.FORBIDDEN, ok=False)
        if self.stopping:
            return _status(HTTPStatus.SERVICE_UNAVAILABLE, ok=False, status="stopping")
        # No await between the check above and here: drain() sees every accepted request.
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._take(request)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _take(self, request: web.Request) -> web.Response:
        try:
            update = Update.de_json(await request.json(), self.app.bot)
        except Exception as error:  # PTB raises anything from KeyError to TypeError
            log.warning("webhook request with a body that is not an update: %r", error)
            return _status(HTTPStatus.BAD_REQUEST, ok=False)
        with handling(update):
            try:
                first = await updates.first_delivery(
                    self.services.db, self.app.bot.id, update.update_id, self.services.now()
                )
            except (SQLAlchemyError, OSError):
                # Telegram retries a failed delivery, so nothing is lost by refusing it now.
                log.error("could not record the update; Telegram will retry", exc_info=True)
                return _status(HTTPStatus.SERVICE_UNAVAILABLE, ok=False)
            if not first:
                log.info("update delivered again: already taken in, ignored")
                return _status(HTTPStatus.OK, ok=True, duplicate=True)
            await self.app.update_queue.put(update)
            return _status(HTTPStatus.OK, ok=True)

    async def _on_health(self, request: web.Request) -> web.Response:
        if self.stopping:
            return _status(HTTPStatus.SERVICE_UNAVAILABLE, status="stopping")
        try:
            reachable = await asyncio.wait_for(health.answers(self.services.db), HEALTH_TIMEOUT)
        except TimeoutError:
            reachable = False
        if not reachable:
            return _status(HTTPStatus.SERVICE_UNAVAILABLE, status="unavailable", database=False)
        return _status(HTTPStatus.OK, status="ok", database=True)


async def serve(app: BotApplication, services: Services, stop: asyncio.Event) -> None:
    """Run the bot on its webhook until `stop` is set, then shut down without losing updates.

    Mirrors what `run_polling` does around its updater: post_init after initialize,
    post_stop after stop, post_shutdown after shutdown.
    """
    settings = services.settings
    server = WebhookServer(app, services)
    try:
        async with app:  # initialize() ... shutdown()
            if app.post_init is not None:
                await app.post_init(app)
            await app.start()
            try:
                await server.start()
                if app.job_queue is not None:
                    app.job_queue.run_repeating(
                        _prune, PRUNE_INTERVAL, first=60.0, name="prune-processed-updates"
                    )
                await app.bot.set_webhook(
                    url=settings.webhook_url or "",
                    secret_token=server.secret.decode(),
                    allowed_updates=Update.ALL_TYPES,
                )
                log.info("webhook set: %s", settings.webhook_url)
                await stop.wait()
                log.info("stopping: refusing new updates, finishing the ones taken in")
                await server.drain()
            finally:
                stop_starting(app.job_queue)
                await app.stop()  # handles every queued update, waits for running jobs
                if app.post_stop is not None:
                    await app.post_stop(app)
                await server.close()
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
    log.info("stopped")


async def run(app: BotApplication, services: Services) -> None:
    """`serve` until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve(app, services, stop)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def _prune(context: BotContext) -> None:
    """Forget update ids Telegram will not retry any more (hourly job)."""
    services = context.services
    removed = await updates.prune(services.db, services.now())
    if removed:
        log.debug("forgot %d processed update id(s)", removed)
