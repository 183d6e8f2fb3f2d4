"""The webhook server in-process: draining on stop, health, and the update ids in log lines.

The real Application (build_application on the in-memory fake Bot API and an SQLite file)
is served by `runtime.webhook.serve` on a local port; a handler that waits for the test
holds an update "in flight" for as long as the test needs, without timing.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot import build_application, on_stop, services_of
from config.settings import Settings
from db.engine import Database
from handlers.context import BotApplication, BotContext
from runtime import webhook
from runtime.logcontext import UpdateContextFilter
from tests.fake_api import DEFAULT_TOKEN, FakeTelegram
from tests.fake_api.request import FakeRequest
from tests.handlers.conftest import ADMIN, GROUP

SECRET = "in-process-secret"
HEADERS = {webhook.SECRET_HEADER: SECRET}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    app: BotApplication
    base: str
    http: aiohttp.ClientSession
    stop: asyncio.Event
    task: asyncio.Task[None]
    events: list[str]

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.http.get(self.base + path) as response:
            return response.status, await response.json()

    async def post(self, update: dict[str, Any]) -> int:
        async with self.http.post(self.base + "/hook", json=update, headers=HEADERS) as response:
            return response.status


@pytest.fixture
async def served(api: FakeTelegram, sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Served]:
    database = tmp_path / "bot.db"
    shutil.copy(sqlite_template, database)
    port = free_port()
    settings = Settings(
        _env_file=None,
        bot_token=DEFAULT_TOKEN,
        database_url=f"sqlite+aiosqlite:///{database}",
        announcement_edit_interval=0.0,
        webhook_url="https://bot.example.org/hook",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    app = build_application(settings, request=FakeRequest(api), flood_limits=False)
    events: list[str] = []

    async def recorded_stop(application: BotApplication) -> None:
        events.append("post_stop")
        await on_stop(application)

    app.post_stop = recorded_stop
    stop = asyncio.Event()
    task = asyncio.create_task(webhook.serve(app, services_of(app), stop))
    await api.async_wait_for_call("setWebhook", timeout=15)
    async with aiohttp.ClientSession() as http:
        yield Served(app, f"http://127.0.0.1:{port}", http, stop, task, events)
    stop.set()
    await task


async def test_stopping_refuses_new_updates_and_finishes_the_one_in_hand(
    api: FakeTelegram, served: Served
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def hold(update: Update, context: BotContext) -> None:
        served.events.append(f"handling {update.update_id}")
        entered.set()
        await release.wait()

    served.app.add_handler(TypeHandler(Update, hold), group=-1)
    first = api.user_sends(ADMIN, GROUP, "/set day tue")
    assert await served.post(first) == 200
    await asyncio.wait_for(entered.wait(), 15)

    # serve() wakes on the next loop turn, before the server reads any request below.
    served.stop.set()
    assert await served.get("/healthz") == (503, {"status": "stopping"})
    late = api.user_sends(ADMIN, GROUP, "/set place The track")
    assert await served.post(late) == 503  # Telegram retries it elsewhere or later
    assert not served.task.done()

    release.set()
    await asyncio.wait_for(served.task, 15)
    replies = [m.plain_text or "" for m in api.messages_in(GROUP) if m.from_bot]
    assert len(replies) == 1 and "day: Tuesday" in replies[0]
    assert served.events == [f"handling {first['update_id']}", "post_stop"]


async def test_health_reports_an_unreachable_database(served: Served) -> None:
    assert await served.get("/healthz") == (200, {"status": "ok", "database": True})
    services = services_of(served.app)
    working = services.db
    services.db = Database.connect("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    try:
        assert await served.get("/healthz") == (
            503,
            {"status": "unavailable", "database": False},
        )
    finally:
        await services.db.dispose()
        services.db = working
    assert (await served.get("/healthz"))[0] == 200


async def test_log_lines_name_the_update_only_while_it_is_handled(
    api: FakeTelegram, served: Served
) -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.getMessage()}{record.__dict__['update_context']}")

    probe = logging.getLogger("tests.webhook.probe")
    later: list[asyncio.Task[None]] = []
    done = asyncio.Event()

    async def after_the_update() -> None:
        await done.wait()
        probe.warning("after")

    async def log_inside(update: Update, context: BotContext) -> None:
        probe.warning("inside")
        later.append(asyncio.create_task(after_the_update()))

    keep = Keep()
    keep.addFilter(UpdateContextFilter())
    probe.addHandler(keep)
    try:
        served.app.add_handler(TypeHandler(Update, log_inside), group=-1)
        update = api.user_sends(ADMIN, GROUP, "/set day tue")
        assert await served.post(update) == 200
        await asyncio.wait_for(served.app.update_queue.join(), 15)  # handled, unbound
        probe.warning("outside")
        done.set()
        await asyncio.gather(*later)
    finally:
        probe.removeHandler(keep)
    assert records == [f"inside [update={update['update_id']} chat={GROUP}]", "outside", "after"]


async def test_no_job_starts_once_stopping_began(api: FakeTelegram, served: Served) -> None:
    """A job falling due while the stop finishes the update in hand never starts: the
    JobQueue's stop waits only for the jobs already running, APScheduler cancels later ones."""
    job_queue = served.app.job_queue
    assert job_queue is not None
    entered, release = asyncio.Event(), asyncio.Event()
    ran: list[str] = []

    async def hold(update: Update, context: BotContext) -> None:
        entered.set()
        await release.wait()

    async def due(context: BotContext) -> None:
        ran.append("due")

    served.app.add_handler(TypeHandler(Update, hold), group=-1)
    assert await served.post(api.user_sends(ADMIN, GROUP, "/set day tue")) == 200
    await asyncio.wait_for(entered.wait(), 15)
    served.stop.set()
    # serve() wakes on the next loop turn and, no request being in flight, goes straight on
    # to stop the application, which waits for `hold`.
    assert await served.get("/healthz") == (503, {"status": "stopping"})
    assert not served.app.running
    job_queue.run_once(due, 0)
    # A running scheduler queued its wake-up on the loop first: after this, it had its turn.
    looked = asyncio.Event()
    asyncio.get_running_loop().call_soon(looked.set)
    await looked.wait()
    release.set()
    await asyncio.wait_for(served.task, 15)
    assert ran == []
