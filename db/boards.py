"""Results boards: what a session's board, its "How did it go?" prompt and its nudges show.

The reporting window of a session runs from its end to the board time: the group's
`board_time` (local) on the day `board_days_after` days after the session's local date
(default: the next day at 09:00). A board time that would not come after the end of the
session moves on by whole days. The group's *latest* session that has started and was
not cancelled is the one the prompt, nudges and board are planned for.

Privacy: members with `Member.private` are counted but never named in group posts, so
every runner handed out here says whether they are private; the texts decide.

Queries are constant in number per call, whatever the number of runners: the session
and its group, the answers, the results with their reps and members (one query), and
the bests the PBs compare with (one query for everyone on the board, from
`db.best_marks`). Each one is served by an index: `uq_results_session_id` (session_id,
user_id), `pk_rep_times` (result_id, position), `pk_rsvps` (session_id, user_id),
`ix_best_marks_user` (user_id, starts_at) and `ix_sessions_group_starts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db import best_marks
from db.convert import group_settings, session_view
from db.engine import Database
from db.models import NO_SHOW, REPORTED, Group, Member, RepTime, Result, Rsvp, Session
from db.sql import chunks
from db.views import GroupSettings, Person, SessionView
from domain import bests, schedule
from domain.notation import workout_from_dict
from domain.rsvp import Answer, Reply, allocate
from domain.splits_check import Checked, CheckedSplit
from domain.workout import Rep, flatten_reps

# Post kinds (rows in `posts`, claimed before sending).
REPORT_PROMPT = "report_prompt"  # the group's "How did it go?" at the end of the session
REPORT_NUDGE = "report_nudge"  # one private nudge per member (chat_id is the member)
NUDGE_ROUND = "report_nudges"  # in the group's chat: the round of nudges is done
RESULTS_BOARD = "results_board"  # the board in the group at the board time
RESULTS_KINDS = (REPORT_PROMPT, NUDGE_ROUND, RESULTS_BOARD)

# Those who have not reported get their nudge this long before the board goes out.
NUDGE_LEAD = timedelta(hours=2)


@dataclass(frozen=True)
class Runner:
    """A member as a group post may show them: named, or only counted when private."""

    person: Person
    private: bool


@dataclass(frozen=True)
class RunnerResult:
    """One runner's reported splits, ready for `domain.stats.summarise`, and their PBs.

    `checked` pairs each stored split with its rep of the session's workout; `bests`
    are the PBs it set against the runner's reports of earlier sessions.
    """

    runner: Runner
    checked: Checked
    total_ms: int | None
    bests: bests.Bests


@dataclass(frozen=True)
class ResultsBoard:
    group: GroupSettings
    session: SessionView
    board_at: datetime
    # Still the group's latest session: /report goes to it.
    latest: bool
    # Answered In and had a place when the session started, in queue order.
    going: tuple[Runner, ...]
    # Reported splits (no-show marks are not results), in the order they came in.
    results: tuple[RunnerResult, ...]
    no_shows: int


@dataclass(frozen=True)
class ReportCall:
    """What the "How did it go?" prompt and the private nudges need."""

    group: GroupSettings
    session: SessionView
    board_at: datetime
    # Said In and had a place, less anyone a coach already marked a no-show.
    going: tuple[Runner, ...]
    # Members with a result of any kind (reported or marked no-show).
    answered: frozenset[int]

    def to_nudge(self) -> tuple[Person, ...]:
        """Members who were In, have no result and can be messaged privately."""
        return tuple(
            runner.person
            for runner in self.going
            if runner.person.user_id not in self.answered and runner.person.can_dm
        )


class NoBoard(StrEnum):
    """Why there is no board to show."""

    NOT_SET_UP = "not_set_up"
    NO_SESSION = "no_session"  # none has started yet, or none on that date
    NOT_YET = "not_yet"  # the session on that date has not started
    CANCELLED = "cancelled"


class BoardRefused(Exception):
    def __init__(self, reason: NoBoard, session: SessionView | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.session = session


# --- when ---------------------------------------------------------------------------------


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(hours, minutes)


def board_time(row: Session, group: Group) -> datetime:
    """When the session's board goes out (and its reporting window closes), in UTC."""
    tz = group.timezone
    at = _clock(group.board_time)
    ends = row.starts_at + timedelta(minutes=group.duration_min)
    day = schedule.local_date(row.starts_at, tz) + timedelta(days=max(group.board_days_after, 0))
    instant = schedule.local_to_utc(day, at, tz)
    while instant <= ends:
        day += timedelta(days=1)
        instant = schedule.local_to_utc(day, at, tz)
    return instant


def nudge_time(session: SessionView, board_at: datetime) -> datetime | None:
    """When the private nudges go out; None when the window is too short for one."""
    at = board_at - NUDGE_LEAD
    return at if at > session.ends_at else None


async def _latest_started(session: AsyncSession, group_id: int, now: datetime) -> Session | None:
    return (
        await session.execute(
            select(Session)
            .where(
                Session.group_id == group_id,
                Session.starts_at <= now,
                Session.cancelled_at.is_(None),
            )
            .order_by(Session.starts_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def latest_started(
    session: AsyncSession, group_ids: Sequence[int], now: datetime
) -> dict[int, Session]:
    """For the scheduler: each group's latest session that has started and was not
    cancelled, in one query per thousand groups (a correlated lookup per group, by
    `ix_sessions_group_starts`)."""
    found: dict[int, Session] = {}
    earlier = aliased(Session)
    latest_id = (
        select(earlier.id)
        .where(
            earlier.group_id == Group.chat_id,
            earlier.starts_at <= now,
            earlier.cancelled_at.is_(None),
        )
        .order_by(earlier.starts_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    for chunk in chunks(group_ids):
        rows = await session.execute(
            select(Session).join(Group, Session.id == latest_id).where(Group.chat_id.in_(chunk))
        )
        found.update((row.group_id, row) for row in rows.scalars())
    return found


# --- loading ------------------------------------------------------------------------------


# A member as a board shows them, read as plain columns (cheaper than ORM objects).
MEMBER_COLUMNS = (
    Member.user_id,
    Member.first_name,
    Member.last_name,
    Member.username,
    Member.can_dm,
    Member.private,
)


def runner_of(row: Sequence[Any]) -> Runner:
    """A Runner from the MEMBER_COLUMNS at the start of a row."""
    user_id, first_name, last_name, username, can_dm, private = row[:6]
    return Runner(Person(user_id, first_name, last_name, username, can_dm, private), private)


async def _session_and_group(
    session: AsyncSession, session_id: int
) -> tuple[Session, Group] | None:
    row = (
        await session.execute(
            select(Session, Group)
            .join(Group, Group.chat_id == Session.group_id)
            .where(Session.id == session_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def _going(session: AsyncSession, row: Session, group: Group) -> tuple[Runner, ...]:
    """Who answered In and had a place (not on the waitlist), in queue order."""
    answers = (
        await session.execute(
            select(*MEMBER_COLUMNS, Rsvp.guests, Rsvp.in_since, Rsvp.guests_since)
            .join(Member, Member.user_id == Rsvp.user_id)
            .where(Rsvp.session_id == row.id, Rsvp.answer == Answer.IN)
        )
    ).all()
    runners = {answer.user_id: runner_of(answer) for answer in answers}
    allocation = allocate(
        (
            Reply(answer.user_id, Answer.IN, answer.guests, answer.in_since, answer.guests_since)
            for answer in answers
        ),
        group.capacity,
    )
    return tuple(
        runners[seat.user_id]
        for seat in allocation.going
        if seat.guest == 0 and seat.user_id in runners
    )


async def report_call(db: Database, session_id: int) -> ReportCall | None:
    """The session's prompt data: who was In, who has answered, who can be nudged."""
    async with db.sessions() as session:
        found = await _session_and_group(session, session_id)
        if found is None:
            return None
        row, group = found
        going = await _going(session, row, group)
        answered = (
            await session.execute(
                select(Result.user_id, Result.status).where(Result.session_id == row.id)
            )
        ).all()
        no_shows = {user_id for user_id, status in answered if status == NO_SHOW}
        return ReportCall(
            group_settings(group),
            session_view(row, group),
            board_time(row, group),
            tuple(runner for runner in going if runner.person.user_id not in no_shows),
            frozenset(user_id for user_id, _ in answered),
        )


def workout_reps(row: Session) -> list[Rep]:
    """The session's reps in running order (empty without a structured workout)."""
    return flatten_reps(workout_from_dict(row.workout)) if row.workout is not None else []


class StoredRep(NamedTuple):
    """One stored split (a `rep_times` row)."""

    position: int
    ms: int | None
    distance_m: float | None
    for_bests: bool


def rebuild_checked(
    reps: Sequence[Rep], stored: Iterable[StoredRep], shape: str | None, *, for_bests: bool = False
) -> Checked:
    """Stored splits as the Checked they were saved from (split i belongs to rep i).

    `for_bests` drops the distance of reps that never set distance bests (hills...),
    so `domain.bests` counts exactly what was stored as counting.
    """
    splits = tuple(
        CheckedSplit(
            rep.position,
            rep.ms,
            reps[rep.position] if rep.position < len(reps) else None,
            None if for_bests and not rep.for_bests else rep.distance_m,
        )
        for rep in stored
    )
    # A stored shape means a complete set; without one the set does not count for averages.
    return Checked(splits, None, None, None, shape)


class _Reported(NamedTuple):
    runner: Runner
    user_id: int
    shape: str | None
    total_ms: int | None
    reps: list[StoredRep]


async def _results(session: AsyncSession, row: Session) -> tuple[list[_Reported], int]:
    """Reported results with their reps and members (one query), and the no-show count."""
    rows = await session.execute(
        select(
            *MEMBER_COLUMNS,
            Result.id,
            Result.status,
            Result.shape,
            Result.total_ms,
            RepTime.position,
            RepTime.ms,
            RepTime.distance_m,
            RepTime.for_bests,
        )
        .join(Member, Member.user_id == Result.user_id)
        .outerjoin(RepTime, RepTime.result_id == Result.id)
        .where(Result.session_id == row.id)
        .order_by(Result.created_at, Result.id, RepTime.position)
    )
    by_result: dict[int, _Reported] = {}
    no_shows: set[int] = set()
    for found in rows:
        result_id, status, shape, total_ms, position, ms, distance_m, for_bests = found[6:]
        if status != REPORTED:
            no_shows.add(result_id)
            continue
        entry = by_result.get(result_id)
        if entry is None:
            entry = by_result[result_id] = _Reported(
                runner_of(found), found[0], shape, total_ms, []
            )
        if position is not None:
            entry.reps.append(StoredRep(position, ms, distance_m, bool(for_bests)))
    return list(by_result.values()), len(no_shows)


async def _still_latest(session: AsyncSession, row: Session, now: datetime) -> bool:
    """No later session of the group has started (so /report still goes to this one)."""
    if row.cancelled_at is not None:
        return False
    later = (
        await session.execute(
            select(func.count())
            .select_from(Session)
            .where(
                Session.group_id == row.group_id,
                Session.starts_at > row.starts_at,
                Session.starts_at <= now,
                Session.cancelled_at.is_(None),
            )
        )
    ).scalar_one()
    return later == 0


async def _board(session: AsyncSession, row: Session, group: Group, latest: bool) -> ResultsBoard:
    reps = workout_reps(row)
    results, no_shows = await _results(session, row)
    history = await best_marks.history_before(
        session, [result.user_id for result in results], row.starts_at
    )
    shown = []
    for result in results:
        checked = rebuild_checked(reps, result.reps, result.shape)
        counted = rebuild_checked(reps, result.reps, result.shape, for_bests=True)
        found = bests.find_bests(history.get(result.user_id, []), counted)
        shown.append(RunnerResult(result.runner, checked, result.total_ms, found))
    return ResultsBoard(
        group=group_settings(group),
        session=session_view(row, group),
        board_at=board_time(row, group),
        latest=latest,
        going=await _going(session, row, group),
        results=tuple(shown),
        no_shows=no_shows,
    )


async def results_board(db: Database, session_id: int, now: datetime) -> ResultsBoard | None:
    """The board of one session (for the scheduled post)."""
    async with db.sessions() as session:
        found = await _session_and_group(session, session_id)
        if found is None:
            return None
        row, group = found
        return await _board(session, row, group, await _still_latest(session, row, now))


async def board_for(
    db: Database, chat_id: int, now: datetime, on_date: date | None = None
) -> ResultsBoard:
    """The board `/results` shows: the latest session that has started, or the one on a date.

    Raises BoardRefused when there is none to show.
    """
    async with db.sessions() as session:
        group = (
            await session.execute(select(Group).where(Group.chat_id == chat_id))
        ).scalar_one_or_none()
        if group is None or not group.configured:
            raise BoardRefused(NoBoard.NOT_SET_UP)
        if on_date is None:
            row = await _latest_started(session, chat_id, now)
            if row is None:
                raise BoardRefused(NoBoard.NO_SESSION)
            return await _board(session, row, group, latest=True)
        if on_date > schedule.local_date(now, group.timezone):
            raise BoardRefused(NoBoard.NOT_YET)
        row = await _session_on(session, group, on_date)
        if row.starts_at > now:
            raise BoardRefused(NoBoard.NOT_YET, session_view(row, group))
        if row.cancelled_at is not None:
            raise BoardRefused(NoBoard.CANCELLED, session_view(row, group))
        return await _board(session, row, group, await _still_latest(session, row, now))


async def _session_on(session: AsyncSession, group: Group, on_date: date) -> Session:
    """The group's session held on a local date (a held one before a cancelled one)."""
    midnight = time(0, 0)
    rows = (
        await session.execute(
            select(Session)
            .where(
                Session.group_id == group.chat_id,
                Session.starts_at >= schedule.local_to_utc(on_date, midnight, group.timezone),
                Session.starts_at
                < schedule.local_to_utc(on_date + timedelta(days=1), midnight, group.timezone),
            )
            .order_by(Session.cancelled_at.is_not(None), Session.starts_at)
        )
    ).scalars()
    row = next(iter(rows), None)
    if row is None:
        raise BoardRefused(NoBoard.NO_SESSION)
    return row
