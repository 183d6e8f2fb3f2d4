"""How updates are scheduled: concurrently, but one member's updates in the order sent.

Why: taps from many members must overlap so their commits share one flush
(db.group_commit), while one member's own updates — In, then Out a second
later — must apply in the order they were sent. Updates without a user (a
channel post, say) are ordered by chat. Each update is also bound for logging
(runtime.logcontext) while it is handled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from runtime.logcontext import handling

MAX_CONCURRENT_UPDATES = 256


class InOrderPerUser(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        with handling(update):
            await self._in_turn(_key(update), coroutine)

    async def _in_turn(self, key: int | None, coroutine: Awaitable[Any]) -> None:
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:  # nobody else queued for this user: forget them
                del self._holders[key], self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
