"""Act as Telegram users: each action stores what happened and queues the Update.

Mistakes in a test's script (unknown user, missing button, deleted message) raise
AssertionError right away instead of silently producing an update Telegram never would.
"""

from __future__ import annotations

import re
from typing import Any

from .models import CallbackQueryRecord, FakeChat, FakeUser, Message
from .serialize import bot_status, message_json, status_member_json
from .state import TelegramState

JSON = dict[str, Any]

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?(?=\s|$)")


def _utf16_len(text: str) -> int:
    """Entity offsets/lengths are counted in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class DriverMixin(TelegramState):
    """user_sends / user_presses / user_starts / bot_added_to_group / bot_removed_from_group."""

    def _driving_chat(self, user: FakeUser, chat_id: int) -> FakeChat:
        """The chat a user acts in; acting makes them a member (or starts the DM)."""
        if chat_id == user.id:
            user.started = True
            user.blocked = False
            return self._chat(chat_id)
        chat = self._chat(chat_id)
        if chat.is_private:
            raise AssertionError(f"user {user.id} cannot act in the private chat of {chat_id}")
        if chat.migrated_to is not None:
            raise AssertionError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        if chat.status_of(user.id) == "left":
            chat.members.add(user.id)
        return chat

    def _bot_in_chat(self, chat: FakeChat) -> bool:
        return chat.is_private or chat.bot_status in ("member", "administrator")

    def _bot_sees(self, chat: FakeChat, msg: Message, is_command: bool) -> bool:
        """Group privacy mode: commands, replies to the bot, or the bot is an admin."""
        if not self._bot_in_chat(chat):
            return False
        if chat.is_private or not self.privacy_mode or is_command or self._bot_is_admin(chat):
            return True
        replied = chat.messages.get(msg.reply_to_message_id or 0)
        return replied is not None and replied.from_bot

    def user_sends(
        self, user_id: int, chat_id: int, text: str, reply_to: int | None = None
    ) -> JSON:
        """A user posts text (private chat when chat_id == user_id); returns the Update."""
        with self._lock:
            user = self._user(user_id)
            chat = self._driving_chat(user, chat_id)
            if reply_to is not None and self._message(chat, reply_to) is None:
                raise AssertionError(f"cannot reply to missing message {reply_to} in {chat_id}")
            command = _COMMAND.match(text)
            entities = None
            if command:
                length = _utf16_len(command.group(0))
                entities = [{"offset": 0, "length": length, "type": "bot_command"}]
            msg = self._add_message(
                chat,
                user.id,
                text=text,
                plain_text=text,
                entities=entities,
                reply_to_message_id=reply_to,
            )
            deliver = self._bot_sees(chat, msg, command is not None)
            return self._queue_update("message", message_json(self, msg), deliver)

    def user_starts(self, user_id: int, payload: str | None = None) -> JSON:
        """The user presses Start (deep link payload optional); the bot may DM them after."""
        text = "/start" if payload is None else f"/start {payload}"
        return self.user_sends(user_id, user_id, text)

    def user_presses(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        data: str | None = None,
        text: str | None = None,
    ) -> JSON:
        """A user taps an inline button, found by callback_data and/or label."""
        with self._lock:
            user = self._user(user_id)
            chat = self._driving_chat(user, chat_id)
            msg = chat.messages.get(message_id)
            if msg is None or msg.deleted:
                raise AssertionError(f"message {message_id} in chat {chat_id} does not exist")
            if data is None and text is None:
                raise AssertionError("user_presses needs data= or text=")
            button = msg.find_button(data, text)
            if button is None:
                raise AssertionError(
                    f"no button data={data!r} text={text!r} on message {message_id}; "
                    f"buttons: {msg.buttons}"
                )
            if "callback_data" not in button:
                raise AssertionError(f"button {button} sends no callback query to the bot")
            query_id = str(self.bot.id * 10**9 + self._next_query)
            self._next_query += 1
            payload: JSON = {
                "id": query_id,
                "from": user.to_json(),
                "message": message_json(self, msg),
                "chat_instance": str(abs(chat.id) * 1_000_003 + self.bot.id),
                "data": button["callback_data"],
            }
            update = self._queue_update("callback_query", payload, self._bot_in_chat(chat))
            self.callback_queries[query_id] = CallbackQueryRecord(
                query_id, update["update_id"], user.id, chat.id, message_id, button["callback_data"]
            )
            return update

    def _my_chat_member(self, chat: FakeChat, user: FakeUser, old: str, new: str) -> JSON:
        payload: JSON = {
            "chat": chat.to_json(),
            "from": user.to_json(),
            "date": self._now(),
            "old_chat_member": status_member_json(self, self.bot.id, old),
            "new_chat_member": status_member_json(self, self.bot.id, new),
        }
        return self._queue_update("my_chat_member", payload)

    def bot_added_to_group(self, chat_id: int, by_user: int) -> JSON:
        """Someone adds the bot: my_chat_member update (returned) + new_chat_members message."""
        with self._lock:
            chat = self._chat(chat_id)
            user = self._user(by_user)
            if chat.is_private:
                raise AssertionError("bots are added to groups, not private chats")
            in_chat = chat.bot_status in ("member", "administrator")
            old = bot_status(self, chat) if not in_chat else "left"
            chat.bot_status = "member"
            if chat.status_of(user.id) == "left":
                chat.members.add(user.id)
            update = self._my_chat_member(chat, user, old, bot_status(self, chat))
            msg = self._add_message(chat, user.id, new_chat_members=[self.bot.id])
            self._queue_update("message", message_json(self, msg))
            return update

    def bot_removed_from_group(self, chat_id: int, by_user: int) -> JSON:
        """An admin removes the bot: status becomes "kicked"; returns the my_chat_member."""
        with self._lock:
            chat = self._chat(chat_id)
            user = self._user(by_user)
            old = bot_status(self, chat)
            chat.bot_status = "kicked"
            return self._my_chat_member(chat, user, old, "kicked")
