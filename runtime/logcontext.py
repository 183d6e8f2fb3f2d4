"""Log lines carry `update=<id> chat=<id>` while an update is being handled.

A context variable holds the update being handled; the update processor
(runtime.ordering) sets it around each update, and a logging filter copies it
onto every record. Tasks started while the update is handled inherit it, but
only until the update is done: the binding is closed then, so a job scheduled
from a handler (APScheduler timers copy the context they were created in)
never logs as that old update.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from telegram import Update


@dataclass
class _Binding:
    update_id: int
    chat_id: int | None
    open: bool = True

    def label(self) -> str:
        chat = "-" if self.chat_id is None else str(self.chat_id)
        return f" [update={self.update_id} chat={chat}]"


_current: ContextVar[_Binding | None] = ContextVar("speedsession_update", default=None)


@contextmanager
def handling(update: object) -> Iterator[None]:
    """Log records emitted inside (and in tasks started inside) carry this update's ids."""
    if not isinstance(update, Update):
        yield
        return
    chat = update.effective_chat
    binding = _Binding(update.update_id, chat.id if chat is not None else None)
    token = _current.set(binding)
    try:
        yield
    finally:
        binding.open = False
        _current.reset(token)


class UpdateContextFilter(logging.Filter):
    """Adds `update_context` (empty outside an update) for the log format to show."""

    def filter(self, record: logging.LogRecord) -> bool:
        binding = _current.get()
        record.update_context = binding.label() if binding is not None and binding.open else ""
        return True
