"""The announcement coalescer: bursts of taps cost one edit, and the last edit is exact.

Each tap marks its session dirty. One task per dirty session edits the
announcement at most once per `interval` seconds, each time reading the state
fresh from the database *after* clearing the dirty mark, so a tap committed
while an edit is in flight always causes one more edit: the final text is the
committed state.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from telegram import Bot

from db import rsvps
from handlers import render
from handlers.services import Services
from jobs.delivery import edit

log = logging.getLogger(__name__)

# How often what the announcements show is written down (posts.edited_at). Losing the
# last few seconds of it in a crash only costs an edit that changes nothing at start-up.
SAVE_PROGRESS_EVERY = 10.0


class AnnouncementRefresher:
    def __init__(self, bot: Bot, services: Services, interval: float) -> None:
        self._bot = bot
        self._services = services
        self._interval = interval
        self._dirty: set[int] = set()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._last_edit: dict[int, float] = {}
        self._shown: dict[int, datetime] = {}  # session -> answers read up to, not yet saved
        self._saved_at = time.monotonic()

    def mark(self, session_id: int) -> None:
        """Ask for the session's announcement to be brought up to date soon."""
        self._dirty.add(session_id)
        if session_id not in self._tasks:
            self._tasks[session_id] = asyncio.create_task(
                self._run(session_id), name=f"refresh:{session_id}"
            )

    async def _run(self, session_id: int) -> None:
        try:
            while session_id in self._dirty:
                last = self._last_edit.get(session_id)
                if last is not None:
                    wait = last + self._interval - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                self._dirty.discard(session_id)
                try:
                    await self.refresh_now(session_id)
                except Exception:
                    log.exception("refreshing the announcement of session %s failed", session_id)
                self._last_edit[session_id] = time.monotonic()
        finally:
            self._tasks.pop(session_id, None)

    async def refresh_now(self, session_id: int) -> None:
        taps = self._services.taps
        assert taps is not None
        read_at = self._services.now()
        # Read by the tap writer: no lock a batch of taps would wait for (db.rsvp_taps).
        board = await taps.board(session_id)
        if board is None or board.announcement_message_id is None:
            return
        now = self._services.now()
        edited = await edit(
            self._bot,
            self._services,
            board.group.chat_id,
            board.announcement_message_id,
            render.announcement_text(board, now),
            render.announcement_keyboard(board, now),
        )
        if edited:
            self._shown[session_id] = read_at
            if time.monotonic() - self._saved_at >= SAVE_PROGRESS_EVERY:
                await self.save_progress()

    async def save_progress(self) -> None:
        """Record which answers each edited announcement shows, in one transaction."""
        shown, self._shown = self._shown, {}
        self._saved_at = time.monotonic()
        if shown:
            await rsvps.record_refreshes(self._services.db, shown)

    async def settle(self) -> None:
        """Wait until every pending refresh has run (used by tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def flush(self) -> None:
        """Finish every pending edit now (at shutdown), without waiting out the interval."""
        pending = set(self._dirty)
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._dirty.clear()
        for session_id in pending:
            try:
                await self.refresh_now(session_id)
            except Exception:
                log.exception("final refresh of session %s failed", session_id)
        await self.save_progress()
