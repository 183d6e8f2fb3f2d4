"""World setup: who exists, which groups, who is admin, who started or blocked the bot."""

from __future__ import annotations

from collections.abc import Iterable

from .models import FakeChat, FakeUser
from .state import TelegramState


class WorldMixin(TelegramState):
    """add_user / add_group / start_private / block_bot / kick_bot / set_admin."""

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        *,
        language_code: str | None = None,
    ) -> FakeUser:
        """Create a user and their (not yet started) private chat with the bot."""
        if user_id <= 0:
            raise AssertionError("user ids are positive")
        with self._lock:
            if user_id in self.users:
                raise AssertionError(f"user {user_id} already added")
            user = FakeUser(user_id, first_name, username, last_name, language_code)
            self.users[user_id] = user
            self.chats[user_id] = FakeChat(id=user_id, type="private", user=user)
            self._changed()
            return user

    def _ensure_user(self, user_id: int) -> None:
        if user_id not in self.users and user_id != self.bot.id:
            self.add_user(user_id, f"User{user_id}")

    def add_group(
        self,
        chat_id: int,
        title: str,
        admins: Iterable[int] = (),
        members: Iterable[int] = (),
        *,
        creator: int | None = None,
        chat_type: str | None = None,
        bot_member: bool = True,
    ) -> FakeChat:
        """Create a group; ids starting with -100 are supergroups unless chat_type says so.

        Unknown user ids are created with placeholder names; the bot is a plain member
        unless `bot_member=False` (then use `bot_added_to_group`).
        """
        if chat_id >= 0:
            raise AssertionError("group ids are negative")
        kind = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        with self._lock:
            if chat_id in self.chats:
                raise AssertionError(f"chat {chat_id} already added")
            admin_ids = set(admins)
            member_ids = set(members)
            for uid in admin_ids | member_ids | ({creator} if creator is not None else set()):
                self._ensure_user(uid)
            chat = FakeChat(
                id=chat_id,
                type=kind,
                title=title,
                creator_id=creator,
                admins=admin_ids,
                members=member_ids - {self.bot.id},
                bot_status="member" if bot_member else "left",
            )
            self.chats[chat_id] = chat
            self._changed()
            return chat

    def start_private(self, user_id: int) -> None:
        """The user has pressed Start earlier: the bot may message them (no update queued)."""
        with self._lock:
            user = self._user(user_id)
            user.started = True
            user.blocked = False
            self._changed()

    def block_bot(self, user_id: int) -> None:
        """The user blocked the bot: DMs now fail with 403."""
        with self._lock:
            self._user(user_id).blocked = True
            self._changed()

    def kick_bot(self, chat_id: int) -> None:
        """The bot was removed from the group (no update): sends there get 403."""
        with self._lock:
            self._chat(chat_id).bot_status = "kicked"
            self._changed()

    def set_admin(self, chat_id: int, user_id: int, is_admin: bool) -> None:
        """Promote/demote a user (or the bot, by its id) in a group."""
        with self._lock:
            chat = self._chat(chat_id)
            self._ensure_user(user_id)
            if is_admin:
                chat.admins.add(user_id)
            else:
                chat.admins.discard(user_id)
                if user_id != self.bot.id:
                    chat.members.add(user_id)
            self._changed()

    def migrate_to_supergroup(self, chat_id: int, new_chat_id: int) -> FakeChat:
        """Upgrade a group: the old id answers 400 with migrate_to_chat_id from now on."""
        with self._lock:
            old = self._chat(chat_id)
            new = FakeChat(
                id=new_chat_id,
                type="supergroup",
                title=old.title,
                creator_id=old.creator_id,
                admins=set(old.admins),
                members=set(old.members),
                bot_status=old.bot_status,
            )
            self.chats[new_chat_id] = new
            old.migrated_to = new_chat_id
            self._changed()
            return new
