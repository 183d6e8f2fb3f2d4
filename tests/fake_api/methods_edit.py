"""Bot API methods that change existing messages or answer button presses."""

from __future__ import annotations

import json
from typing import Any

from .errors import MSG_NOT_MODIFIED, MSG_QUERY_TOO_OLD, ApiError, bad_request
from .formatting import check_caption, check_reply_markup, check_text
from .models import FakeChat, Message, MessageVersion, UploadedFile
from .params import Params
from .serialize import message_json
from .state import Handler, TelegramState

JSON = dict[str, Any]
Files = dict[str, UploadedFile]


def _markup_key(markup: JSON | None) -> str | None:
    """Compare keyboards by content; an empty keyboard equals none."""
    if not markup or markup == {"inline_keyboard": []}:
        return None
    return json.dumps(markup, sort_keys=True)


def _edit_target(tg: TelegramState, p: Params) -> tuple[FakeChat, Message]:
    """The bot message addressed by chat_id + message_id (inline messages unsupported)."""
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = tg._resolve_chat(p.chat_ref())
    tg._check_access(chat, sending=False)
    message_id = p.need_int("message_id", "message identifier is not specified")
    msg = tg._message(chat, message_id)
    if msg is None:
        raise bad_request("message to edit not found")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return chat, msg


def _new_markup(p: Params) -> JSON | None:
    markup = p.opt_obj("reply_markup")
    check_reply_markup(markup)
    return markup


def _apply(
    tg: TelegramState,
    msg: Message,
    markup: JSON | None,
    text: str | None = None,
    caption: str | None = None,
) -> None:
    """Store the previous version, then the new content; identical edits are a 400."""
    same_text = text is None or text == msg.text
    same_caption = caption is None or caption == msg.caption
    if same_text and same_caption and _markup_key(markup) == _markup_key(msg.reply_markup):
        raise ApiError(400, MSG_NOT_MODIFIED)
    msg.history.append(MessageVersion(msg.text, msg.caption, msg.reply_markup, msg.edit_date))
    if text is not None:
        msg.text = text
    if caption is not None:
        msg.caption = caption
    if not (same_text and same_caption):
        msg.edit_date = tg._now()
    msg.reply_markup = markup
    tg._changed()


def edit_message_text(tg: TelegramState, p: Params, files: Files) -> JSON:
    """editMessageText: omitting reply_markup removes the keyboard, as on Telegram."""
    _, msg = _edit_target(tg, p)
    text = p.need_str("text", "message text is empty")
    parse_mode = p.opt_str("parse_mode")
    visible = check_text(text, parse_mode)
    if msg.text is None:
        raise bad_request("there is no text in the message to edit")
    _apply(tg, msg, _new_markup(p), text=text)
    msg.plain_text = visible
    msg.parse_mode = parse_mode
    msg.entities = p.opt_list("entities")
    return message_json(tg, msg)


def edit_message_caption(tg: TelegramState, p: Params, files: Files) -> JSON:
    """editMessageCaption for photo/document announcements."""
    _, msg = _edit_target(tg, p)
    caption = p.opt_str("caption") or ""
    parse_mode = p.opt_str("parse_mode")
    visible = check_caption(caption, parse_mode)
    if msg.text is not None:
        raise bad_request("there is no caption in the message to edit")
    _apply(tg, msg, _new_markup(p), caption=caption)
    msg.plain_text = visible
    msg.parse_mode = parse_mode
    return message_json(tg, msg)


def edit_message_reply_markup(tg: TelegramState, p: Params, files: Files) -> JSON:
    """editMessageReplyMarkup: swap or remove the inline keyboard."""
    _, msg = _edit_target(tg, p)
    _apply(tg, msg, _new_markup(p))
    return message_json(tg, msg)


def _deletable(tg: TelegramState, chat: FakeChat, msg: Message) -> bool:
    return msg.from_bot or chat.is_private or tg._bot_is_admin(chat)


def delete_message(tg: TelegramState, p: Params, files: Files) -> bool:
    """deleteMessage: others' messages in groups need admin rights."""
    chat = tg._resolve_chat(p.chat_ref())
    tg._check_access(chat, sending=False)
    msg = tg._message(chat, p.need_int("message_id", "message identifier is not specified"))
    if msg is None:
        raise bad_request("message to delete not found")
    if not _deletable(tg, chat, msg):
        raise bad_request("message can't be deleted")
    msg.deleted = True
    tg._changed()
    return True


def delete_messages(tg: TelegramState, p: Params, files: Files) -> bool:
    """deleteMessages: missing messages are skipped, like Telegram."""
    chat = tg._resolve_chat(p.chat_ref())
    tg._check_access(chat, sending=False)
    ids = p.opt_list("message_ids") or []
    if not 1 <= len(ids) <= 100:
        raise bad_request("message identifiers are not specified")
    for message_id in ids:
        msg = tg._message(chat, int(message_id))
        if msg is not None and _deletable(tg, chat, msg):
            msg.deleted = True
    tg._changed()
    return True


def _pin_rights(tg: TelegramState, chat: FakeChat) -> None:
    tg._check_access(chat, sending=False)
    if not chat.is_private and not tg._bot_is_admin(chat):
        raise bad_request("not enough rights to manage pinned messages in the chat")


def pin_chat_message(tg: TelegramState, p: Params, files: Files) -> bool:
    """pinChatMessage: groups require the bot to be an admin."""
    chat = tg._resolve_chat(p.chat_ref())
    _pin_rights(tg, chat)
    msg = tg._message(chat, p.need_int("message_id", "message identifier is not specified"))
    if msg is None:
        raise bad_request("message to pin not found")
    msg.pinned = True
    tg._changed()
    return True


def unpin_chat_message(tg: TelegramState, p: Params, files: Files) -> bool:
    """unpinChatMessage: a given message, or the most recently pinned one."""
    chat = tg._resolve_chat(p.chat_ref())
    _pin_rights(tg, chat)
    message_id = p.opt_int("message_id")
    pinned = [m for m in chat.messages.values() if m.pinned and not m.deleted]
    if message_id is not None:
        pinned = [m for m in pinned if m.message_id == message_id]
        if tg._message(chat, message_id) is None:
            raise bad_request("message to unpin not found")
    if pinned:
        pinned[-1].pinned = False
        tg._changed()
    return True


def unpin_all_chat_messages(tg: TelegramState, p: Params, files: Files) -> bool:
    """unpinAllChatMessages."""
    chat = tg._resolve_chat(p.chat_ref())
    _pin_rights(tg, chat)
    for msg in chat.messages.values():
        msg.pinned = False
    tg._changed()
    return True


def answer_callback_query(tg: TelegramState, p: Params, files: Files) -> bool:
    """answerCallbackQuery: each query can be answered once; unknown ids are too old."""
    record = tg.callback_queries.get(p.opt_str("callback_query_id") or "")
    if record is None or record.answers:
        raise ApiError(400, MSG_QUERY_TOO_OLD)
    text = p.opt_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer: JSON = {"show_alert": p.flag("show_alert")}
    if text is not None:
        answer["text"] = text
    for key in ("url", "cache_time"):
        if p.has(key):
            answer[key] = p.values[key]
    record.answers.append(answer)
    tg._changed()
    return True


HANDLERS: dict[str, Handler] = {
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "pinChatMessage": pin_chat_message,
    "unpinChatMessage": unpin_chat_message,
    "unpinAllChatMessages": unpin_all_chat_messages,
    "answerCallbackQuery": answer_callback_query,
}
