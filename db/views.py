"""Plain, immutable results of the use cases: what handlers and jobs may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from domain.rsvp import Allocation, Answer, Reply


@dataclass(frozen=True)
class GroupSettings:
    chat_id: int
    title: str
    weekday: int
    start_time: time
    timezone: str
    place: str | None
    latitude: float | None
    longitude: float | None
    announce_lead: timedelta
    reminder_lead: timedelta
    duration: timedelta
    capacity: int | None
    guests_allowed: bool
    configured: bool
    active: bool
    tolerance_percent: float = 2.0
    pace_spread_s: float = 10.0
    board_time: time = time(9, 0)
    board_days_after: int = 1

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class SessionView:
    id: int
    group_id: int
    week: date
    starts_at: datetime
    duration: timedelta
    pinned: bool
    workout_text: str | None
    workout: dict[str, Any] | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    announce_at: datetime
    reminder_at: datetime

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.duration

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(frozen=True)
class Person:
    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    can_dm: bool = False
    # Chose /private on: counted, never named in group posts.
    private: bool = False

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part).strip()
        return name or (f"@{self.username}" if self.username else f"Runner {self.user_id}")


@dataclass(frozen=True)
class Entry:
    """One member's answer with the name to show."""

    person: Person
    reply: Reply
    note: str | None


@dataclass(frozen=True)
class Board:
    """Everything an announcement shows, read in one go."""

    group: GroupSettings
    session: SessionView
    entries: tuple[Entry, ...]
    allocation: Allocation
    announcement_message_id: int | None = None

    def entries_with(self, answer: Answer) -> list[Entry]:
        return [e for e in self.entries if e.reply.answer is answer]


class Refusal(StrEnum):
    """Why a use case said no; handlers turn each into a friendly sentence."""

    NOT_SET_UP = "not_set_up"
    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    STARTED = "started"
    WRONG_CHAT = "wrong_chat"
    STALE_BUTTON = "stale_button"
    GUESTS_OFF = "guests_off"
    GUESTS_NEED_IN = "guests_need_in"
    GUESTS_MAX = "guests_max"
    NO_GUESTS = "no_guests"
    NOT_A_SESSION_DAY = "not_a_session_day"
    NO_HOME_GROUP = "no_home_group"
    NOTHING_TO_REPORT = "nothing_to_report"
    NOTHING_TO_UNDO = "nothing_to_undo"


class Refused(Exception):
    """A use case declined a request; nothing was changed."""

    def __init__(self, reason: Refusal, session: SessionView | None = None, detail: str = ""):
        super().__init__(reason.value)
        self.reason = reason
        self.session = session
        self.detail = detail


@dataclass(frozen=True)
class RsvpOutcome:
    """A member's answer as saved: what the reply to their tap or command says."""

    session_id: int
    chat_id: int
    starts_at: datetime
    timezone: str
    answer: Answer
    guests: int
    changed: bool
    going: bool
    waitlist_position: int | None
    # Members whose place was confirmed by this change (off the waitlist).
    promoted: tuple[Person, ...] = field(default=())


@dataclass(frozen=True)
class SessionChange:
    """A cancelled or moved session and who answered In or Maybe for it."""

    session: SessionView
    previous_start: datetime
    to_tell: tuple[Person, ...]
    announcement_message_id: int | None


@dataclass(frozen=True)
class PostPlan:
    """What the scheduler needs to know about one upcoming session."""

    session: SessionView
    announced: bool
    reminded: bool
    # The latest session that has started (not cancelled), when its results board goes
    # out, and which of its results posts (db.boards kinds) are out.
    reporting: SessionView | None = None
    board_at: datetime | None = None
    reporting_posts: frozenset[str] = frozenset()
