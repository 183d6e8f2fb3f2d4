# ruff: noqa: ASYNC109  (async_* waits deliberately mirror the sync signatures)
"""Blocking and async waits on the fake's state, with a readable dump on timeout.

Sync waits are for tests driving a bot in another thread or process; calling them from
a running event loop would freeze an in-process bot, so that raises and points to the
``async_`` variant.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from .models import Call, Message
from .state import TelegramState, _AsyncWaiter

JSON = dict[str, Any]
Predicate = Callable[[], bool]


def _forbid_running_loop(name: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{name}() would block the running event loop; use async_{name}()")


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class WaitMixin(TelegramState):
    """wait_until / wait_for_call / wait_for_message / wait_for_updates (+ async_)."""

    # -- primitives -----------------------------------------------------------------

    def _wait_sync(self, predicate: Predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    async def _wait_async(self, predicate: Predicate, seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            waiter = _AsyncWaiter()
            with self._lock:
                if predicate():
                    return True
                self._async_waiters.add(waiter)
            try:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.event.wait(), remaining)
            finally:
                with self._lock:
                    self._async_waiters.discard(waiter)

    def dump(self, last: int = 25) -> str:
        """Recent calls (idle getUpdates skipped) and messages per chat, for failure output."""
        with self._lock:
            calls = [c for c in self._calls if not (c.method == "getUpdates" and c.result == [])]
            lines = [f"last {min(last, len(calls))} of {len(self._calls)} calls:"]
            for call in calls[-last:]:
                params = _short(call.params, 160)
                lines.append(f"  #{call.index} {call.method} -> {call.status} {params}")
                if not call.ok:
                    lines.append(f"      {call.description}")
            lines.append(f"pending updates: {len(self.pending_updates)}")
            for chat in self.chats.values():
                shown = [m for m in chat.messages.values() if not m.deleted][-3:]
                for msg in shown:
                    who = "bot" if msg.from_bot else str(msg.from_id)
                    lines.append(f"  chat {chat.id} #{msg.message_id} {who}: {_short(msg.content)}")
            return "\n".join(lines)

    def _timeout(self, what: str, timeout: float) -> AssertionError:
        return AssertionError(f"timed out after {timeout}s waiting for {what}\n{self.dump()}")

    # -- generic --------------------------------------------------------------------

    def wait_until(self, predicate: Predicate, timeout: float = 10.0, what: str = "") -> None:
        """Block until predicate() (evaluated under the lock) holds."""
        _forbid_running_loop("wait_until")
        if not self._wait_sync(predicate, timeout):
            raise self._timeout(what or "condition", timeout)

    async def async_wait_until(
        self, predicate: Predicate, timeout: float = 10.0, what: str = ""
    ) -> None:
        """Await predicate() without blocking the loop the bot runs on."""
        if not await self._wait_async(predicate, timeout):
            raise self._timeout(what or "condition", timeout)

    # -- calls --------------------------------------------------------------------

    def _call_finder(
        self, method: str, match: Callable[[Call], bool] | None, after_index: int, out: list[Call]
    ) -> Predicate:
        wanted = method.lower()

        def found() -> bool:
            for call in self._calls[after_index:]:
                if call.method.lower() == wanted and (match is None or match(call)):
                    out.append(call)
                    return True
            return False

        return found

    def wait_for_call(
        self,
        method: str,
        match: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        after_index: int = 0,
    ) -> Call:
        """First call of `method` (index >= after_index) satisfying `match`."""
        out: list[Call] = []
        self.wait_until(self._call_finder(method, match, after_index, out), timeout, method)
        return out[0]

    async def async_wait_for_call(
        self,
        method: str,
        match: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        after_index: int = 0,
    ) -> Call:
        """Async wait_for_call."""
        out: list[Call] = []
        finder = self._call_finder(method, match, after_index, out)
        await self.async_wait_until(finder, timeout, method)
        return out[0]

    # -- messages -----------------------------------------------------------------

    def _message_finder(
        self,
        chat_id: int,
        contains: str | None,
        after_index: int,
        from_bot: bool,
        out: list[Message],
    ) -> Predicate:
        def found() -> bool:
            chat = self.chats.get(chat_id)
            messages = list(chat.messages.values())[after_index:] if chat else []
            for msg in messages:
                if msg.deleted or msg.from_bot != from_bot:
                    continue
                if contains is None or contains in (msg.content or ""):
                    out.append(msg)
                    return True
            return False

        return found

    def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,
        after_index: int = 0,
        from_bot: bool = True,
    ) -> Message:
        """First live bot message in the chat (position >= after_index) whose current
        text/caption contains `contains`; see `message_mark()` for after_index."""
        out: list[Message] = []
        finder = self._message_finder(chat_id, contains, after_index, from_bot, out)
        self.wait_until(finder, timeout, f"message in {chat_id} containing {contains!r}")
        return out[0]

    async def async_wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,
        after_index: int = 0,
        from_bot: bool = True,
    ) -> Message:
        """Async wait_for_message."""
        out: list[Message] = []
        finder = self._message_finder(chat_id, contains, after_index, from_bot, out)
        await self.async_wait_until(
            finder, timeout, f"message in {chat_id} containing {contains!r}"
        )
        return out[0]

    # -- updates ------------------------------------------------------------------

    def wait_for_updates(self, offset: int | None = None, timeout: float = 10.0) -> list[JSON]:
        """Block until getUpdates(offset) would return something; [] on timeout."""
        _forbid_running_loop("wait_for_updates")
        self._wait_sync(lambda: bool(self._updates_from(offset)), timeout)
        with self._lock:
            return self._updates_from(offset)

    async def async_wait_for_updates(
        self, offset: int | None = None, timeout: float = 10.0
    ) -> list[JSON]:
        """Async wait_for_updates (used by long polling)."""
        await self._wait_async(lambda: bool(self._updates_from(offset)), timeout)
        with self._lock:
            return self._updates_from(offset)

    # -- polling ------------------------------------------------------------------

    def _is_polling(self) -> bool:
        return self._polls_waiting > 0 or any(c.method == "getUpdates" for c in self._calls)

    def wait_for_polling(self, timeout: float = 10.0) -> None:
        """Block until the bot has a getUpdates long poll open (i.e. it finished start-up).

        Long polls are recorded in `calls` only when they return, so this is the way to
        know a freshly started bot is listening."""
        self.wait_until(self._is_polling, timeout, "the bot to start polling")

    async def async_wait_for_polling(self, timeout: float = 10.0) -> None:
        """Async wait_for_polling."""
        await self.async_wait_until(self._is_polling, timeout, "the bot to start polling")

    # -- quiescence ---------------------------------------------------------------

    def _quiet_since(self) -> float:
        busy = [c.time for c in self._calls if c.method != "getUpdates"]
        return busy[-1] if busy else float("-inf")

    def settle(self, quiet: float = 0.1, timeout: float = 5.0) -> None:
        """Block until the bot made no call (besides getUpdates) for `quiet` seconds."""
        _forbid_running_loop("settle")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle = self._monotonic() - self._quiet_since()
            if idle >= quiet and not self.pending_updates:
                return
            time.sleep(min(quiet, 0.02))
        raise self._timeout(f"{quiet}s without calls", timeout)

    async def async_settle(self, quiet: float = 0.1, timeout: float = 5.0) -> None:
        """Async settle: also waits until polling consumed every pending update."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            with self._lock:
                idle = self._monotonic() - self._quiet_since()
            if idle >= quiet and not self.pending_updates:
                return
            await asyncio.sleep(min(quiet, 0.02))
        raise self._timeout(f"{quiet}s without calls", timeout)
