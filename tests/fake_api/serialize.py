"""Bot API JSON for stored records, shaped so PTB's `de_json` accepts every object."""

from __future__ import annotations

from typing import Any

from .models import FakeChat, FakeUser, Message, StoredFile
from .state import TelegramState

JSON = dict[str, Any]

_ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
}


def user_json(tg: TelegramState, user_id: int) -> JSON:
    """User object for any known id (the bot included)."""
    if user_id == tg.bot.id:
        return tg.bot.to_json()
    user = tg.users.get(user_id)
    return (user or FakeUser(user_id, f"User {user_id}")).to_json()


def document_json(stored: StoredFile) -> JSON:
    """Document object."""
    data: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.filename is not None:
        data["file_name"] = stored.filename
    if stored.mime_type is not None:
        data["mime_type"] = stored.mime_type
    if stored.size is not None:
        data["file_size"] = stored.size
    return data


def photo_json(stored: StoredFile) -> list[JSON]:
    """PhotoSize array; one size is enough for handlers that take `photo[-1]`."""
    size: JSON = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": 1280,
        "height": 720,
    }
    if stored.size is not None:
        size["file_size"] = stored.size
    return [size]


def message_json(tg: TelegramState, msg: Message, with_reply: bool = True) -> JSON:
    """Message object as Telegram returns it from send/edit and puts into updates."""
    chat = tg.chats[msg.chat_id]
    data: JSON = {
        "message_id": msg.message_id,
        "from": user_json(tg, msg.from_id),
        "chat": chat.to_json(),
        "date": msg.date,
    }
    if msg.edit_date is not None:
        data["edit_date"] = msg.edit_date
    if with_reply and msg.reply_to_message_id is not None:
        replied = chat.messages.get(msg.reply_to_message_id)
        if replied is not None and not replied.deleted:
            data["reply_to_message"] = message_json(tg, replied, with_reply=False)
    optional: JSON = {
        "text": msg.text,
        "entities": msg.entities,
        "caption": msg.caption,
        "location": msg.location,
        "venue": msg.venue,
        "link_preview_options": msg.link_preview_options,
        "reply_markup": msg.reply_markup,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    if msg.photo is not None:
        data["photo"] = photo_json(msg.photo)
    if msg.document is not None:
        data["document"] = document_json(msg.document)
    if msg.new_chat_members is not None:
        data["new_chat_members"] = [user_json(tg, uid) for uid in msg.new_chat_members]
    return data


def status_member_json(tg: TelegramState, user_id: int, status: str) -> JSON:
    """ChatMember object for an explicit status (also used in my_chat_member updates)."""
    data: JSON = {"status": status, "user": user_json(tg, user_id)}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(_ADMIN_RIGHTS)
    elif status == "kicked":
        data["until_date"] = 0
    return data


def bot_status(tg: TelegramState, chat: FakeChat) -> str:
    """The bot's ChatMember status; promotion shows only while it is in the chat."""
    if chat.bot_status == "member" and tg.bot.id in chat.admins:
        return "administrator"
    return chat.bot_status


def member_json(tg: TelegramState, chat: FakeChat, user_id: int) -> JSON:
    """ChatMember object for the configured status."""
    if user_id == tg.bot.id:
        status = bot_status(tg, chat)
    elif chat.user is not None:
        status = "member" if user_id == chat.id else "left"
    else:
        status = chat.status_of(user_id)
    return status_member_json(tg, user_id, status)


def full_chat_json(tg: TelegramState, chat: FakeChat) -> JSON:
    """ChatFullInfo (getChat): the fields PTB 22 requires plus the pinned message."""
    data = chat.to_json()
    data.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    pinned = [m for m in chat.messages.values() if m.pinned and not m.deleted]
    if pinned:
        data["pinned_message"] = message_json(tg, pinned[-1])
    return data
