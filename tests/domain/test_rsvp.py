"""Answers, capacity and the waitlist."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rsvp import (
    MAX_GUESTS,
    Allocation,
    Answer,
    Counts,
    Reply,
    Seat,
    allocate,
    promoted,
    summarise,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def going(user_id: int, since: int, guests: int = 0, guests_since: int | None = None) -> Reply:
    return Reply(
        user_id,
        Answer.IN,
        guests,
        at(since),
        None if guests_since is None else at(guests_since),
    )


def test_without_capacity_everyone_in_goes() -> None:
    replies = [
        going(1, 5, guests=2),
        going(2, 1),
        Reply(3, Answer.MAYBE, 0, None, None),
        Reply(4, Answer.OUT, 3, None, None),
    ]
    allocation = allocate(replies, None)
    assert allocation.going == (Seat(2, 0), Seat(1, 0), Seat(1, 1), Seat(1, 2))
    assert allocation.waitlist == ()
    assert summarise(replies, allocation) == Counts(going=4, maybe=1, out=1, waitlist=0)


def test_capacity_fills_in_queue_order() -> None:
    replies = [going(1, 0), going(2, 10), going(3, 5), going(4, 20)]
    allocation = allocate(replies, 2)
    assert allocation.going == (Seat(1, 0), Seat(3, 0))
    assert allocation.waitlist == (Seat(2, 0), Seat(4, 0))
    assert allocation.is_going(3) and not allocation.is_waitlisted(3)
    assert allocation.is_waitlisted(4) and not allocation.is_going(4)
    assert allocation.position(2) == 1
    assert allocation.position(4) == 2
    assert allocation.position(1) is None
    assert allocation.position(99) is None


def test_guests_queue_from_when_they_were_added() -> None:
    # Member 1 came first but added a guest after member 2 said IN.
    replies = [going(1, 0, guests=1, guests_since=30), going(2, 10)]
    allocation = allocate(replies, 2)
    assert allocation.going == (Seat(1, 0), Seat(2, 0))
    assert allocation.waitlist == (Seat(1, 1),)
    assert allocation.guests_going(1) == 0
    assert allocation.position(1) is None, "the member's own seat is not waiting"


def test_guests_never_queue_ahead_of_their_member() -> None:
    # A stale guests_since from an earlier IN must not jump the queue.
    replies = [going(1, 50, guests=2, guests_since=0), going(2, 10)]
    allocation = allocate(replies, 2)
    assert allocation.going == (Seat(2, 0), Seat(1, 0))
    assert allocation.waitlist == (Seat(1, 1), Seat(1, 2))


def test_ties_go_to_the_lower_user_id_then_guest_number() -> None:
    replies = [going(7, 0, guests=1), going(3, 0, guests=2)]
    allocation = allocate(replies, None)
    assert allocation.going == (Seat(3, 0), Seat(3, 1), Seat(3, 2), Seat(7, 0), Seat(7, 1))


def test_untimed_replies_queue_last() -> None:
    replies = [Reply(1, Answer.IN, 1, None, None), going(2, 100)]
    allocation = allocate(replies, 2)
    assert allocation.going == (Seat(2, 0), Seat(1, 0))
    assert allocation.waitlist == (Seat(1, 1),)


def test_guests_count_only_for_in() -> None:
    replies = [Reply(1, Answer.MAYBE, 2, at(0), at(0)), going(2, 1)]
    assert allocate(replies, None).going == (Seat(2, 0),)


def test_zero_capacity_waits_everyone() -> None:
    allocation = allocate([going(1, 0, guests=1)], 0)
    assert allocation.going == ()
    assert allocation.waitlist == (Seat(1, 0), Seat(1, 1))


def test_promotions_after_someone_drops_out() -> None:
    replies = [going(1, 0, guests=1), going(2, 1), going(3, 2, guests=1), going(4, 3)]
    before = allocate(replies, 3)
    assert before.waitlist == (Seat(3, 0), Seat(3, 1), Seat(4, 0))
    after = allocate([r for r in replies if r.user_id != 1], 3)
    assert promoted(before, after) == [Seat(3, 0), Seat(3, 1)]
    assert after.waitlist == (Seat(4, 0),)


@pytest.mark.parametrize("guests", [-1, MAX_GUESTS + 1])
def test_guest_count_is_bounded(guests: int) -> None:
    with pytest.raises(ValueError, match="guests"):
        Reply(1, Answer.IN, guests, at(0), None)


def test_duplicate_users_and_negative_capacity_are_bugs() -> None:
    with pytest.raises(ValueError, match="two replies"):
        allocate([going(1, 0), going(1, 5)], None)
    with pytest.raises(ValueError, match="capacity"):
        allocate([], -1)


def test_answers_are_strings() -> None:
    assert Answer("maybe") is Answer.MAYBE
    assert str(Answer.IN) == "in"


_minutes = st.none() | st.integers(0, 20).map(at)  # a narrow range, so ties happen
reply_lists = st.lists(
    st.builds(
        Reply,
        st.integers(1, 40),
        st.sampled_from(Answer),
        st.integers(0, MAX_GUESTS),
        _minutes,
        _minutes,
    ),
    unique_by=lambda reply: reply.user_id,
    max_size=15,
)
capacities = st.none() | st.integers(0, 30)


def _in_seats(replies: list[Reply]) -> set[Seat]:
    return {
        Seat(r.user_id, g) for r in replies if r.answer is Answer.IN for g in range(r.guests + 1)
    }


@given(reply_lists, capacities)
def test_allocation_invariants(replies: list[Reply], capacity: int | None) -> None:
    allocation = allocate(replies, capacity)
    if capacity is not None:
        assert len(allocation.going) <= capacity
        assert not allocation.waitlist or len(allocation.going) == capacity
    else:
        assert allocation.waitlist == ()
    seats = allocation.going + allocation.waitlist
    assert len(seats) == len(set(seats)), "no seat twice"
    assert set(seats) == _in_seats(replies)
    for seat in seats:
        if seat.guest:
            assert seats.index(Seat(seat.user_id, 0)) < seats.index(seat)
    counts = summarise(replies, allocation)
    assert counts.going + counts.waitlist == len(seats)
    assert counts.maybe + counts.out + sum(1 for r in replies if r.answer is Answer.IN) == len(
        replies
    )


@given(reply_lists, capacities, st.randoms(use_true_random=False))
def test_order_of_replies_does_not_matter(
    replies: list[Reply], capacity: int | None, rnd: random.Random
) -> None:
    shuffled = list(replies)
    rnd.shuffle(shuffled)
    assert allocate(shuffled, capacity) == allocate(replies, capacity)


@given(reply_lists, st.integers(0, 30), st.data())
def test_dropping_out_promotes_the_first_waiting_seats(
    replies: list[Reply], capacity: int, data: st.DataObject
) -> None:
    before = allocate(replies, capacity)
    members = [seat.user_id for seat in before.going if seat.guest == 0]
    if not members:
        return
    leaver = data.draw(st.sampled_from(members))
    after = allocate([r for r in replies if r.user_id != leaver], capacity)
    freed = 1 + before.guests_going(leaver)
    still_waiting = [seat for seat in before.waitlist if seat.user_id != leaver]
    assert promoted(before, after) == still_waiting[:freed]


def test_allocation_helpers_on_empty() -> None:
    empty = Allocation((), ())
    assert not empty.is_going(1)
    assert not empty.is_waitlisted(1)
    assert empty.guests_going(1) == 0
    assert empty.position(1) is None
    assert promoted(empty, empty) == []
