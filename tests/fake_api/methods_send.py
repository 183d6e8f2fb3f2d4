"""Bot API methods that create messages: sendMessage, sendLocation, sendVenue, sendPhoto,
sendDocument, sendChatAction."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .formatting import check_caption, check_reply_markup, check_text
from .models import FakeChat, StoredFile, UploadedFile
from .params import Params
from .serialize import message_json
from .state import Handler, TelegramState

JSON = dict[str, Any]
Files = dict[str, UploadedFile]


def _reply_target(tg: TelegramState, chat: FakeChat, p: Params) -> int | None:
    """reply_parameters / reply_to_message_id, checked like Telegram does."""
    target: int | None = None
    allow = p.flag("allow_sending_without_reply")
    reply = p.opt_obj("reply_parameters")
    if reply is not None:
        raw_id = reply.get("message_id")
        target = int(raw_id) if raw_id is not None else None
        allow = bool(reply.get("allow_sending_without_reply", allow))
    else:
        target = p.opt_int("reply_to_message_id")
    if target is None:
        return None
    if tg._message(chat, target) is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return target


def prepare_send(tg: TelegramState, p: Params) -> tuple[FakeChat, JSON]:
    """Chat + fields every send method shares (markup, reply, notification flags)."""
    chat = tg._resolve_chat(p.chat_ref())
    tg._check_access(chat, sending=True)
    markup = p.opt_obj("reply_markup")
    check_reply_markup(markup)
    fields: JSON = {
        "reply_markup": markup,
        "reply_to_message_id": _reply_target(tg, chat, p),
        "disable_notification": p.flag("disable_notification"),
        "params": dict(p.values),
    }
    return chat, fields


def send_message(tg: TelegramState, p: Params, files: Files) -> JSON:
    """sendMessage: raw text is stored; parse_mode is validated, not rendered."""
    chat, fields = prepare_send(tg, p)
    text = p.need_str("text", "message text is empty")
    parse_mode = p.opt_str("parse_mode")
    visible = check_text(text, parse_mode)
    msg = tg._add_message(
        chat,
        tg.bot.id,
        created_by="sendMessage",
        text=text,
        plain_text=visible,
        parse_mode=parse_mode,
        entities=p.opt_list("entities"),
        link_preview_options=p.opt_obj("link_preview_options"),
        **fields,
    )
    return message_json(tg, msg)


def _location(p: Params) -> JSON:
    location: JSON = {"latitude": p.need_float("latitude"), "longitude": p.need_float("longitude")}
    accuracy = p.opt_float("horizontal_accuracy")
    if accuracy is not None:
        location["horizontal_accuracy"] = accuracy
    return location


def send_location(tg: TelegramState, p: Params, files: Files) -> JSON:
    """sendLocation: a pin on the map (meeting points)."""
    chat, fields = prepare_send(tg, p)
    location = _location(p)
    msg = tg._add_message(chat, tg.bot.id, created_by="sendLocation", location=location, **fields)
    return message_json(tg, msg)


def send_venue(tg: TelegramState, p: Params, files: Files) -> JSON:
    """sendVenue: a named place; Telegram also attaches the bare location."""
    chat, fields = prepare_send(tg, p)
    location = _location(p)
    venue: JSON = {
        "location": location,
        "title": p.need_str("title"),
        "address": p.need_str("address"),
    }
    for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
        value = p.opt_str(key)
        if value is not None:
            venue[key] = value
    msg = tg._add_message(
        chat, tg.bot.id, created_by="sendVenue", location=location, venue=venue, **fields
    )
    return message_json(tg, msg)


def _file_param(tg: TelegramState, p: Params, files: Files, name: str) -> StoredFile:
    """Resolve an upload, ``attach://`` part, known file_id or URL into a stored file."""
    value = p.values.get(name)
    upload = files.get(name)
    if isinstance(value, str) and value.startswith("attach://"):
        upload = files.get(value.removeprefix("attach://"))
    if upload is not None:
        return tg._store_file(name, upload, None)
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {name} in the request")
    if value in tg.files:
        return tg.files[value]
    if value.startswith(("http://", "https://")):
        return tg._store_file(name, None, value)
    raise bad_request("wrong file identifier/HTTP URL specified")


def _send_media(tg: TelegramState, p: Params, files: Files, kind: str, method: str) -> JSON:
    chat, fields = prepare_send(tg, p)
    stored = _file_param(tg, p, files, kind)
    caption = p.opt_str("caption")
    parse_mode = p.opt_str("parse_mode")
    visible = check_caption(caption, parse_mode)
    msg = tg._add_message(
        chat,
        tg.bot.id,
        created_by=method,
        caption=caption,
        plain_text=visible,
        parse_mode=parse_mode,
        entities=p.opt_list("caption_entities"),
        **{kind: stored},
        **fields,
    )
    return message_json(tg, msg)


def send_photo(tg: TelegramState, p: Params, files: Files) -> JSON:
    """sendPhoto: bytes, file_id or URL, with optional caption."""
    return _send_media(tg, p, files, "photo", "sendPhoto")


def send_document(tg: TelegramState, p: Params, files: Files) -> JSON:
    """sendDocument: the multipart bytes and filename are kept for assertions."""
    return _send_media(tg, p, files, "document", "sendDocument")


def send_chat_action(tg: TelegramState, p: Params, files: Files) -> bool:
    """sendChatAction: only checks the bot may talk in the chat."""
    chat = tg._resolve_chat(p.chat_ref())
    tg._check_access(chat, sending=True)
    p.need_str("action", "wrong parameter action in request")
    return True


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendLocation": send_location,
    "sendVenue": send_venue,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendChatAction": send_chat_action,
}
