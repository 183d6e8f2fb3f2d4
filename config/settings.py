"""Settings from the environment (and an optional `.env` file).

Everything the bot needs to know about its surroundings lives here, typed and
validated once at start-up, so a misconfiguration fails loudly and early with a
message a club volunteer can act on.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'speedsession.db'}"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
# What Telegram's own Bot API accepts for setWebhook (a self-hosted server is laxer).
TELEGRAM_WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")

BOTFATHER_HINT = """\
BOT_TOKEN is not set.

To get one:
  1. Open Telegram and start a chat with @BotFather.
  2. Send /newbot, choose a name and a username ending in "bot".
  3. BotFather replies with a token like 123456789:AAE...; copy it.
  4. Put it in a .env file next to bot.py (see .env.example):
         BOT_TOKEN=123456789:AAE...
     or export it:  export BOT_TOKEN=123456789:AAE...
Then run `make run` again."""


class MissingTokenError(RuntimeError):
    """Raised when BOT_TOKEN is absent; its text is the @BotFather how-to."""

    def __init__(self) -> None:
        super().__init__(BOTFATHER_HINT)


class Settings(BaseSettings):
    """The bot's configuration; field names map to upper-case env variables."""

    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_base_url: str = TELEGRAM_API_URL
    default_timezone: str = "Europe/London"
    log_level: str = "INFO"
    # How often (seconds) one announcement may be edited while taps arrive.
    announcement_edit_interval: float = Field(default=3.0, ge=0.0, le=60.0)
    # Safety-net sweep for due posts (seconds); exact-time jobs do the real work.
    sweep_interval: float = Field(default=60.0, ge=1.0, le=3600.0)
    # Long-poll timeout for getUpdates (seconds).
    poll_timeout: int = Field(default=30, ge=0, le=50)
    # Seconds before a post claimed by a sender that never recorded it (it died) is taken
    # over by another process; must outlast any send, flood waits included.
    claim_expiry_seconds: float = Field(default=120.0, ge=5.0, le=3600.0)
    # Webhook mode when set: the public URL Telegram POSTs updates to (else long polling).
    webhook_url: str | None = None
    # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; required with webhook_url.
    webhook_secret: SecretStr | None = None
    # Where the webhook server listens (TLS usually ends at a proxy in front of it).
    webhook_listen: str = Field(default="0.0.0.0", min_length=1)
    webhook_port: int = Field(default=8443, ge=1, le=65535)

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Europe/London") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept the URLs people paste and pick the async driver for them."""
        for plain, async_ in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite:///", "sqlite+aiosqlite:///"),
        ):
            if value.startswith(plain):
                return async_ + value[len(plain) :]
        return value

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`WEBHOOK_URL=` in .env means polling, not an empty URL."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise ValueError("WEBHOOK_URL must be a full URL like https://bot.example.org/telegram")
        if parts.query or parts.fragment:
            raise ValueError("WEBHOOK_URL must not have a query string or fragment")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        """Checks that need two settings: the secret, and what Telegram itself accepts."""
        if self.webhook_url is None:
            return self
        if self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        if self.telegram_base_url.rstrip("/") == TELEGRAM_API_URL:
            parts = urlsplit(self.webhook_url)
            if parts.scheme != "https":
                raise ValueError("WEBHOOK_URL must start with https:// (Telegram requires TLS)")
            if (parts.port or 443) not in TELEGRAM_WEBHOOK_PORTS:
                raise ValueError("WEBHOOK_URL's port must be 443, 80, 88 or 8443 for Telegram")
        return self

    @property
    def webhook_path(self) -> str:
        """The path the webhook server answers on: the one in WEBHOOK_URL."""
        return urlsplit(self.webhook_url or "").path or "/"

    def token(self) -> str:
        """The bot token, or a MissingTokenError explaining how to get one."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise MissingTokenError()
        return self.bot_token.get_secret_value().strip()


def get_settings() -> Settings:
    """Read the settings now (never at import time, so tests can set the env first)."""
    return Settings()
