"""Typed SQLAlchemy 2 models: the single source of truth for schedules and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Group(Base):
    """A club's Telegram group and its weekly slot."""

    __tablename__ = "groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(256), default="")
    weekday: Mapped[int] = mapped_column(Integer, default=1)  # 0 = Monday
    start_time: Mapped[str] = mapped_column(String(5), default="18:30")  # HH:MM local
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str | None] = mapped_column(String(256))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    announce_lead_min: Mapped[int] = mapped_column(Integer, default=48 * 60)
    reminder_lead_min: Mapped[int] = mapped_column(Integer, default=3 * 60)
    duration_min: Mapped[int] = mapped_column(Integer, default=90)
    capacity: Mapped[int | None] = mapped_column(Integer)
    guests_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Automatic posts start only once an admin has chosen the day or time.
    configured: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the results board goes out: this local time, this many days after the session.
    board_time: Mapped[str] = mapped_column(String(5), default="09:00")
    board_days_after: Mapped[int] = mapped_column(Integer, default=1)
    # Coaching: a split within this share of its target is on target (/set tolerance 2%),
    # and a pace group spans at most this many seconds per km (/set spread 10).
    tolerance_percent: Mapped[float] = mapped_column(Float, default=2.0, server_default="2")
    pace_spread_s: Mapped[float] = mapped_column(Float, default=10.0, server_default="10")
    # False once the bot was removed from the group or may no longer post there.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Member(Base):
    """A Telegram user the bot has met, in any group or in private."""

    __tablename__ = "members"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(256), default="")
    last_name: Mapped[str | None] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    # The user has started the bot in private, so it may message them.
    can_dm: Mapped[bool] = mapped_column(Boolean, default=False)
    remind_private: Mapped[bool] = mapped_column(Boolean, default=False)
    # Counted but never named in group posts (/private on).
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    # Age grading (/profile born 1980 F): private, shown only to the member.
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(1))  # "F" or "M"
    # The group that private-chat commands act on.
    home_group_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("groups.chat_id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Membership(Base):
    """Who has been seen in which group: the audience of private reminders."""

    __tablename__ = "memberships"

    group_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("groups.chat_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("members.user_id", ondelete="CASCADE"), primary_key=True
    )
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_memberships_user", "user_id"),)


class Coach(Base):
    """Coaches added by an admin (group admins are coaches without a row)."""

    __tablename__ = "coaches"

    group_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("groups.chat_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    added_by: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Session(Base):
    """One week's speed session; identified by its group and the Monday of its week."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("groups.chat_id", ondelete="CASCADE")
    )
    week: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Moved by a coach: settings changes no longer re-time it.
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    workout_text: Mapped[str | None] = mapped_column(Text)
    workout: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("group_id", "week"),
        Index("ix_sessions_group_starts", "group_id", "starts_at"),
        Index("ix_sessions_starts", "starts_at"),
    )


class Rsvp(Base):
    """A member's answer for one session; waitlist order comes from `in_since`."""

    __tablename__ = "rsvps"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("members.user_id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(8))
    guests: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(200))
    in_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    guests_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Post(Base):
    """A message the bot sends on schedule, claimed here before it is sent.

    The unique (session, kind, chat) row is what makes every post happen once,
    whichever job, restart or replica gets there first.
    """

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Announcements: when the text last edited in was read, so start-up can tell which
    # ones missed an answer (the bot stopped between a commit and the edit).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("session_id", "kind", "chat_id"),)


# Result.status: splits given, or a coach's mark that a member who said In did not come.
REPORTED = "reported"
NO_SHOW = "no_show"


class Result(Base):
    """One runner's report for one session (or a coach's no-show mark)."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("members.user_id", ondelete="CASCADE")
    )
    # "reported" (splits given) or "no_show" (marked by a coach).
    status: Mapped[str] = mapped_column(String(16))
    total_ms: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(200))
    # The workout shape of a complete set (e.g. "6x800m"): what average bests compare.
    shape: Mapped[str | None] = mapped_column(String(300))
    reported_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        Index("ix_results_user", "user_id", "session_id"),
    )


class RepTime(Base):
    """One rep of a result, in exact integer milliseconds (None: skipped)."""

    __tablename__ = "rep_times"

    result_id: Mapped[int] = mapped_column(
        ForeignKey("results.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ms: Mapped[int | None] = mapped_column(BigInteger)
    # The rep's distance when known (None for timed reps and extra splits).
    distance_m: Mapped[float | None] = mapped_column(Float(precision=53))
    # False for reps off the flat (hills, stairs...): they never set distance bests.
    for_bests: Mapped[bool] = mapped_column(Boolean, default=True)


class BestMark(Base):
    """A best as it stood from one report on (`domain.bests.marks`), so a results board
    measures PBs against a handful of rows instead of every earlier rep.

    Derived from `results` and `rep_times`: `db.best_marks` rewrites a runner's marks in
    the transaction of every change to their results.
    """

    __tablename__ = "best_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    # When the report's session started (sessions with results are never moved).
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A distance best (the fastest rep over it) or an average best of a complete set.
    distance_m: Mapped[float | None] = mapped_column(Float(precision=53))
    shape: Mapped[str | None] = mapped_column(String(300))
    ms: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_best_marks_user", "user_id", "starts_at"),
        Index("ix_best_marks_result", "result_id"),
    )


class ResultChange(Base):
    """Audit of every change to a result: who changed whose times, when, and how."""

    __tablename__ = "result_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(16))  # report, replace, undo, no_show
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_result_changes_session", "session_id"),)


class Race(Base):
    """A race result a runner logged: their benchmark for target splits."""

    __tablename__ = "races"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("members.user_id", ondelete="CASCADE")
    )
    distance_m: Mapped[float] = mapped_column(Float(precision=53))
    time_ms: Mapped[int] = mapped_column(BigInteger)
    race_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_races_user_date", "user_id", "race_date"),)


class Benchmark(Base):
    """A benchmark a runner set with /benchmark (one per runner; setting again replaces it).

    Not a race: it never shows in /race or /pb. A runner's targets come from whichever is
    more recent, this or their latest race (on the same day, the one entered last).
    """

    __tablename__ = "benchmarks"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("members.user_id", ondelete="CASCADE"), primary_key=True
    )
    distance_m: Mapped[float] = mapped_column(Float(precision=53))
    time_ms: Mapped[int] = mapped_column(BigInteger)
    run_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedUpdate(Base):
    """A webhook update already taken in: Telegram's retries of it are answered, not handled.

    Keyed by bot too, so two bots sharing one database never swallow each other's updates.
    Rows are pruned after a day (Telegram gives up retrying well before that).
    """

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
