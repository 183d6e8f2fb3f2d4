"""The flood limiter on a virtual clock: windows never overfilled, 429s retried once each.

Nothing here sleeps for real. `VirtualTime` hands the limiter a clock and a sleep; time
jumps to the earliest sleeper's wake-up only when every task is blocked, so the send
times the tests see are exactly those the limiter chose.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

import pytest
from telegram.error import RetryAfter, TimedOut

from jobs.flood import FORGET_EVERY, MARGIN, FloodLimiter, Window, chat_key, counts

# Building a RetryAfter with an int warns about PTB's coming timedelta; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), wake))
        await wake

    async def run(self, *work: Coroutine[Any, Any, Any]) -> list[Any]:
        """Run the coroutines to the end, advancing time whenever all of them wait."""
        tasks = [asyncio.ensure_future(one) for one in work]
        while not all(task.done() for task in tasks):
            for _ in range(50):  # let every runnable task run until it blocks
                await asyncio.sleep(0)
            if self._sleepers and not all(task.done() for task in tasks):
                at, _, wake = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                wake.set_result(None)
        return [task.result() for task in tasks]


class Api:
    """Records when each call reached 'Telegram'; can answer 429 or time out first."""

    def __init__(self, time: VirtualTime) -> None:
        self.time = time
        self.calls: list[tuple[str, Any, float]] = []
        self.failures: list[Exception] = []

    async def call(self, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((endpoint, data.get("chat_id"), self.time.now))
        if self.failures:
            raise self.failures.pop(0)
        return {"ok": True}


def limiter(time: VirtualTime, **kwargs: Any) -> FloodLimiter:
    return FloodLimiter(clock=time.clock, sleep=time.sleep, **kwargs)


async def send(
    flood: FloodLimiter, api: Api, chat_id: Any, endpoint: str = "sendMessage"
) -> dict[str, Any] | bool | list[dict[str, Any]]:
    data = {"chat_id": chat_id, "text": "hi"}
    return await flood.process_request(api.call, (endpoint, data), {}, endpoint, data, None)


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The most calls in any half-open window of this length (as Telegram counts)."""
    ordered = sorted(times)
    return max(sum(1 for other in ordered if start <= other < start + seconds) for start in ordered)


async def test_a_burst_to_many_groups_is_paced_at_30_per_second_and_no_more() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time)
    await time.run(*(send(flood, api, -1000 - n) for n in range(100)))
    times = [at for _, _, at in api.calls]
    assert len(times) == 100
    assert most_in_any_window(times, 1.0) == 30
    # At the limit, not below it: four windows (30 + 30 + 30 + 10), one margin each.
    assert max(times) == pytest.approx(3 * (1.0 + MARGIN))


async def test_one_group_gets_20_per_minute_and_keeps_its_order() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time)
    await time.run(*(send(flood, api, -42, f"send{n}") for n in range(25)))
    assert [endpoint for endpoint, _, _ in api.calls] == [f"send{n}" for n in range(25)]
    times = [at for _, _, at in api.calls]
    assert most_in_any_window(times, 60.0) == 20
    assert times[19] == 0.0 and times[20] == pytest.approx(60.0 + MARGIN)


async def test_a_private_chat_gets_one_message_per_second() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time)
    await time.run(*(send(flood, api, 7) for _ in range(3)))
    assert [at for _, _, at in api.calls] == pytest.approx([0.0, 1.0 + MARGIN, 2 * (1.0 + MARGIN)])


async def test_a_waiting_group_does_not_hold_up_other_chats() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time, per_group=Window(1, 60.0))
    await time.run(send(flood, api, -1), send(flood, api, -1), send(flood, api, -2))
    assert [(chat, at) for _, chat, at in api.calls] == [
        (-1, 0.0),
        (-2, 0.0),
        (-1, pytest.approx(60.0 + MARGIN)),
    ]


async def test_calls_that_send_nothing_are_not_held_back() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time, overall=Window(1, 1.0))
    await time.run(
        send(flood, api, -1),
        send(flood, api, -1, "answerCallbackQuery"),
        send(flood, api, -1, "getChatMember"),
        send(flood, api, -1, "sendChatAction"),
    )
    assert [at for _, _, at in api.calls] == [0.0, 0.0, 0.0, 0.0]


async def test_a_429_is_waited_out_and_retried_exactly_once() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time)
    api.failures.append(RetryAfter(5))
    [result] = await time.run(send(flood, api, -1))
    assert result == {"ok": True}
    assert [at for _, _, at in api.calls] == [0.0, pytest.approx(5.0 + MARGIN)]


async def test_a_429_without_a_chat_pauses_that_call() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time)
    api.failures.append(RetryAfter(2))
    data: dict[str, Any] = {"callback_query_id": "1"}
    await time.run(
        flood.process_request(
            api.call, ("answerCallbackQuery", data), {}, "answerCallbackQuery", data, None
        )
    )
    assert [at for _, _, at in api.calls] == [0.0, pytest.approx(2.0 + MARGIN)]


async def test_429s_beyond_the_retries_reach_the_caller() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time, max_retries=2)
    api.failures.extend(RetryAfter(1) for _ in range(3))
    with pytest.raises(RetryAfter):
        await time.run(send(flood, api, -1))
    assert len(api.calls) == 3


async def test_a_timeout_is_never_retried_as_it_may_have_been_delivered() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time)
    api.failures.append(TimedOut())
    with pytest.raises(TimedOut):
        await time.run(send(flood, api, -1))
    assert len(api.calls) == 1


async def test_idle_chats_are_forgotten() -> None:
    time = VirtualTime()
    api, flood = Api(time), limiter(time, overall=Window(10_000, 1.0))
    await time.run(*(send(flood, api, n) for n in range(1, 1100)))
    time.now += FORGET_EVERY
    await time.run(send(flood, api, 5_000))
    assert len(flood._chats) == 1


def test_what_counts_and_how_chats_are_keyed() -> None:
    assert counts("sendMessage") and counts("editMessageText") and counts("copyMessage")
    assert not counts("sendChatAction") and not counts("answerCallbackQuery")
    assert not counts("deleteMessage") and not counts("getChatMember")
    assert chat_key(-5) == -5 and chat_key("-5") == -5 and chat_key("@club") == "@club"
    assert chat_key(None) is None and chat_key(" ") is None
