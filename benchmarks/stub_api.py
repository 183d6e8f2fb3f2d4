"""A zero-latency, in-process Bot API for benchmarks: answers every call at once.

It implements just enough of the Bot API for the bot to run (getMe, sends,
edits, callback answers) and counts calls per method and per chat, so a
benchmark can check what was sent. Optional limits answer 429 like Telegram
does when a bot exceeds them; the counters record those too.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 777000
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Speed", "username": "speed_bench_bot"}


@dataclass
class Limits:
    """Telegram's flood limits, enforced over sliding windows (None = not enforced)."""

    per_second_overall: int | None = None
    per_minute_per_group: int | None = None
    per_second_per_chat: int | None = None


@dataclass
class Recorded:
    method: str
    chat_id: int | None
    params: dict[str, Any]
    at: float


@dataclass
class StubBotApi(BaseRequest):
    """A BaseRequest that never touches the network."""

    limits: Limits = field(default_factory=Limits)
    calls: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    log: list[Recorded] = field(default_factory=list)
    keep_log: bool = False
    # Callback query id -> the text it was answered with.
    answers: dict[str, str] = field(default_factory=dict)
    # Called with each answerCallbackQuery's parameters as it arrives.
    on_answer: Callable[[dict[str, Any]], None] | None = None
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _sent_overall: deque[float] = field(default_factory=deque)
    _sent_per_chat: dict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def __post_init__(self) -> None:
        super().__init__()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data is not None else {}
        chat_id = _chat_id(params)
        now = time.monotonic()
        if name in _LIMITED and (retry_after := self._over_limit(chat_id, now)) is not None:
            self.rejected[name] += 1
            return 429, _error(429, "Too Many Requests", {"retry_after": retry_after})
        self.calls[name] += 1
        if name == "answerCallbackQuery":
            self.answers[str(params.get("callback_query_id"))] = str(params.get("text", ""))
            if self.on_answer is not None:
                self.on_answer(params)
        if self.keep_log:
            self.log.append(Recorded(name, chat_id, dict(params), now))
        return 200, json.dumps({"ok": True, "result": self._result(name, params, chat_id)}).encode()

    def _over_limit(self, chat_id: int | None, now: float) -> int | None:
        """Seconds to wait when this send would break a limit; records it otherwise."""
        overall, per_chat = self._sent_overall, self._sent_per_chat[chat_id or 0]
        while overall and overall[0] <= now - 1.0:
            overall.popleft()
        while per_chat and per_chat[0] <= now - 60.0:
            per_chat.popleft()
        limits = self.limits
        if limits.per_second_overall is not None and len(overall) >= limits.per_second_overall:
            return 1
        group_limit = limits.per_minute_per_group
        in_group = chat_id is not None and chat_id < 0
        if in_group and group_limit is not None and len(per_chat) >= group_limit:
            return max(1, int(per_chat[0] + 60.0 - now) + 1)
        chat_limit = limits.per_second_per_chat
        last_second = sum(1 for t in per_chat if t > now - 1.0)
        if chat_limit is not None and last_second >= chat_limit:
            return 1
        overall.append(now)
        per_chat.append(now)
        return None

    def _result(self, name: str, params: dict[str, Any], chat_id: int | None) -> Any:
        if name == "getMe":
            return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False}
        if name in _MESSAGE_METHODS:
            return _message(next(self._message_ids), chat_id or 0, params)
        if name == "editMessageText":
            return _message(int(params.get("message_id", 0)), chat_id or 0, params)
        if name == "getUpdates":
            return []
        return True


_LIMITED = {"sendMessage", "editMessageText", "sendVenue", "sendPhoto", "sendDocument"}
_MESSAGE_METHODS = {"sendMessage", "sendVenue", "sendPhoto", "sendDocument"}


def _chat_id(params: dict[str, Any]) -> int | None:
    value = params.get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _message(message_id: int, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": chat_id, "type": "supergroup" if chat_id < 0 else "private", "title": "Club"}
    if chat_id > 0:
        chat = {"id": chat_id, "type": "private", "first_name": "Runner"}
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": BOT_USER,
        "text": str(params.get("text", "")),
    }
    markup = params.get("reply_markup")
    if markup:
        message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
    return message


def _error(code: int, description: str, parameters: dict[str, Any]) -> bytes:
    return json.dumps(
        {"ok": False, "error_code": code, "description": description, "parameters": parameters}
    ).encode()
