"""Group commit: many small requests, one transaction, every caller answered after COMMIT.

Why: a durable commit costs a disk flush (SQLite with synchronous=FULL, or
PostgreSQL's WAL flush); paying it once per RSVP tap caps a bot at a few
hundred taps per second. Requests that arrive while a transaction is being
written wait for the next one, so under load each flush carries a whole
batch, and with no load a request is written at once (no timer, no delay).

Guarantees:
- a caller's await returns only after the transaction holding its request
  has committed (or raises; nothing half-done is reported as saved);
- requests are applied in the order they were submitted;
- one failing request does not fail its neighbours: if a batch's transaction
  fails, each of its requests is retried alone and gets its own result.

A request that the apply function refuses is returned as an exception value
(a refusal writes nothing), and raised to its caller only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Request = TypeVar("Request")
Result = TypeVar("Result")

# Applies requests in one transaction and commits; one result (or refusal) per request.
BatchWriter = Callable[[Sequence[Request]], Awaitable[Sequence[Result | Exception]]]

MAX_BATCH = 256


class GroupCommit(Generic[Request, Result]):
    def __init__(self, write: BatchWriter[Request, Result], max_batch: int = MAX_BATCH) -> None:
        self._write = write
        self._max_batch = max_batch
        self._pending: list[tuple[Request, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # transactions committed or attempted, for tests and benchmarks

    async def submit(self, request: Request) -> Result:
        """The request's result, once its transaction has committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._drain(), name="group-commit")
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                await self._commit(batch)
        finally:
            self._writer = None

    async def _commit(self, batch: list[tuple[Request, asyncio.Future[Result]]]) -> None:
        requests = [request for request, _ in batch]
        self.batches += 1
        try:
            results = await self._write(requests)
        except Exception as error:
            if len(batch) == 1:
                _fail(batch[0][1], error)
                return
            # Each request's own retry below reports the error to its caller.
            log.warning("a batch of %d failed (%r); retrying one by one", len(batch), error)
            for one in batch:
                await self._commit([one])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                _fail(future, result)
            elif not future.done():  # done: the caller was cancelled and has gone away
                future.set_result(result)

    async def wait_idle(self) -> None:
        """Return once every submitted request has been written (for shutdown)."""
        while self._writer is not None:
            await asyncio.shield(self._writer)


def _fail(future: asyncio.Future[Result], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)
