"""Bot-level Bot API methods: identity, webhook/polling, descriptions, session."""

from __future__ import annotations

from typing import Any

from .errors import MSG_WEBHOOK_CONFLICT, ApiError, bad_request
from .models import UploadedFile
from .params import Params
from .state import Handler, TelegramState

JSON = dict[str, Any]
Files = dict[str, UploadedFile]


def get_me(tg: TelegramState, p: Params, files: Files) -> JSON:
    """getMe: the bot user with its capability flags."""
    data = tg.bot.to_json()
    data.update(
        {
            "can_join_groups": True,
            "can_read_all_group_messages": not tg.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    )
    return data


def get_updates(tg: TelegramState, p: Params, files: Files) -> list[JSON]:
    """getUpdates without waiting; long polling is layered on top by `handle_async`."""
    if tg.webhook_url:
        raise ApiError(409, MSG_WEBHOOK_CONFLICT)
    allowed = p.opt_list("allowed_updates")
    if allowed is not None:
        tg.allowed_updates = [str(kind) for kind in allowed]
    offset = p.opt_int("offset")
    tg._confirm_updates(offset)
    limit = p.opt_int("limit") or 100
    return tg._updates_from(offset)[: max(1, min(limit, 100))]


def set_webhook(tg: TelegramState, p: Params, files: Files) -> bool:
    """setWebhook: stored only; while set, getUpdates answers 409 like Telegram."""
    url = p.opt_str("url") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    tg.webhook_url = url
    if p.flag("drop_pending_updates"):
        tg.pending_updates.clear()
    tg._changed()
    return True


def delete_webhook(tg: TelegramState, p: Params, files: Files) -> bool:
    """deleteWebhook (PTB calls it before polling); can drop pending updates."""
    tg.webhook_url = ""
    if p.flag("drop_pending_updates"):
        tg.pending_updates.clear()
    tg._changed()
    return True


def get_webhook_info(tg: TelegramState, p: Params, files: Files) -> JSON:
    """getWebhookInfo."""
    return {
        "url": tg.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(tg.pending_updates),
    }


def _description_setter(kind: str, field: str, limit: int) -> Handler:
    def handler(tg: TelegramState, p: Params, files: Files) -> bool:
        text = p.opt_str(field) or ""
        if len(text) > limit:
            raise bad_request(f"{kind} is too long")
        key = (kind, p.opt_str("language_code") or "")
        if text:
            tg.descriptions[key] = text
        else:
            tg.descriptions.pop(key, None)
        return True

    handler.__doc__ = f"set{kind}: stored per language."
    return handler


def _description_getter(kind: str, field: str) -> Handler:
    def handler(tg: TelegramState, p: Params, files: Files) -> JSON:
        language = p.opt_str("language_code") or ""
        text = tg.descriptions.get((kind, language), tg.descriptions.get((kind, ""), ""))
        return {field: text}

    handler.__doc__ = f"get{kind}: falls back to the language-less value."
    return handler


def log_out(tg: TelegramState, p: Params, files: Files) -> bool:
    """logOut / close: accepted; nothing else to tear down in a fake."""
    return True


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyDescription": _description_setter("MyDescription", "description", 512),
    "getMyDescription": _description_getter("MyDescription", "description"),
    "setMyShortDescription": _description_setter("MyShortDescription", "short_description", 120),
    "getMyShortDescription": _description_getter("MyShortDescription", "short_description"),
    "logOut": log_out,
    "close": log_out,
}
