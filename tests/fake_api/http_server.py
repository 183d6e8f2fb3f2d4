"""`FakeBotApiServer`: serves a `FakeTelegram` over HTTP on 127.0.0.1 for real clients.

Runs aiohttp in a background thread with its own loop, so sync tests, async tests and a
bot subprocess (pointed at `base_url`) can all use it. Long polls await the core's
wake-ups and are cancelled when the client disconnects, like on Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from aiohttp import web

from .core import FakeTelegram
from .errors import NETWORK_DROP
from .models import DEFAULT_TOKEN, UploadedFile

JSON = dict[str, Any]

# An optional first segment names the calling process (see `client_url`).
_PATH = re.compile(
    r"(?:/(?P<client>[A-Za-z0-9_.-]+))?/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?"
)
_MAX_BODY = 64 * 1024 * 1024  # Telegram accepts 50 MB uploads


def _json_response(status: int, body: JSON) -> web.Response:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return web.Response(status=status, body=payload, content_type="application/json")


async def _read_request(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """Query string + JSON / urlencoded / multipart body, as Telegram accepts all four."""
    params: JSON = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        data = await request.json()
        if isinstance(data, dict):
            params.update(data)
        return params, files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            content = value.file.read()
            files[key] = UploadedFile(value.filename, content, value.content_type)
        else:
            params[key] = value
    return params, files


class FakeBotApiServer:
    """HTTP front of the fake; use `base_url` as PTB's `Bot(base_url=...)`."""

    def __init__(
        self,
        core: FakeTelegram,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        host: str = "127.0.0.1",
    ) -> None:
        self.core = core
        self.tokens = frozenset(tokens)
        self.host = host
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._inflight: set[asyncio.Task[Any]] = set()

    @property
    def base_url(self) -> str:
        """PTB appends the token: ``Bot(token, base_url=server.base_url)``."""
        return f"http://{self.host}:{self.port}/bot"

    def client_url(self, client: str) -> str:
        """A `base_url` whose calls are recorded as `client`'s (several bot processes, one
        fake): `Call.client`, `FakeTelegram.disconnect`, tripwires for one process."""
        return f"http://{self.host}:{self.port}/{client}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``Bot(base_file_url=...)``; file downloads are not served."""
        return f"http://{self.host}:{self.port}/file/bot"

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> FakeBotApiServer:
        """Bind an ephemeral port and serve in a daemon thread; returns self."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._thread = threading.Thread(target=self._run, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake Bot API server did not start")
        if self._error is not None:
            raise RuntimeError("fake Bot API server failed to start") from self._error
        return self

    def stop(self) -> None:
        """Cancel open long polls, close the socket and join the thread."""
        loop, stop, thread = self._loop, self._stop, self._thread
        if loop is None or stop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # loop already gone
            loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        self._thread = None

    def __enter__(self) -> FakeBotApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        self.port = int(runner.addresses[0][1])
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            for task in list(self._inflight):
                task.cancel()
            await runner.cleanup()

    # -- requests -------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        match = _PATH.fullmatch(request.path)
        if match is None:
            return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if match["token"] not in self.tokens:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return _json_response(401, body)
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            try:
                params, files = await _read_request(request)
            except ValueError:
                body = {"ok": False, "error_code": 400, "description": "Bad Request: bad JSON"}
                return _json_response(400, body)
            status, result = await self.core.handle_async(
                match["method"], params, files, match["client"]
            )
        finally:
            if task is not None:
                self._inflight.discard(task)
        if status == NETWORK_DROP:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        return _json_response(status, result)
