"""PTB glue: build an Application on `FakeRequest` and run real polling for a test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from .core import FakeTelegram
from .models import DEFAULT_TOKEN
from .request import FakeRequest

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def fake_builder(
    core: FakeTelegram, token: str = DEFAULT_TOKEN
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An ApplicationBuilder wired to the core for both request kinds; add handlers after
    ``.build()`` or keep configuring the builder."""
    return (
        Application.builder()
        .token(token)
        .request(FakeRequest(core))
        .get_updates_request(FakeRequest(core))
    )


@asynccontextmanager
async def polling(
    app: AnyApplication,
    poll_timeout: int = 10,
    allowed_updates: Sequence[str] | None = None,
    drop_pending_updates: bool | None = None,
) -> AsyncIterator[AnyApplication]:
    """initialize -> start -> updater.start_polling, then the reverse, like run_polling
    minus signal handling and loop ownership."""
    async with app:
        await app.start()
        updater = app.updater
        if updater is None:
            raise RuntimeError("Application was built without an Updater")
        await updater.start_polling(
            poll_interval=0.0,
            timeout=poll_timeout,
            allowed_updates=allowed_updates,
            drop_pending_updates=drop_pending_updates,
        )
        try:
            yield app
        finally:
            await updater.stop()
            await app.stop()
