"""Offline test double of Telegram's Bot API (see README.md in this folder)."""

from .core import FakeTelegram, supported_methods
from .errors import NETWORK_DROP, ApiError
from .models import (
    BOT_FIRST_NAME,
    BOT_ID,
    BOT_USERNAME,
    DEFAULT_TOKEN,
    Call,
    CallbackQueryRecord,
    FakeChat,
    FakeUser,
    Message,
    MessageVersion,
    StoredFile,
    UploadedFile,
)

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_ID",
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "NETWORK_DROP",
    "ApiError",
    "Call",
    "CallbackQueryRecord",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "Message",
    "MessageVersion",
    "StoredFile",
    "UploadedFile",
    "supported_methods",
]
