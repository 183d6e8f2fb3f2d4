"""Shared world for the fake's own tests: two runners and one club group."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_api import FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

GROUP = -1001234567890
ANN = 111
BEN = 222
KIT = 333


@pytest.fixture
def tg() -> FakeTelegram:
    """Ann (admin, started the bot), Ben (member, never started), Kit (blocked the bot)."""
    core = FakeTelegram()
    core.add_user(ANN, "Ann", "ann_runs")
    core.add_user(BEN, "Ben")
    core.add_user(KIT, "Kit", "kit")
    core.add_group(GROUP, "Track Tuesdays", admins=[ANN], members=[BEN, KIT], creator=ANN)
    core.start_private(ANN)
    core.start_private(KIT)
    core.block_bot(KIT)
    return core


@pytest.fixture
def server(tg: FakeTelegram) -> Iterator[FakeBotApiServer]:
    """The HTTP front for `tg`, stopped after the test."""
    with FakeBotApiServer(tg) as srv:
        yield srv
