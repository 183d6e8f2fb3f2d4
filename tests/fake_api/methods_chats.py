"""Bot API methods about chats and members (admin checks rely on these)."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .models import FakeChat, UploadedFile
from .params import Params
from .serialize import full_chat_json, member_json
from .state import Handler, TelegramState

JSON = dict[str, Any]
Files = dict[str, UploadedFile]


def _chat(tg: TelegramState, p: Params) -> FakeChat:
    chat = tg._resolve_chat(p.chat_ref())
    tg._check_access(chat, sending=False)
    return chat


def get_chat(tg: TelegramState, p: Params, files: Files) -> JSON:
    """getChat returns ChatFullInfo."""
    return full_chat_json(tg, _chat(tg, p))


def get_chat_member(tg: TelegramState, p: Params, files: Files) -> JSON:
    """getChatMember: status as set up; unknown users are Telegram's 400."""
    chat = _chat(tg, p)
    user_id = p.need_int("user_id", "user not found")
    if user_id != tg.bot.id and user_id not in tg.users:
        raise bad_request("user not found")
    return member_json(tg, chat, user_id)


def _admin_ids(tg: TelegramState, chat: FakeChat) -> list[int]:
    ids = [chat.creator_id] if chat.creator_id is not None else []
    return ids + sorted(uid for uid in chat.admins if uid != chat.creator_id)


def get_chat_administrators(tg: TelegramState, p: Params, files: Files) -> list[JSON]:
    """getChatAdministrators: creator first, then admins (the bot too if promoted)."""
    chat = _chat(tg, p)
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    return [member_json(tg, chat, uid) for uid in _admin_ids(tg, chat)]


def get_chat_member_count(tg: TelegramState, p: Params, files: Files) -> int:
    """getChatMemberCount: everyone configured plus the bot while it is in the chat."""
    chat = _chat(tg, p)
    if chat.is_private:
        return 2
    people = (chat.members | chat.admins) - {tg.bot.id}
    if chat.creator_id is not None:
        people.add(chat.creator_id)
    return len(people) + (1 if chat.bot_status in ("member", "administrator") else 0)


def leave_chat(tg: TelegramState, p: Params, files: Files) -> bool:
    """leaveChat: later sends get 403 "bot is not a member"."""
    chat = _chat(tg, p)
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    chat.bot_status = "left"
    tg._changed()
    return True


def set_chat_menu_button(tg: TelegramState, p: Params, files: Files) -> bool:
    """setChatMenuButton: per private chat, or the default when chat_id is omitted."""
    button = p.opt_obj("menu_button") or {"type": "default"}
    if not p.has("chat_id"):
        tg.default_menu_button = button
        return True
    chat = tg._resolve_chat(p.chat_ref())
    if not chat.is_private:
        raise bad_request("chat not found")
    chat.menu_button = button
    return True


def get_chat_menu_button(tg: TelegramState, p: Params, files: Files) -> JSON:
    """getChatMenuButton: chat's own, else the default, else "default"."""
    if p.has("chat_id"):
        chat = tg._resolve_chat(p.chat_ref())
        if chat.menu_button is not None:
            return chat.menu_button
    return tg.default_menu_button or {"type": "default"}


HANDLERS: dict[str, Handler] = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "leaveChat": leave_chat,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
}
