"""Fault injection: queued errors, random flood errors, dropped responses, rate limits.

Kept apart from the state machine so the failure policy can be read in one place.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, make_error, too_many_requests

ChatKey = int | str | None


def _matches(method: str | None, chat_id: ChatKey, call_method: str, call_chat: ChatKey) -> bool:
    if method is not None and method != call_method:
        return False
    return chat_id is None or chat_id == call_chat


@dataclass
class QueuedFault:
    """An error returned for the next `remaining` matching calls."""

    method: str | None
    status: int
    description: str | None
    retry_after: int | None
    remaining: int
    chat_id: ChatKey


@dataclass
class RandomFault:
    """An error returned with some probability on matching calls."""

    method: str | None
    probability: float
    status: int
    retry_after: int | None
    description: str | None


@dataclass
class NetworkFault:
    """A lost response: the call may or may not have taken effect (`after_effect`)."""

    method: str | None
    remaining: int
    after_effect: bool
    chat_id: ChatKey


@dataclass
class Tripwire:
    """A one-shot trap: the first matching call runs `action` (e.g. SIGKILL the bot).

    Before the call takes effect the call is lost with its sender; after it, only the
    response is. `match` sees the call's normalised params, under the fake's lock.
    """

    method: str
    action: Callable[[], None]
    after_effect: bool
    client: str | None
    match: Callable[[dict[str, Any]], bool] | None
    fired: bool = field(default=False)

    def matches(self, method: str, client: str | None, params: dict[str, Any]) -> bool:
        """Whether this call springs the trap (the predicate runs only for the method)."""
        if self.fired or method != self.method:
            return False
        if self.client is not None and client != self.client:
            return False
        return self.match is None or self.match(params)


@dataclass
class SlowResponse:
    """Matching calls take effect at once, their answer arrives `seconds` later: the window
    in which Telegram has accepted a post and the bot does not know yet."""

    method: str
    seconds: float
    match: Callable[[dict[str, Any]], bool] | None

    def delays(self, method: str, params: dict[str, Any]) -> bool:
        return method == self.method and (self.match is None or self.match(params))


def is_rate_limited(method: str) -> bool:
    """Methods that post or change messages count against Telegram's flood limits."""
    if method == "sendchataction":
        return False
    return method.startswith(("send", "edit", "copymessage", "forwardmessage"))


class RateLimiter:
    """Sliding-window limits: N messages per chat per minute, M per second overall."""

    def __init__(
        self,
        per_chat_per_minute: int | None,
        global_per_second: int | None,
        methods: Iterable[str] | None = None,
    ) -> None:
        self.per_chat_per_minute = per_chat_per_minute
        self.global_per_second = global_per_second
        self.methods = None if methods is None else {m.lower() for m in methods}
        self._per_chat: dict[ChatKey, deque[float]] = {}
        self._global: deque[float] = deque()

    def applies_to(self, method: str) -> bool:
        """Whether this method is counted."""
        return is_rate_limited(method) if self.methods is None else method in self.methods

    @staticmethod
    def _wait(window: deque[float], limit: int, span: float, now: float) -> int | None:
        while window and window[0] <= now - span:
            window.popleft()
        if len(window) < limit:
            return None
        return max(1, math.ceil(window[0] + span - now))

    def retry_after(self, method: str, chat: ChatKey, now: float) -> int | None:
        """Seconds to wait if this call would exceed a limit, else None."""
        if not self.applies_to(method):
            return None
        waits: list[int] = []
        if self.global_per_second is not None:
            wait = self._wait(self._global, self.global_per_second, 1.0, now)
            if wait is not None:
                waits.append(wait)
        if self.per_chat_per_minute is not None and chat is not None:
            window = self._per_chat.setdefault(chat, deque())
            wait = self._wait(window, self.per_chat_per_minute, 60.0, now)
            if wait is not None:
                waits.append(wait)
        return max(waits) if waits else None

    def record(self, method: str, chat: ChatKey, now: float) -> None:
        """Count a successful call."""
        if not self.applies_to(method):
            return
        self._global.append(now)
        if chat is not None:
            self._per_chat.setdefault(chat, deque()).append(now)


class FaultPlan:
    """All configured faults; the core asks it before executing each call."""

    def __init__(self) -> None:
        self.queued: list[QueuedFault] = []
        self.random_faults: list[RandomFault] = []
        self.network: list[NetworkFault] = []
        self.limiter: RateLimiter | None = None
        self.rng = random.Random(0)
        self.tripwires: list[Tripwire] = []
        self.slow: list[SlowResponse] = []
        # Clients (see `FakeBotApiServer.client_url`) whose process is gone: nothing of
        # theirs arrives any more, not even requests that were still on the wire.
        self.disconnected: set[str] = set()

    def clear(self) -> None:
        """Forget every fault, limit and tripwire (disconnected clients stay gone)."""
        self.queued.clear()
        self.random_faults.clear()
        self.network.clear()
        self.tripwires.clear()
        self.slow.clear()
        self.limiter = None

    def take_tripwire(
        self, method: str, client: str | None, params: dict[str, Any]
    ) -> Tripwire | None:
        """The first armed tripwire this call springs, disarmed and marked fired."""
        for wire in self.tripwires:
            if wire.matches(method, client, params):
                wire.fired = True
                self.tripwires.remove(wire)
                return wire
        return None

    def response_delay(self, method: str, params: dict[str, Any]) -> float:
        """Seconds to hold back the answer of this call (0 unless a SlowResponse matches)."""
        return max((slow.seconds for slow in self.slow if slow.delays(method, params)), default=0.0)

    def has_pending(self, method: str) -> bool:
        """True when a queued fault targets this method (wakes long polls)."""
        return any(f.method in (None, method) for f in self.queued) or any(
            f.method in (None, method) for f in self.network
        )

    def take_error(self, method: str, chat: ChatKey) -> ApiError | None:
        """Consume a queued fault or roll for a random one."""
        for fault in self.queued:
            if _matches(fault.method, fault.chat_id, method, chat):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.queued.remove(fault)
                return make_error(fault.status, fault.description, fault.retry_after)
        for rnd in self.random_faults:
            if rnd.method in (None, method) and self.rng.random() < rnd.probability:
                return make_error(rnd.status, rnd.description, rnd.retry_after)
        return None

    def take_network(self, method: str, chat: ChatKey) -> NetworkFault | None:
        """Consume a network fault for this call, if any."""
        for fault in self.network:
            if _matches(fault.method, fault.chat_id, method, chat):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.network.remove(fault)
                return fault
        return None

    def check_rate(self, method: str, chat: ChatKey, now: float) -> ApiError | None:
        """429 with the real remaining window when a limit is hit."""
        if self.limiter is None:
            return None
        wait = self.limiter.retry_after(method, chat, now)
        return None if wait is None else too_many_requests(wait)

    def record_success(self, method: str, chat: ChatKey, now: float) -> None:
        """Feed the rate limiter."""
        if self.limiter is not None:
            self.limiter.record(method, chat, now)
