"""runtime.ordering: updates overlap, except one member's, which run in the order sent."""

from __future__ import annotations

import asyncio

from telegram import Update

from runtime.ordering import InOrderPerUser
from tests.fake_api import FakeTelegram

GROUP = -100500


def update_from(api: FakeTelegram, user: int, text: str) -> Update:
    return Update.de_json(api.user_sends(user, GROUP, text), None)


async def test_one_members_updates_run_in_order_while_others_overlap() -> None:
    api = FakeTelegram()
    for user in (1, 2):
        api.add_user(user, f"Runner{user}")
    api.add_group(GROUP, "Harriers", admins=[1], members=[2])
    processor = InOrderPerUser()
    events: list[str] = []
    release_first = asyncio.Event()

    async def handle(name: str, hold: asyncio.Event | None = None) -> None:
        events.append(f"start {name}")
        if hold is not None:
            await hold.wait()
        events.append(f"end {name}")

    first = asyncio.create_task(
        processor.process_update(update_from(api, 1, "/in"), handle("1a", release_first))
    )
    second = asyncio.create_task(
        processor.process_update(update_from(api, 1, "/out"), handle("1b"))
    )
    other = asyncio.create_task(processor.process_update(update_from(api, 2, "/in"), handle("2")))
    await other  # another member is not held up by member 1's slow update
    assert events == ["start 1a", "start 2", "end 2"]
    release_first.set()
    await asyncio.gather(first, second)
    assert events[3:] == ["end 1a", "start 1b", "end 1b"]


async def test_members_queues_are_forgotten_once_empty() -> None:
    api = FakeTelegram()
    api.add_user(1, "Ann")
    api.add_group(GROUP, "Harriers", admins=[1])
    processor = InOrderPerUser()

    async def nothing() -> None:
        await asyncio.sleep(0)

    await asyncio.gather(
        *(processor.process_update(update_from(api, 1, "/in"), nothing()) for _ in range(5))
    )
    assert not processor._locks and not processor._holders
