"""HTTP encodings, long polling wake-ups, 409 on competing pollers, and the wait helpers."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from telegram import Bot

from tests.fake_api import DEFAULT_TOKEN, FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

from .conftest import ANN, BEN, GROUP


def _post(url: str, data: bytes | None, content_type: str | None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_json_form_and_query_encodings(tg: FakeTelegram, server: FakeBotApiServer) -> None:
    url = f"{server.base_url}{DEFAULT_TOKEN}"
    markup = {"inline_keyboard": [[{"text": "In", "callback_data": "in"}]]}
    body = json.dumps({"chat_id": GROUP, "text": "json", "reply_markup": markup}).encode()
    assert _post(f"{url}/sendMessage", body, "application/json")[0] == 200
    form = urllib.parse.urlencode(
        {"chat_id": str(GROUP), "text": "form", "reply_markup": json.dumps(markup)}
    ).encode()
    assert _post(f"{url}/SENDMESSAGE", form, "application/x-www-form-urlencoded")[0] == 200
    status, reply = _post(f"{url}/getChat?chat_id={GROUP}", None, None)
    assert status == 200 and reply["result"]["title"] == "Track Tuesdays"
    assert [m.reply_markup for m in tg.messages_in(GROUP)] == [markup, markup]


def test_http_errors(server: FakeBotApiServer) -> None:
    assert _post(f"{server.base_url}1:bad/getMe", None, None) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, body = _post(f"{server.base_url}{DEFAULT_TOKEN}/fly", None, None)
    assert (status, body["description"]) == (404, "Not Found")


async def test_long_poll_wakes_on_new_update(tg: FakeTelegram, server: FakeBotApiServer) -> None:
    async with Bot(DEFAULT_TOKEN, base_url=server.base_url) as bot:
        started = time.monotonic()
        threading.Timer(0.2, tg.user_sends, args=(ANN, GROUP, "/rsvp")).start()
        updates = await bot.get_updates(timeout=10)
        assert [u.message.text for u in updates if u.message] == ["/rsvp"]
        assert time.monotonic() - started < 2


async def test_competing_long_polls_get_409(tg: FakeTelegram) -> None:
    first = asyncio.create_task(tg.handle_async("getUpdates", {"timeout": 10}))
    await tg.async_wait_for_polling(timeout=2)
    second = asyncio.create_task(tg.handle_async("getUpdates", {"timeout": 10}))
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409 and body["description"].startswith("Conflict: terminated by other")
    tg.user_sends(ANN, GROUP, "hello")
    assert (await asyncio.wait_for(second, 2))[0] == 200


def test_sync_waits_from_another_thread(tg: FakeTelegram) -> None:
    mark = tg.message_mark(GROUP)
    worker = threading.Timer(
        0.1, tg.handle, args=("sendMessage", {"chat_id": GROUP, "text": "Route posted"})
    )
    worker.start()
    msg = tg.wait_for_message(GROUP, "Route", timeout=5, after_index=mark)
    assert msg.message_id == 1
    call = tg.wait_for_call("sendMessage", lambda c: c.ok, timeout=1)
    assert call.result["text"] == "Route posted"
    assert tg.wait_for_updates(timeout=0.05) == []


def test_timeout_dump_lists_recent_calls(tg: FakeTelegram) -> None:
    tg.handle("sendMessage", {"chat_id": BEN, "text": "psst"})
    with pytest.raises(AssertionError) as info:
        tg.wait_for_message(GROUP, "never", timeout=0.05)
    assert "sendMessage -> 403" in str(info.value)
    assert "bot can't initiate conversation" in str(info.value)


async def test_sync_wait_inside_event_loop_is_refused(tg: FakeTelegram) -> None:
    with pytest.raises(RuntimeError, match="async_wait_until"):
        tg.wait_until(lambda: True, timeout=0.01)
    tg.user_sends(ANN, GROUP, "ping")
    assert len(await tg.async_wait_for_updates(timeout=1)) == 1


async def test_long_poll_applies_allowed_updates_on_arrival(tg: FakeTelegram) -> None:
    params = {"timeout": 5, "allowed_updates": '["callback_query"]'}
    poll = asyncio.create_task(tg.handle_async("getUpdates", params))
    await tg.async_wait_for_polling(timeout=2)
    tg.user_sends(ANN, GROUP, "not wanted")
    assert tg.pending_updates == []
    poll.cancel()
    with pytest.raises(asyncio.CancelledError):
        await poll
