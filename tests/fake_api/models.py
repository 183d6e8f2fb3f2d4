"""Records of the fake world (users, chats, messages, calls) that tests inspect directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

BOT_ID = 999000
BOT_USERNAME = "SpeedSessionBot"
BOT_FIRST_NAME = "Speed Session"
#: Token the transports accept by default; PTB only needs it to be non-empty.
DEFAULT_TOKEN = f"{BOT_ID}:AAFakeTokenForOfflineTests"


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part as received, so tests can compare exact bytes."""

    filename: str | None
    content: bytes
    mime_type: str | None = None


@dataclass(frozen=True)
class StoredFile:
    """A file as Telegram keeps it: re-sendable by `file_id`, bytes kept for assertions."""

    file_id: str
    file_unique_id: str
    kind: str
    filename: str | None = None
    mime_type: str | None = None
    content: bytes | None = None
    url: str | None = None

    @property
    def size(self) -> int | None:
        """Byte size, unknown for files sent by URL."""
        return None if self.content is None else len(self.content)


@dataclass
class FakeUser:
    """A Telegram account; `started`/`blocked` decide whether the bot may DM it."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False
    blocked: bool = False

    def to_json(self) -> JSON:
        """User object as in updates (optional fields omitted when unset)."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data


@dataclass
class MessageVersion:
    """A message's content before an edit, so tests can replay what users saw."""

    text: str | None
    caption: str | None
    reply_markup: JSON | None
    edit_date: int | None


@dataclass
class Message:
    """A message in a chat, from a user or the bot (`created_by` = Bot API method)."""

    chat_id: int
    message_id: int
    from_id: int
    from_bot: bool
    date: int
    created_by: str | None = None
    text: str | None = None
    caption: str | None = None
    plain_text: str | None = None
    parse_mode: str | None = None
    entities: list[JSON] | None = None
    reply_markup: JSON | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    pinned: bool = False
    location: JSON | None = None
    venue: JSON | None = None
    photo: StoredFile | None = None
    document: StoredFile | None = None
    new_chat_members: list[int] | None = None
    disable_notification: bool = False
    link_preview_options: JSON | None = None
    params: JSON = field(default_factory=dict)

    @property
    def content(self) -> str | None:
        """Text or caption, whichever the message carries."""
        return self.text if self.text is not None else self.caption

    @property
    def buttons(self) -> list[JSON]:
        """Inline keyboard buttons flattened row by row (empty without a keyboard)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def button_labels(self) -> list[str]:
        """Labels of the inline buttons in reading order."""
        return [str(button.get("text")) for button in self.buttons]

    @property
    def callback_data(self) -> list[str]:
        """callback_data of the inline buttons that have one."""
        return [str(b["callback_data"]) for b in self.buttons if "callback_data" in b]

    def find_button(self, data: str | None = None, text: str | None = None) -> JSON | None:
        """First button matching the given callback_data and/or label."""
        for button in self.buttons:
            if data is not None and button.get("callback_data") != data:
                continue
            if text is not None and button.get("text") != text:
                continue
            return button
        return None


@dataclass
class FakeChat:
    """A private chat or a group; tracks membership and the bot's own status in it."""

    id: int
    type: str
    title: str | None = None
    user: FakeUser | None = None
    creator_id: int | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    bot_status: str = "member"
    migrated_to: int | None = None
    next_message_id: int = 1
    messages: dict[int, Message] = field(default_factory=dict)
    menu_button: JSON | None = None

    @property
    def is_private(self) -> bool:
        """True for the one-to-one chat with a user."""
        return self.type == "private"

    def to_json(self) -> JSON:
        """Chat object as embedded in messages."""
        if self.user is not None:
            data: JSON = {"id": self.id, "first_name": self.user.first_name}
            if self.user.last_name is not None:
                data["last_name"] = self.user.last_name
            if self.user.username is not None:
                data["username"] = self.user.username
            data["type"] = "private"
            return data
        return {"id": self.id, "title": self.title or "", "type": self.type}

    def status_of(self, user_id: int) -> str:
        """ChatMember status of a user as configured by the test."""
        if user_id == self.creator_id:
            return "creator"
        if user_id in self.admins:
            return "administrator"
        if user_id in self.members:
            return "member"
        return "left"


@dataclass(frozen=True)
class Call:
    """One Bot API request as the fake saw it (params normalised, ints as ints)."""

    index: int
    method: str
    params: JSON
    files: dict[str, UploadedFile]
    time: float
    status: int
    response: JSON
    # Which process made the call, when it used `FakeBotApiServer.client_url`.
    client: str | None = None

    @property
    def ok(self) -> bool:
        """True when the call succeeded (HTTP 200)."""
        return self.status == 200

    @property
    def result(self) -> Any:
        """The `result` of a successful call, None otherwise."""
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        """Error description of a failed call."""
        value = self.response.get("description")
        return None if value is None else str(value)


@dataclass
class CallbackQueryRecord:
    """A button press and every answerCallbackQuery the bot sent for it."""

    id: str
    update_id: int
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    answers: list[JSON] = field(default_factory=list)
