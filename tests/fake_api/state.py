"""Shared state and low-level helpers of the fake Bot API; every mixin builds on this.

One `threading.RLock` guards everything; `_changed()` wakes both thread waiters (a
`threading.Condition`) and asyncio waiters on any loop, so long polls and test waits
react immediately to new updates or calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from .errors import (
    MSG_BLOCKED,
    MSG_CANT_INITIATE,
    MSG_CHAT_NOT_FOUND,
    ApiError,
    bad_request,
    forbidden,
)
from .faults import FaultPlan
from .models import (
    BOT_FIRST_NAME,
    BOT_ID,
    BOT_USERNAME,
    Call,
    CallbackQueryRecord,
    FakeChat,
    FakeUser,
    Message,
    StoredFile,
    UploadedFile,
)
from .params import Params

JSON = dict[str, Any]

#: Update types Telegram delivers when allowed_updates was never set (or set to []).
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class _AsyncWaiter:
    """An asyncio.Event that can be set safely from any thread."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # closed loop: nobody waits any more
            self.loop.call_soon_threadsafe(self.event.set)


class TelegramState:
    """World, queues and recordings; no Bot API method logic lives here."""

    def __init__(
        self,
        *,
        bot_id: int = BOT_ID,
        bot_username: str = BOT_USERNAME,
        bot_first_name: str = BOT_FIRST_NAME,
        privacy_mode: bool = False,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._async_waiters: set[_AsyncWaiter] = set()
        self._clock = clock
        self._monotonic = monotonic
        self.bot = FakeUser(bot_id, bot_first_name, username=bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.pending_updates: list[JSON] = []
        self.update_log: list[JSON] = []
        self.allowed_updates: list[str] | None = None
        self.webhook_url = ""
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.default_menu_button: JSON | None = None
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self.faults = FaultPlan()
        self._calls: list[Call] = []
        self._next_update_id = 100_000_001
        self._next_file = 1
        self._next_query = 1
        self._poll_generation = 0
        self._polls_waiting = 0
        self.poll_conflicts = True

    # -- notification ---------------------------------------------------------------

    def _changed(self) -> None:
        """Wake every waiter; caller holds the lock."""
        self._cond.notify_all()
        for waiter in list(self._async_waiters):
            waiter.wake()

    # -- time -------------------------------------------------------------------

    def _now(self) -> int:
        """Unix time for `date` fields."""
        return int(self._clock())

    # -- lookups ----------------------------------------------------------------

    def _user(self, user_id: int) -> FakeUser:
        """A user the test set up; driving an unknown user is a test bug."""
        user = self.users.get(user_id)
        if user is None:
            raise AssertionError(f"unknown user {user_id}: call add_user() first")
        return user

    def _chat(self, chat_id: int) -> FakeChat:
        """A chat the test set up (private chats exist once the user is added)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise AssertionError(f"unknown chat {chat_id}: call add_group()/add_user() first")
        return chat

    def _resolve_chat(self, ref: int | str) -> FakeChat:
        """chat_id (or @username) from a request; unknown chats are Telegram's 400."""
        if isinstance(ref, str):
            name = ref.lstrip("@").lower()
            for chat in self.chats.values():
                if chat.user is not None and (chat.user.username or "").lower() == name:
                    return chat
            raise bad_request("chat not found")
        found = self.chats.get(ref)
        if found is None:
            raise ApiError(400, MSG_CHAT_NOT_FOUND)
        return found

    def _check_access(self, chat: FakeChat, sending: bool) -> None:
        """Raise what Telegram answers when the bot may not act in this chat."""
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.user is not None:
            if sending and chat.user.blocked:
                raise ApiError(403, MSG_BLOCKED)
            if sending and not chat.user.started:
                raise ApiError(403, MSG_CANT_INITIATE)
            return
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")

    def _bot_is_admin(self, chat: FakeChat) -> bool:
        """Admin rights matter for pinning and deleting others' messages."""
        return chat.status_of(self.bot.id) in ("creator", "administrator")

    def _message(self, chat: FakeChat, message_id: int) -> Message | None:
        """A live (not deleted) message, or None."""
        msg = chat.messages.get(message_id)
        return None if msg is None or msg.deleted else msg

    # -- creation ----------------------------------------------------------------

    def _add_message(self, chat: FakeChat, from_id: int, **fields: Any) -> Message:
        """Store a message under the chat's own message_id counter."""
        msg = Message(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            from_id=from_id,
            from_bot=from_id == self.bot.id,
            date=self._now(),
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[msg.message_id] = msg
        return msg

    def _store_file(self, kind: str, upload: UploadedFile | None, url: str | None) -> StoredFile:
        """Give an upload (or URL) a file_id so it can be sent again."""
        number = self._next_file
        self._next_file += 1
        stored = StoredFile(
            file_id=f"FAKE-{kind}-{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            kind=kind,
            filename=upload.filename if upload else None,
            mime_type=upload.mime_type if upload else None,
            content=upload.content if upload else None,
            url=url,
        )
        self.files[stored.file_id] = stored
        return stored

    def _queue_update(self, kind: str, payload: JSON, deliver: bool = True) -> JSON:
        """Create an update; queue it unless undeliverable or filtered by allowed_updates."""
        update: JSON = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.update_log.append(update)
        if deliver and self._update_allowed(kind):
            self.pending_updates.append(update)
        self._changed()
        return update

    def _update_allowed(self, kind: str) -> bool:
        """Telegram filters by the last allowed_updates setting when updates are created."""
        if not self.allowed_updates:
            return kind not in DEFAULT_EXCLUDED_UPDATES
        return kind in self.allowed_updates

    def _confirm_updates(self, offset: int | None) -> None:
        """getUpdates offset semantics: forget everything before it (negative: keep tail)."""
        if not offset:
            return
        if offset > 0:
            self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        else:
            self.pending_updates = self.pending_updates[offset:]

    def _updates_from(self, offset: int | None) -> list[JSON]:
        """Updates getUpdates would return for this offset (without confirming)."""
        if offset and offset > 0:
            return [u for u in self.pending_updates if u["update_id"] >= offset]
        if offset and offset < 0:
            return self.pending_updates[offset:]
        return list(self.pending_updates)

    # -- recording ------------------------------------------------------------------

    def _record(
        self,
        method: str,
        params: JSON,
        files: dict[str, UploadedFile],
        status: int,
        body: JSON,
        client: str | None = None,
    ) -> Call:
        """Append a Call and wake waiters."""
        call = Call(
            index=len(self._calls),
            method=method,
            params=params,
            files=files,
            time=self._monotonic(),
            status=status,
            response=body,
            client=client,
        )
        self._calls.append(call)
        self._changed()
        return call


#: Signature of every Bot API method implementation (result is the JSON `result`).
Handler = Callable[[TelegramState, Params, dict[str, UploadedFile]], Any]
