"""Webhook settings: read from the environment, validated the way Telegram validates them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import bot
from config.settings import Settings

TOKEN = "123456:ABC"
URL = "https://bot.example.org/telegram/hook"
SECRET = "s3cret_-Token"


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, bot_token=TOKEN, **env)  # type: ignore[arg-type]


def refusal(**env: str) -> str:
    with pytest.raises(ValidationError) as refused:
        settings(**env)
    return str(refused.value)


def test_polling_is_the_default_and_a_blank_url_keeps_it() -> None:
    plain = settings()
    assert plain.webhook_url is None and plain.webhook_secret is None
    assert (plain.webhook_listen, plain.webhook_port) == ("0.0.0.0", 8443)
    assert settings(webhook_url="  ", webhook_secret="").webhook_url is None


def test_webhook_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", URL)
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WEBHOOK_LISTEN", "127.0.0.1")
    monkeypatch.setenv("WEBHOOK_PORT", "9000")
    read = Settings(_env_file=None)
    assert read.webhook_url == URL and read.webhook_path == "/telegram/hook"
    assert read.webhook_secret is not None and read.webhook_secret.get_secret_value() == SECRET
    assert (read.webhook_listen, read.webhook_port) == ("127.0.0.1", 9000)
    assert SECRET not in repr(read)


def test_a_url_without_a_path_is_served_at_the_root() -> None:
    assert settings(webhook_url="https://bot.example.org", webhook_secret="x").webhook_path == "/"


def test_the_secret_is_required_with_a_url() -> None:
    assert "WEBHOOK_SECRET is required when WEBHOOK_URL is set" in refusal(webhook_url=URL)


@pytest.mark.parametrize("secret", ["has space", "dots.not.allowed", "ünïcode", "x" * 257])
def test_the_secret_uses_only_what_telegram_accepts(secret: str) -> None:
    assert "1-256 characters" in refusal(webhook_url=URL, webhook_secret=secret)


def test_the_longest_secret_telegram_accepts_is_fine() -> None:
    secret = "A-z_9" * 51 + "x"
    assert len(secret) == 256
    assert settings(webhook_url=URL, webhook_secret=secret).webhook_secret is not None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("bot.example.org/hook", "must be a full URL"),
        ("ftp://bot.example.org/hook", "must be a full URL"),
        ("https:///hook", "must be a full URL"),
        ("https://bot.example.org/hook?x=1", "query string"),
        ("http://bot.example.org/hook", "must start with https://"),
        ("https://bot.example.org:8080/hook", "port must be 443, 80, 88 or 8443"),
    ],
)
def test_urls_telegram_would_refuse_are_refused(url: str, message: str) -> None:
    assert message in refusal(webhook_url=url, webhook_secret=SECRET)


@pytest.mark.parametrize("port", [443, 80, 88, 8443])
def test_telegram_webhook_ports_are_accepted(port: int) -> None:
    url = f"https://bot.example.org:{port}/hook"
    assert settings(webhook_url=url, webhook_secret=SECRET).webhook_url == url


def test_a_self_hosted_bot_api_server_may_call_plain_http_on_any_port() -> None:
    local = settings(
        telegram_base_url="http://bot-api:8081/bot",
        webhook_url="http://bot:8080/hook",
        webhook_secret=SECRET,
    )
    assert local.webhook_url == "http://bot:8080/hook"


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_the_listening_port_is_a_real_port(port: str) -> None:
    assert "webhook_port" in refusal(webhook_port=port)


def test_bot_explains_a_missing_secret_and_stops(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", URL)
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    assert bot.main(["bot.py"]) == 2
    assert "WEBHOOK_SECRET is required when WEBHOOK_URL is set" in capsys.readouterr().err
