"""Injected errors look exactly like Telegram's, and rate limits compute retry_after."""

from __future__ import annotations

import pytest

from tests.fake_api import NETWORK_DROP, FakeTelegram

from .conftest import ANN, GROUP


def test_fail_next_is_consumed_in_order(tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", 429, retry_after=5, count=2)
    expected = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 5",
        "parameters": {"retry_after": 5},
    }
    params = {"chat_id": GROUP, "text": "hi"}
    assert tg.handle("sendMessage", params) == (429, expected)
    assert tg.handle("sendMessage", params) == (429, expected)
    assert tg.handle("sendMessage", params)[0] == 200
    assert [c.status for c in tg.calls_of("sendMessage")] == [429, 429, 200]


def test_fail_next_can_target_one_chat(tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", 502, chat_id=GROUP)
    assert tg.handle("sendMessage", {"chat_id": ANN, "text": "hi"})[0] == 200
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "hi"}) == (
        502,
        {"ok": False, "error_code": 502, "description": "Bad Gateway"},
    )


def test_fail_randomly_is_seeded(tg: FakeTelegram) -> None:
    def run() -> list[int]:
        tg.clear_faults()
        tg.fail_randomly("sendMessage", 0.5, seed=7)
        return [tg.handle("sendMessage", {"chat_id": GROUP, "text": "x"})[0] for _ in range(20)]

    first = run()
    assert first == run()
    assert {200, 429} == set(first)


def test_per_chat_rate_limit_reports_remaining_window() -> None:
    now = [1000.0]
    tg = FakeTelegram(monotonic=lambda: now[0])
    tg.add_group(GROUP, "Track")
    tg.rate_limit(per_chat_per_minute=20)
    params = {"chat_id": GROUP, "text": "x"}
    assert all(tg.handle("sendMessage", params)[0] == 200 for _ in range(20))
    now[0] += 15.2
    status, body = tg.handle("sendMessage", params)
    assert (status, body["parameters"]) == (429, {"retry_after": 45})
    assert body["description"] == "Too Many Requests: retry after 45"
    now[0] += 45
    assert tg.handle("sendMessage", params)[0] == 200
    assert tg.handle("getChat", {"chat_id": GROUP})[0] == 200  # reads are not limited


def test_global_rate_limit() -> None:
    now = [0.0]
    tg = FakeTelegram(monotonic=lambda: now[0])
    tg.add_group(GROUP, "Track")
    tg.rate_limit(global_per_second=30)
    statuses = [tg.handle("sendMessage", {"chat_id": GROUP, "text": "x"})[0] for _ in range(31)]
    assert statuses.count(429) == 1 and statuses[-1] == 429


@pytest.mark.parametrize("after_effect", [False, True])
def test_dropped_responses(tg: FakeTelegram, after_effect: bool) -> None:
    tg.drop_next("sendMessage", after_effect=after_effect)
    assert tg.handle("sendMessage", {"chat_id": GROUP, "text": "x"}) == (NETWORK_DROP, {})
    assert len(tg.messages_in(GROUP)) == (1 if after_effect else 0)
