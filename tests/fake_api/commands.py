"""Command menus per scope + language, and Telegram's rule for which menu a user sees."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .models import UploadedFile
from .params import Params
from .state import Handler, TelegramState

JSON = dict[str, Any]
Files = dict[str, UploadedFile]

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


def scope_key(scope_type: str, chat_id: int | None = None, user_id: int | None = None) -> str:
    """Canonical key for a BotCommandScope."""
    key: JSON = {"type": scope_type}
    if chat_id is not None:
        key["chat_id"] = chat_id
    if user_id is not None:
        key["user_id"] = user_id
    return json.dumps(key, sort_keys=True)


def _scope_from_params(tg: TelegramState, p: Params) -> str:
    scope = p.opt_obj("scope") or {"type": "default"}
    scope_type = scope.get("type")
    if scope_type not in _SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope: unsupported type")
    chat_id: int | None = None
    user_id: int | None = None
    if scope_type in ("chat", "chat_administrators", "chat_member"):
        ref = scope.get("chat_id")
        if ref is None:
            raise bad_request("chat not found")
        chat_id = tg._resolve_chat(int(ref) if str(ref).lstrip("-").isdigit() else str(ref)).id
    if scope_type == "chat_member":
        user_id = int(scope.get("user_id") or 0)
        if user_id not in tg.users:
            raise bad_request("user not found")
    return scope_key(str(scope_type), chat_id, user_id)


def set_my_commands(tg: TelegramState, p: Params, files: Files) -> bool:
    """setMyCommands: validated like Telegram (lowercase names, non-empty descriptions)."""
    commands = p.opt_list("commands")
    if commands is None:
        raise bad_request("commands is empty")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not str(command.get("description") or "").strip():
            raise bad_request("command description must be non-empty")
    key = (_scope_from_params(tg, p), p.opt_str("language_code") or "")
    if commands:
        tg.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        tg.commands.pop(key, None)
    return True


def get_my_commands(tg: TelegramState, p: Params, files: Files) -> list[JSON]:
    """getMyCommands: exactly the given scope + language, no fallback (as Telegram)."""
    key = (_scope_from_params(tg, p), p.opt_str("language_code") or "")
    return list(tg.commands.get(key, []))


def delete_my_commands(tg: TelegramState, p: Params, files: Files) -> bool:
    """deleteMyCommands: users then see the next broader scope."""
    tg.commands.pop((_scope_from_params(tg, p), p.opt_str("language_code") or ""), None)
    return True


def effective_commands(
    tg: TelegramState, chat_id: int, user_id: int | None = None, language_code: str = ""
) -> list[JSON]:
    """The menu a user sees in a chat, by Telegram's documented scope order."""
    chat = tg.chats[chat_id]
    if chat.is_private:
        scopes = [
            scope_key("chat", chat_id),
            scope_key("all_private_chats"),
            scope_key("default"),
        ]
    else:
        is_admin = user_id is not None and chat.status_of(user_id) in ("creator", "administrator")
        scopes = [scope_key("chat_member", chat_id, user_id)] if user_id is not None else []
        if is_admin:
            scopes.append(scope_key("chat_administrators", chat_id))
        scopes.append(scope_key("chat", chat_id))
        if is_admin:
            scopes.append(scope_key("all_chat_administrators"))
        scopes += [scope_key("all_group_chats"), scope_key("default")]
    for scope in scopes:
        for language in ([language_code] if language_code else []) + [""]:
            if (scope, language) in tg.commands:
                return list(tg.commands[(scope, language)])
    return []


HANDLERS: dict[str, Handler] = {
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
}
