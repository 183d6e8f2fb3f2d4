"""Group commit (db.group_commit): batching, order, failure isolation, answer after commit.

The writer here records what it is given in memory: the module is about
scheduling requests into transactions; its use with a real database is
tested in test_rsvp_taps.py and by the crash tests in tests/e2e.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from db.group_commit import GroupCommit


class Ledger:
    """A writer that 'commits' by appending, after yielding to the loop like real I/O."""

    def __init__(self, fail_when: int | None = None) -> None:
        self.committed: list[int] = []
        self.transactions: list[list[int]] = []
        self.fail_when = fail_when

    async def write(self, requests: Sequence[int]) -> list[int | Exception]:
        await asyncio.sleep(0.001)
        self.transactions.append(list(requests))
        if self.fail_when is not None and self.fail_when in requests:
            raise RuntimeError("constraint violated")
        results: list[int | Exception] = []
        for request in requests:
            if request < 0:
                results.append(ValueError(f"refused {request}"))
            else:
                self.committed.append(request)
                results.append(request * 10)
        return results


async def test_requests_arriving_together_share_transactions_and_keep_their_order() -> None:
    ledger = Ledger()
    commits: GroupCommit[int, int] = GroupCommit(ledger.write)
    results = await asyncio.gather(*(commits.submit(n) for n in range(200)))
    assert results == [n * 10 for n in range(200)]
    assert ledger.committed == list(range(200))
    assert len(ledger.transactions) <= 3  # the first alone, then the rest in batches


async def test_a_lone_request_is_written_at_once() -> None:
    ledger = Ledger()
    commits: GroupCommit[int, int] = GroupCommit(ledger.write)
    assert await commits.submit(1) == 10
    assert await commits.submit(2) == 20
    assert ledger.transactions == [[1], [2]]


async def test_batches_are_capped() -> None:
    ledger = Ledger()
    commits: GroupCommit[int, int] = GroupCommit(ledger.write, max_batch=10)
    await asyncio.gather(*(commits.submit(n) for n in range(35)))
    assert max(len(batch) for batch in ledger.transactions) <= 10


async def test_a_refusal_reaches_only_its_caller() -> None:
    commits: GroupCommit[int, int] = GroupCommit(Ledger().write)
    ok, refused = await asyncio.gather(
        commits.submit(3), commits.submit(-1), return_exceptions=True
    )
    assert ok == 30
    assert isinstance(refused, ValueError)


async def test_a_failing_batch_is_retried_one_by_one() -> None:
    ledger = Ledger(fail_when=13)
    commits: GroupCommit[int, int] = GroupCommit(ledger.write)
    await commits.submit(0)  # the next ones queue up behind it
    results = await asyncio.gather(
        *(commits.submit(n) for n in range(10, 16)), return_exceptions=True
    )
    assert [r for r in results if isinstance(r, BaseException)] == [results[3]]
    assert isinstance(results[3], RuntimeError)
    assert ledger.committed == [0, 10, 11, 12, 14, 15]


async def test_nobody_is_answered_before_their_transaction_returns() -> None:
    gate = asyncio.Event()
    written: list[int] = []

    async def slow_write(requests: Sequence[int]) -> list[int | Exception]:
        await gate.wait()
        written.extend(requests)
        return list(requests)

    commits: GroupCommit[int, int] = GroupCommit(slow_write)
    pending = asyncio.ensure_future(commits.submit(1))
    await asyncio.sleep(0.01)
    assert not pending.done() and not written
    gate.set()
    assert await pending == 1 and written == [1]


async def test_wait_idle_returns_once_everything_is_written() -> None:
    ledger = Ledger()
    commits: GroupCommit[int, int] = GroupCommit(ledger.write)
    pending = [asyncio.ensure_future(commits.submit(n)) for n in range(20)]
    await asyncio.sleep(0)
    await commits.wait_idle()
    assert ledger.committed == list(range(20))
    assert all(task.done() for task in pending)


async def test_a_cancelled_caller_does_not_break_the_batch() -> None:
    ledger = Ledger()
    commits: GroupCommit[int, int] = GroupCommit(ledger.write)
    first = asyncio.ensure_future(commits.submit(1))
    second = asyncio.ensure_future(commits.submit(2))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == 20
    with pytest.raises(asyncio.CancelledError):
        await first
    await commits.wait_idle()
    assert 2 in ledger.committed
