"""Settings from the environment (and an optional `.env` file).

Everything the bot needs to know about its surroundings lives here, typed and
validated once at start-up, so a misconfiguration fails loudly and early with a
message a club volunteer can act on.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'speedsession.db'}"
TELEGRAM_API_URL = "https://api.telegram.org/bot"

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

    def token(self) -> str:
        """The bot token, or a MissingTokenError explaining how to get one."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise MissingTokenError()
        return self.bot_token.get_secret_value().strip()


def get_settings() -> Settings:
    """Read the settings now (never at import time, so tests can set the env first)."""
    return Settings()
