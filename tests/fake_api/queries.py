"""Read-only helpers tests use to assert on what the bot did."""

from __future__ import annotations

import copy
from typing import Any

from .commands import effective_commands, scope_key
from .models import Call, Message
from .state import TelegramState

JSON = dict[str, Any]


class QueryMixin(TelegramState):
    """calls, messages, callback answers and command menus."""

    @property
    def calls(self) -> list[Call]:
        """Snapshot of every recorded call, oldest first (safe to iterate from any thread)."""
        with self._lock:
            return list(self._calls)

    def calls_of(self, method: str) -> list[Call]:
        """Calls of one Bot API method (case-insensitive)."""
        wanted = method.lower()
        with self._lock:
            return [c for c in self._calls if c.method.lower() == wanted]

    def call_mark(self) -> int:
        """Current number of calls: pass as `after_index` to wait only for newer ones."""
        with self._lock:
            return len(self._calls)

    def messages_in(self, chat_id: int, include_deleted: bool = False) -> list[Message]:
        """Messages of a chat by message_id (users' and the bot's)."""
        with self._lock:
            chat = self._chat(chat_id)
            return [m for m in chat.messages.values() if include_deleted or not m.deleted]

    def message_mark(self, chat_id: int) -> int:
        """Number of messages ever stored in the chat: `after_index` for wait_for_message."""
        with self._lock:
            return len(self._chat(chat_id).messages)

    def last_message(self, chat_id: int) -> Message | None:
        """Newest live message in the chat, from anyone."""
        messages = self.messages_in(chat_id)
        return messages[-1] if messages else None

    def bot_messages_to(self, chat_id: int) -> list[Message]:
        """Live messages the bot posted in a chat."""
        return [m for m in self.messages_in(chat_id) if m.from_bot]

    def message(self, chat_id: int, message_id: int) -> Message:
        """One message (deleted ones too); unknown ids fail the test."""
        with self._lock:
            msg = self._chat(chat_id).messages.get(message_id)
        if msg is None:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        return msg

    def callback_answers_for(self, key: int | str) -> list[JSON]:
        """answerCallbackQuery payloads for an update_id (int) or callback_query id (str)."""
        with self._lock:
            for record in self.callback_queries.values():
                if record.id == key or record.update_id == key:
                    return list(record.answers)
        raise AssertionError(f"no callback query {key!r}")

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands stored for exactly this scope dict (default scope when None)."""
        scope = scope or {"type": "default"}
        chat_id = scope.get("chat_id")
        user_id = scope.get("user_id")
        key = scope_key(
            str(scope["type"]),
            None if chat_id is None else int(chat_id),
            None if user_id is None else int(user_id),
        )
        with self._lock:
            return list(self.commands.get((key, language_code), []))

    def visible_commands(
        self, chat_id: int, user_id: int | None = None, language_code: str = ""
    ) -> list[JSON]:
        """The command menu this user would see in this chat (Telegram's scope order)."""
        with self._lock:
            return effective_commands(self, chat_id, user_id, language_code)

    def pending_update_ids(self) -> set[int]:
        """Updates not yet confirmed by a getUpdates offset: they will be delivered again."""
        with self._lock:
            return {int(update["update_id"]) for update in self.pending_updates}

    def updates_log(self) -> list[JSON]:
        """Every update ever produced (delivered or not), as JSON copies."""
        with self._lock:
            snapshot: list[JSON] = copy.deepcopy(self.update_log)
        return snapshot
