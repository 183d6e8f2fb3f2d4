"""Tripwires, client-tagged calls, disconnected clients and tolerated concurrent polls."""

from __future__ import annotations

import asyncio

from telegram import Bot
from telegram.error import NetworkError

from tests.fake_api import DEFAULT_TOKEN, NETWORK_DROP, FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

from .conftest import ANN, GROUP


def test_a_tripwire_before_the_effect_loses_the_call(tg: FakeTelegram) -> None:
    sprung: list[str] = []
    wire = tg.add_tripwire(
        "sendMessage", lambda: sprung.append("kill"), match=lambda p: p["text"] == "second"
    )
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "first"})[0] == 200
    assert not wire.fired
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "second"}) == (NETWORK_DROP, {})
    assert wire.fired and sprung == ["kill"]
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "second"})[0] == 200
    assert [m.text for m in tg.messages_in(GROUP)] == ["first", "second"]


def test_a_tripwire_after_the_effect_loses_only_the_answer(tg: FakeTelegram) -> None:
    wire = tg.add_tripwire("sendMessage", lambda: None, after_effect=True, client="bot-1")
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "other"}, client="bot-2")[0] == 200
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "x"}, client="bot-1")[0] == 0
    assert wire.fired and [m.text for m in tg.messages_in(GROUP)] == ["other", "x"]
    assert [c.client for c in tg.calls_of("sendMessage")] == ["bot-2", "bot-1"]


def test_a_disconnected_client_reaches_nothing(tg: FakeTelegram) -> None:
    tg.disconnect("bot-1")
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "x"}, client="bot-1")[0] == 0
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "y"}, client="bot-2")[0] == 200
    assert [m.text for m in tg.messages_in(GROUP)] == ["y"]


async def test_client_urls_tag_calls_over_http(tg: FakeTelegram, server: FakeBotApiServer) -> None:
    async with Bot(DEFAULT_TOKEN, base_url=server.client_url("replica-1")) as bot:
        await bot.send_message(GROUP, "hi")
        tg.disconnect("replica-1")
        try:
            await bot.send_message(GROUP, "lost")
        except NetworkError:
            pass
        else:
            raise AssertionError("a disconnected client's call went through")
    assert [(c.method, c.client) for c in tg.calls_of("sendMessage")] == [
        ("sendMessage", "replica-1"),
        ("sendMessage", "replica-1"),
    ]
    assert [m.text for m in tg.messages_in(GROUP)] == ["hi"]


async def test_concurrent_polls_are_tolerated_when_allowed(tg: FakeTelegram) -> None:
    tg.allow_concurrent_polls()
    first = asyncio.create_task(tg.handle_async("getUpdates", {"timeout": 10}))
    await tg.async_wait_for_polling(timeout=2)
    second = asyncio.create_task(tg.handle_async("getUpdates", {"timeout": 10}))
    await tg.async_wait_until(lambda: tg._polls_waiting == 2, 2)
    tg.user_sends(ANN, GROUP, "hello")
    for poll in (first, second):
        status, body = await asyncio.wait_for(poll, 2)
        assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["hello"]
