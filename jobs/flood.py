"""Flood control for every Bot API call: Telegram's limits as sliding windows, 429s waited out.

Telegram answers 429 when a bot sends more than 30 messages per second overall, more
than 20 per minute into one group, or more than about one per second into one private
chat. PTB's `AIORateLimiter` paces with leaky buckets, which let a burst of 30 through
and then 30 more per second, so a sliding one-second window can hold almost 60 sends:
posting a thousand groups' announcements in the same minute met 429s (benchmark P3).
This limiter keeps the times of recent sends per window and lets a message go only
when every window it falls in has room: a burst is paced *at* the limit, never over it.

* Only calls that post or change messages count (`send*` but not `sendChatAction`,
  `edit*`, `copyMessage(s)`, `forwardMessage(s)`); answers to button presses, lookups
  and deletions pass straight through.
* Each chat is served first come, first served (so replies keep their order), and so is
  the overall window.
* A window is `MARGIN` longer here than at Telegram: Telegram stamps a message a moment
  after it is logged here (serialising, the network), and two sends exactly one window
  apart here could land less than one window apart there.
* A 429 (RetryAfter) is waited out and the call retried, up to `max_retries` times: a
  429 means the call had no effect, so the retry never duplicates a message. Nothing
  else is retried (a timed-out send may have been delivered).
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

# Seconds added to Telegram's windows (see the module docstring) and to its retry_after.
MARGIN = 0.05
# With more chats than this tracked, idle ones are forgotten once a minute: memory stays
# bounded, and the sweep costs little with many busy chats.
FORGET_ABOVE = 1024
FORGET_EVERY = 60.0


@dataclass(frozen=True)
class Window:
    """At most `limit` messages in any stretch of `seconds`."""

    limit: int
    seconds: float


OVERALL = Window(FloodLimit.MESSAGES_PER_SECOND, 1.0)
PER_GROUP = Window(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, 60.0)
PER_PRIVATE_CHAT = Window(FloodLimit.MESSAGES_PER_SECOND_PER_CHAT, 1.0)

Sender = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


def counts(endpoint: str) -> bool:
    """Whether a Bot API method posts or changes a message (what Telegram's limits count)."""
    if endpoint == "sendChatAction":
        return False
    return endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage"))


def chat_key(chat_id: object) -> int | str | None:
    """A chat as a key: its integer id, or its `@username` (a public group or channel)."""
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str):
        text = chat_id.strip()
        try:
            return int(text)
        except ValueError:
            return text or None
    return None


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait in seconds (PTB returns an int or a timedelta, with a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class _Chat:
    """One chat's recent sends, its queue, and how long Telegram asked it to wait."""

    sent: deque[float] = field(default_factory=deque)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0
    paused_until: float = 0.0


class FloodLimiter(BaseRateLimiter[int]):
    """Sliding-window limits (overall, per group, per private chat) and 429 retries."""

    def __init__(
        self,
        *,
        overall: Window = OVERALL,
        per_group: Window = PER_GROUP,
        per_private_chat: Window = PER_PRIVATE_CHAT,
        margin: float = MARGIN,
        max_retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._overall = overall
        self._per_group = per_group
        self._per_private_chat = per_private_chat
        self._margin = margin
        self._max_retries = max_retries
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._overall_lock = asyncio.Lock()
        self._chats: dict[int | str, _Chat] = {}
        self._next_sweep = 0.0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Sender,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for room in every window the call counts against, send, retry a 429."""
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        counted = counts(endpoint)
        key = chat_key(data.get("chat_id"))
        attempt = 0
        while True:
            if counted:
                await self._take_slot(key)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt >= retries:
                    raise
                attempt += 1
                wait = retry_seconds(error) + self._margin
                log.info("%s: flood limit hit, retrying in %.2f s", endpoint, wait)
                if counted and key is not None:
                    # The chat's queue waits; other chats go on.
                    self._chats.setdefault(key, _Chat()).paused_until = self._clock() + wait
                else:
                    await self._sleep(wait)

    def _window(self, key: int | str) -> Window:
        """Negative ids and @usernames are groups or channels; positive ids private chats."""
        return self._per_private_chat if isinstance(key, int) and key > 0 else self._per_group

    def _delay(self, sent: deque[float], window: Window, now: float) -> float:
        """Seconds until `sent` has room for one more message in `window` (0: room now)."""
        span = window.seconds + self._margin
        while sent and sent[0] <= now - span:
            sent.popleft()
        if len(sent) < window.limit:
            return 0.0
        return sent[-window.limit] + span - now

    async def _wait(self, chat: _Chat | None, window: Window | None, overall: bool) -> None:
        """Sleep until the chat's window (and the overall one) has room and no pause holds."""
        while True:
            now = self._clock()
            delay = 0.0
            if chat is not None and window is not None:
                delay = max(chat.paused_until - now, self._delay(chat.sent, window, now))
            if overall:
                delay = max(delay, self._delay(self._sent, self._overall, now))
            if delay <= 0:
                return
            await self._sleep(delay)

    async def _take_slot(self, key: int | str | None) -> None:
        """Queue behind earlier messages to the same chat, then for the overall window."""
        if key is None:
            async with self._overall_lock:
                await self._wait(None, None, overall=True)
                self._sent.append(self._clock())
            return
        chat = self._chats.setdefault(key, _Chat())
        window = self._window(key)
        chat.waiting += 1
        try:
            async with chat.lock:
                # Wait for the chat's own window without holding up other chats.
                await self._wait(chat, window, overall=False)
                async with self._overall_lock:
                    await self._wait(chat, window, overall=True)
                    now = self._clock()
                    chat.sent.append(now)
                    self._sent.append(now)
        finally:
            chat.waiting -= 1
            if len(self._chats) > FORGET_ABOVE and self._clock() >= self._next_sweep:
                self._forget_idle()

    def _forget_idle(self) -> None:
        """Drop chats nobody waits for whose windows and pauses have all run out."""
        now = self._clock()
        for key, chat in list(self._chats.items()):
            if chat.waiting or chat.paused_until > now:
                continue
            span = self._window(key).seconds + self._margin
            if not chat.sent or chat.sent[-1] <= now - span:
                del self._chats[key]
        self._next_sweep = now + FORGET_EVERY
