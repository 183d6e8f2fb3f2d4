"""Who is going: answers, capacity and the waitlist.

Rules:

* Without a capacity everyone who answered IN is going, with all their guests.
* With a capacity, seats queue. A member's own seat queues from ``in_since`` (when they
  last switched to IN); their guest seats queue from ``guests_since`` (when the guest
  count was last raised), but never ahead of the member. Ties go to the lower user id,
  then the lower guest number. The first ``capacity`` seats are going, the rest wait.
* A reply without ``in_since`` queues after every timed reply; one without
  ``guests_since`` queues its guests with the member.
* Guests only count for IN answers; a member may bring up to MAX_GUESTS.
* Raising the guest count requeues all of that member's guest seats from the new
  ``guests_since`` (one timestamp per member is all that is stored).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MAX_GUESTS = 5


class Answer(StrEnum):
    """A member's reply to the session announcement."""

    IN = "in"
    MAYBE = "maybe"
    OUT = "out"


@dataclass(frozen=True)
class Reply:
    """One member's current answer; ``guests`` are extra people they bring."""

    user_id: int
    answer: Answer
    guests: int
    in_since: datetime | None
    guests_since: datetime | None

    def __post_init__(self) -> None:
        if not 0 <= self.guests <= MAX_GUESTS:
            raise ValueError(f"guests must be 0..{MAX_GUESTS}, not {self.guests}")


@dataclass(frozen=True)
class Seat:
    """A place at the session: ``guest`` 0 is the member, 1..n their guests."""

    user_id: int
    guest: int


@dataclass(frozen=True)
class Allocation:
    """Seats going and waiting, each in queue order."""

    going: tuple[Seat, ...]
    waitlist: tuple[Seat, ...]

    def is_going(self, user_id: int) -> bool:
        """The member's own seat is confirmed."""
        return Seat(user_id, 0) in self.going

    def is_waitlisted(self, user_id: int) -> bool:
        """The member's own seat is waiting."""
        return Seat(user_id, 0) in self.waitlist

    def guests_going(self, user_id: int) -> int:
        """How many of the member's guests have a confirmed seat."""
        return sum(1 for seat in self.going if seat.user_id == user_id and seat.guest)

    def position(self, user_id: int) -> int | None:
        """1-based waitlist position of the member's own seat, None if not waiting."""
        seat = Seat(user_id, 0)
        return self.waitlist.index(seat) + 1 if seat in self.waitlist else None


@dataclass(frozen=True)
class Counts:
    """Head counts for the announcement; ``going`` and ``waitlist`` include guests."""

    going: int
    maybe: int
    out: int
    waitlist: int


def allocate(replies: Iterable[Reply], capacity: int | None) -> Allocation:
    """Split everyone IN into going and waitlist (rules in the module docstring)."""
    if capacity is not None and capacity < 0:
        raise ValueError("capacity must be None or at least 0")
    keyed: list[tuple[tuple[bool, datetime | None, int, int], Seat]] = []
    user_ids: set[int] = set()
    for reply in replies:
        if reply.user_id in user_ids:
            raise ValueError(f"two replies for user {reply.user_id}")
        user_ids.add(reply.user_id)
        if reply.answer is Answer.IN:
            keyed.extend(_queued_seats(reply))
    keyed.sort(key=lambda pair: pair[0])
    seats = tuple(seat for _, seat in keyed)
    if capacity is None:
        return Allocation(seats, ())
    return Allocation(seats[:capacity], seats[capacity:])


def _queued_seats(reply: Reply) -> list[tuple[tuple[bool, datetime | None, int, int], Seat]]:
    """Each seat with its queue key: (untimed?, time, user id, guest number)."""
    member_at = reply.in_since
    guests_at = reply.guests_since
    if member_at is None or guests_at is None or guests_at < member_at:
        guests_at = member_at
    seats = [((member_at is None, member_at, reply.user_id, 0), Seat(reply.user_id, 0))]
    for guest in range(1, reply.guests + 1):
        key = (guests_at is None, guests_at, reply.user_id, guest)
        seats.append((key, Seat(reply.user_id, guest)))
    return seats


def promoted(before: Allocation, after: Allocation) -> list[Seat]:
    """Seats that were waiting and now have a place: whom to congratulate."""
    waiting = set(before.waitlist)
    return [seat for seat in after.going if seat in waiting]


def summarise(replies: Iterable[Reply], allocation: Allocation) -> Counts:
    """Head counts; ``replies`` gives the maybes and outs, ``allocation`` the rest."""
    answers = [reply.answer for reply in replies]
    return Counts(
        going=len(allocation.going),
        maybe=answers.count(Answer.MAYBE),
        out=answers.count(Answer.OUT),
        waitlist=len(allocation.waitlist),
    )
