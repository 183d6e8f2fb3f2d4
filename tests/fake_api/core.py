"""`FakeTelegram`: the in-memory Bot API. Transports call `handle` / `handle_async`.

Everything is guarded by one RLock, so tests, the HTTP server thread and an in-process
bot can all use the same instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import commands, methods_bot, methods_chats, methods_edit, methods_send
from .driving import DriverMixin
from .errors import MSG_POLL_CONFLICT, NETWORK_DROP, ApiError
from .faults import NetworkFault, QueuedFault, RandomFault, RateLimiter, SlowResponse, Tripwire
from .models import UploadedFile
from .params import Params, normalize
from .queries import QueryMixin
from .state import Handler
from .waiting import WaitMixin
from .world import WorldMixin

JSON = dict[str, Any]

_REGISTRY: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler)
    for module in (methods_bot, methods_send, methods_edit, methods_chats, commands)
    for name, handler in module.HANDLERS.items()
}
_NOT_FOUND: JSON = {"ok": False, "error_code": 404, "description": "Not Found"}


def supported_methods() -> list[str]:
    """Canonical names of every implemented Bot API method."""
    return sorted(name for name, _ in _REGISTRY.values())


def _uploads(files: Mapping[str, bytes | UploadedFile] | None) -> dict[str, UploadedFile]:
    out: dict[str, UploadedFile] = {}
    for name, value in (files or {}).items():
        out[name] = value if isinstance(value, UploadedFile) else UploadedFile(name, value)
    return out


def _chat_key(values: JSON) -> int | str | None:
    chat = values.get("chat_id")
    return chat if isinstance(chat, (int, str)) and not isinstance(chat, bool) else None


class FakeTelegram(WorldMixin, DriverMixin, WaitMixin, QueryMixin):
    """Offline Telegram Bot API: world setup, user simulation, faults and recordings."""

    # -- dispatch -------------------------------------------------------------------

    def handle(
        self,
        method: str,
        params: Mapping[str, Any],
        files: Mapping[str, bytes | UploadedFile] | None = None,
        client: str | None = None,
    ) -> tuple[int, JSON]:
        """Run one Bot API call; returns (HTTP status, JSON body), status 0 = dropped.

        `client` names the caller when several processes share the fake (see
        `FakeBotApiServer.client_url`); calls record it.
        """
        name, handler = _REGISTRY.get(method.lower(), (method, None))
        values = normalize(params)
        uploads = _uploads(files)
        with self._lock:
            status: int
            body: JSON
            if client is not None and client in self.faults.disconnected:
                status, body = NETWORK_DROP, {}
            else:
                status, body = self._execute_tripped(
                    method.lower(), handler, values, uploads, client
                )
            self._record(name, values, uploads, status, body, client)
            return status, body

    def _execute_tripped(
        self,
        key: str,
        handler: Handler | None,
        values: JSON,
        uploads: dict[str, UploadedFile],
        client: str | None,
    ) -> tuple[int, JSON]:
        """`_execute`, with a tripwire sprung before or after the call takes effect."""
        wire = self.faults.take_tripwire(key, client, values)
        if wire is not None and not wire.after_effect:
            wire.action()
            return NETWORK_DROP, {}
        status, body = self._execute(key, handler, values, uploads)
        if wire is not None:
            wire.action()
            return NETWORK_DROP, {}
        return status, body

    def _execute(
        self, key: str, handler: Handler | None, values: JSON, uploads: dict[str, UploadedFile]
    ) -> tuple[int, JSON]:
        if handler is None:
            return 404, dict(_NOT_FOUND)
        chat = _chat_key(values)
        drop: NetworkFault | None = None
        try:
            error = self.faults.take_error(key, chat)
            if error is not None:
                raise error
            drop = self.faults.take_network(key, chat)
            if drop is not None and not drop.after_effect:
                return NETWORK_DROP, {}
            error = self.faults.check_rate(key, chat, self._monotonic())
            if error is not None:
                raise error
            result = handler(self, Params(values), uploads)
        except ApiError as exc:
            return exc.status, exc.body()
        except (ValueError, TypeError) as exc:
            return 400, ApiError(400, f"Bad Request: {exc}").body()
        self.faults.record_success(key, chat, self._monotonic())
        if drop is not None:
            return NETWORK_DROP, {}
        return 200, {"ok": True, "result": result}

    async def handle_async(
        self,
        method: str,
        params: Mapping[str, Any],
        files: Mapping[str, bytes | UploadedFile] | None = None,
        client: str | None = None,
    ) -> tuple[int, JSON]:
        """`handle`, but getUpdates with timeout > 0 long-polls without blocking the loop, and
        the answer of a call `slow_responses` names comes late."""
        if method.lower() == "getupdates":
            values = normalize(params)
            if await self._long_poll(values):
                with self._lock:
                    body = ApiError(409, MSG_POLL_CONFLICT).body()
                    self._record("getUpdates", values, {}, 409, body, client)
                    return 409, body
        status, body = self.handle(method, params, files, client)
        if status == 200:
            with self._lock:
                delay = self.faults.response_delay(method.lower(), normalize(params))
            if delay > 0:
                await asyncio.sleep(delay)
        return status, body

    async def _long_poll(self, values: JSON) -> bool:
        """Wait for updates; True when a newer getUpdates took over (Telegram's 409)."""
        timeout = values.get("timeout")
        offset = values.get("offset")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            return False
        if offset is not None and not isinstance(offset, int):
            return False
        with self._lock:
            self._confirm_updates(offset)  # Telegram confirms on receipt, not on return
            allowed = values.get("allowed_updates")
            if isinstance(allowed, list):  # and filters new updates from then on
                self.allowed_updates = [str(kind) for kind in allowed]
            self._poll_generation += 1
            generation = self._poll_generation
            self._polls_waiting += 1
            self._changed()

        def taken_over() -> bool:
            return self.poll_conflicts and self._poll_generation != generation

        def ready() -> bool:
            return (
                taken_over()
                or bool(self._updates_from(offset))
                or bool(self.webhook_url)
                or self.faults.has_pending("getupdates")
            )

        try:
            await self._wait_async(ready, float(timeout))
        finally:
            with self._lock:
                self._polls_waiting -= 1
        with self._lock:
            return taken_over()

    # -- fault injection ------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next `count` matching calls (None = any method) with this error."""
        with self._lock:
            self.faults.queued.append(
                QueuedFault(
                    None if method is None else method.lower(),
                    status,
                    description,
                    retry_after,
                    count,
                    chat_id,
                )
            )
            self._changed()

    def fail_randomly(
        self,
        method: str | None,
        probability: float,
        status: int = 429,
        retry_after: int | None = 1,
        seed: int = 0,
        description: str | None = None,
    ) -> None:
        """Fail matching calls with `probability` (deterministic for a given seed)."""
        with self._lock:
            self.faults.rng.seed(seed)
            self.faults.random_faults.append(
                RandomFault(
                    None if method is None else method.lower(),
                    probability,
                    status,
                    retry_after,
                    description,
                )
            )

    def drop_next(
        self,
        method: str | None,
        count: int = 1,
        after_effect: bool = False,
        chat_id: int | str | None = None,
    ) -> None:
        """Lose the response of the next matching calls; with after_effect the call still
        took effect (the duplicate-send hazard on retries)."""
        with self._lock:
            self.faults.network.append(
                NetworkFault(
                    None if method is None else method.lower(), count, after_effect, chat_id
                )
            )
            self._changed()

    def rate_limit(
        self,
        per_chat_per_minute: int | None = None,
        global_per_second: int | None = None,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Enforce flood limits with real 429s; both None disables limiting.

        Counts send*/edit*/copy/forward calls unless `methods` lists others.
        """
        with self._lock:
            if per_chat_per_minute is None and global_per_second is None:
                self.faults.limiter = None
            else:
                self.faults.limiter = RateLimiter(per_chat_per_minute, global_per_second, methods)

    def slow_responses(
        self, method: str, seconds: float, match: Callable[[JSON], bool] | None = None
    ) -> None:
        """Answer successful matching calls `seconds` late; they take effect at once (in
        `handle_async`). `match` gets the call's params, under the fake's lock."""
        with self._lock:
            self.faults.slow.append(SlowResponse(method.lower(), seconds, match))

    def clear_faults(self) -> None:
        """Remove every injected fault, rate limit and tripwire."""
        with self._lock:
            self.faults.clear()

    def add_tripwire(
        self,
        method: str,
        action: Callable[[], None],
        *,
        after_effect: bool = False,
        client: str | None = None,
        match: Callable[[JSON], bool] | None = None,
    ) -> Tripwire:
        """Run `action` once, when the next matching call arrives (e.g. kill the bot there).

        Before the call takes effect (default) the call is lost, as if its sender died
        while sending it; with `after_effect` it takes effect and only the response is
        lost. `match` gets the call's params and runs under the fake's lock, so nothing
        else happens in the fake while it (and `action`) run. See `Tripwire.fired`.
        """
        wire = Tripwire(method.lower(), action, after_effect, client, match)
        with self._lock:
            self.faults.tripwires.append(wire)
        return wire

    def disconnect(self, client: str) -> None:
        """`client`'s process is gone: its calls, even those still on the wire, are lost."""
        with self._lock:
            self.faults.disconnected.add(client)
            self._changed()

    def allow_concurrent_polls(self) -> None:
        """Let several processes long-poll at once (replicas that need no updates).

        Telegram (and this fake by default) ends the older long poll with 409 Conflict.
        """
        with self._lock:
            self.poll_conflicts = False
