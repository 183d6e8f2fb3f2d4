"""Webhook mode end to end: the real `python bot.py` serving Telegram's POSTs on a local port.

The fake Bot API records the updates users cause (`user_sends` returns the Update JSON);
the test delivers them to the bot's webhook as Telegram would, with the secret header.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import COACH, GROUP, REPO, BotProcess, running
from tests.fake_api import FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

pytestmark = pytest.mark.e2e

PUBLIC_URL = "https://speedbot.example.org/telegram/hook"
SECRET = "e2e-Secret_0123456789"
# Talk to the local server directly, whatever proxy the environment names.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebhookBot(BotProcess):
    """`python bot.py` in webhook mode; started once it has told Telegram its webhook."""

    def __init__(self, base_url: str, database_url: str, log_path: Path) -> None:
        super().__init__(base_url, database_url, log_path)
        self.port = free_port()
        self.env |= {
            "WEBHOOK_URL": PUBLIC_URL,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(self.port),
        }

    def start(self, api: FakeTelegram) -> None:
        mark = api.call_mark()
        client = self.launch()
        api.wait_for_call(
            "setWebhook",
            lambda c: c.client == client and c.status == 200,
            timeout=30,
            after_index=mark,
        )

    def request(
        self, method: str, path: str, body: Any = None, secret: str | None = SECRET
    ) -> tuple[int, dict[str, Any]]:
        """One HTTP request to the bot; returns the status and the JSON answer."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        data = None if body is None else json.dumps(body).encode()
        url = f"http://127.0.0.1:{self.port}{path}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with HTTP.open(request, timeout=15) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"{}")

    def deliver(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        return self.request("POST", "/telegram/hook", update, secret)[0]


@pytest.fixture
def hooked(server: FakeBotApiServer, api: FakeTelegram, tmp_path: Path) -> Iterator[WebhookBot]:
    yield from running(WebhookBot, server, api, tmp_path)


def saved(api: FakeTelegram) -> list[str]:
    texts = (m.plain_text or "" for m in api.messages_in(GROUP) if m.from_bot)
    return [text for text in texts if text.startswith("✅ Saved.")]


def test_updates_with_the_secret_are_handled_once_and_others_refused(
    api: FakeTelegram, hooked: WebhookBot
) -> None:
    registered = api.calls_of("setWebhook")[-1].params
    assert registered["url"] == PUBLIC_URL and registered["secret_token"] == SECRET
    assert "chat_member" in registered["allowed_updates"]  # every kind, like polling asks

    assert hooked.request("GET", "/healthz") == (200, {"status": "ok", "database": True})

    day = api.user_sends(COACH, GROUP, "/set day tue")
    assert hooked.deliver(day) == 200
    api.wait_for_message(GROUP, "Saved", timeout=15)
    assert hooked.request("POST", "/telegram/hook", day) == (200, {"ok": True, "duplicate": True})

    place = api.user_sends(COACH, GROUP, "/set place The track")
    assert hooked.deliver(place, secret="not-the-secret") == 403
    assert hooked.deliver(place, secret=None) == 401
    assert hooked.deliver({"not": "an update"}) == 400
    # Refused deliveries were not recorded: Telegram's retry with the secret is handled.
    assert hooked.deliver(place) == 200
    api.wait_until(lambda: len(saved(api)) == 2, 15, "the reply to the place")

    # Updates are handled in order, so the duplicate would have answered by now.
    replies = saved(api)
    assert len(replies) == 2
    assert "day: Tuesday" in replies[0] and "place: The track" in replies[1]
    log = hooked.log()
    assert "wrong secret token" in log and "without the secret token" in log
    assert f"[update={day['update_id']} chat={GROUP}]: update delivered again" in log
    # Lines logged while the update was handled (PTB's Bot API calls) name it and its chat.
    bound = f"[update={place['update_id']} chat={GROUP}]: Calling Bot API endpoint `sendMessage`"
    assert bound in log


def test_sigterm_while_an_update_is_handled_lets_it_finish_and_exits_0(
    api: FakeTelegram, hooked: WebhookBot
) -> None:
    # The reply meets a flood error first: the update is still being handled while the
    # rate limiter waits out retry_after.
    api.fail_next("sendMessage", 429, retry_after=3)
    assert hooked.deliver(api.user_sends(COACH, GROUP, "/set day tue")) == 200
    api.wait_for_call("sendMessage", lambda c: c.status == 429, timeout=15)
    mark = api.call_mark()
    assert hooked.process is not None
    hooked.process.send_signal(signal.SIGTERM)

    assert hooked.process.wait(timeout=30) == 0
    assert [c.status for c in api.calls[mark:] if c.method == "sendMessage"] == [200]
    assert len(saved(api)) == 1
    log = hooked.log()
    assert "stopping: refusing new updates" in log and "stopped" in log
    # The webhook stays set for the other replicas.
    assert not api.calls_of("deleteWebhook")


def test_check_prints_the_webhook_configuration(
    api: FakeTelegram, server: FakeBotApiServer, tmp_path: Path
) -> None:
    env = WebhookBot(server.base_url, f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "log").env
    result = subprocess.run(
        [sys.executable, "bot.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "MODE               webhook" in out
    assert f"WEBHOOK_URL        {PUBLIC_URL}" in out
    assert f"WEBHOOK_LISTEN     127.0.0.1:{env['WEBHOOK_PORT']}" in out
    assert "(POST /telegram/hook, GET /healthz)" in out
    assert "WEBHOOK_SECRET     set" in out and SECRET not in out
    assert "Telegram webhook: none" in out
