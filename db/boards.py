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
the history the personal bests compare with (one query for everyone on the board). Each
one is served by an index: `uq_results_session_id` (session_id, user_id),
`pk_rep_times` (result_id, position), `pk_rsvps` (session_id, user_id),
`ix_results_user` (user_id, session_id) and `ix_sessions_group_starts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.convert import group_settings, person, session_view
from db.engine import Database
from db.models import Group, Member, Post, RepTime, Result, Rsvp, Session
from db.views import GroupSettings, Person, SessionView
from domain import bests, schedule
from domain.notation import workout_from_dict
from domain.rsvp import Answer, Reply, allocate
from domain.splits_check import Checked, CheckedSplit
from domain.workout import Rep, flatten_reps

REPORTED = "reported"  # the statuses of db.results
NO_SHOW = "no_show"

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


@dataclass(frozen=True)
class ReportingState:
    """The latest session that has started, when its board goes out, which posts are done."""

    session: SessionView
    board_at: datetime
    done: frozenset[str]


async def reporting_state(
    session: AsyncSession, group: Group, now: datetime
) -> ReportingState | None:
    """For the scheduler: the group's latest started session and its results posts."""
    row = await _latest_started(session, group.chat_id, now)
    if row is None:
        return None
    kinds = (
        await session.execute(
            select(Post.kind).where(
                Post.session_id == row.id,
                Post.chat_id == group.chat_id,
                Post.kind.in_(RESULTS_KINDS),
                Post.sent_at.is_not(None),
            )
        )
    ).scalars()
    return ReportingState(session_view(row, group), board_time(row, group), frozenset(kinds))


# --- loading ------------------------------------------------------------------------------


def _runner(member: Member) -> Runner:
    return Runner(person(member), member.private)


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
            select(Rsvp, Member)
            .join(Member, Member.user_id == Rsvp.user_id)
            .where(Rsvp.session_id == row.id, Rsvp.answer == Answer.IN)
        )
    ).all()
    members = {rsvp.user_id: member for rsvp, member in answers}
    allocation = allocate(
        (
            Reply(rsvp.user_id, Answer(rsvp.answer), rsvp.guests, rsvp.in_since, rsvp.guests_since)
            for rsvp, _ in answers
        ),
        group.capacity,
    )
    return tuple(
        _runner(members[seat.user_id])
        for seat in allocation.going
        if seat.guest == 0 and seat.user_id in members
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


def rebuild_checked(
    reps: Sequence[Rep], stored: Iterable[RepTime], shape: str | None, *, for_bests: bool = False
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


async def _history(
    session: AsyncSession, user_ids: Sequence[int], before: datetime
) -> dict[int, list[bests.SessionRecord]]:
    """Every runner's reports of sessions that started before `before`, in one query."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(
            Result.id,
            Result.user_id,
            Result.shape,
            Session.starts_at,
            RepTime.ms,
            RepTime.distance_m,
            RepTime.for_bests,
        )
        .join(Session, Session.id == Result.session_id)
        .join(RepTime, RepTime.result_id == Result.id)
        .where(
            Result.user_id.in_(user_ids),
            Result.status == REPORTED,
            Session.starts_at < before,
        )
        .order_by(Result.user_id, Session.starts_at, Result.id, RepTime.position)
    )
    grouped: dict[int, tuple[int, str | None, date, list[bests.RepTime]]] = {}
    for result_id, user_id, shape, starts_at, ms, distance_m, counts in rows.all():
        entry = grouped.setdefault(result_id, (user_id, shape, starts_at.date(), []))
        entry[3].append(bests.RepTime(distance_m if counts else None, ms))
    history: dict[int, list[bests.SessionRecord]] = {}
    for user_id, shape, day, reps in grouped.values():
        # A shape is stored only for complete sets; guard against a hand-edited row.
        complete = shape if reps and all(rep.ms is not None for rep in reps) else None
        history.setdefault(user_id, []).append(bests.SessionRecord(day, complete, tuple(reps)))
    return history


async def _results(
    session: AsyncSession, row: Session
) -> tuple[list[tuple[Runner, Result, list[RepTime]]], int]:
    """Reported results with their reps and members (one query), and the no-show count."""
    rows = await session.execute(
        select(Result, Member, RepTime)
        .join(Member, Member.user_id == Result.user_id)
        .outerjoin(RepTime, RepTime.result_id == Result.id)
        .where(Result.session_id == row.id)
        .order_by(Result.created_at, Result.id, RepTime.position)
    )
    by_result: dict[int, tuple[Runner, Result, list[RepTime]]] = {}
    no_shows: set[int] = set()
    for result, member, rep in rows.all():
        if result.status != REPORTED:
            no_shows.add(result.id)
            continue
        entry = by_result.setdefault(result.id, (_runner(member), result, []))
        if rep is not None:
            entry[2].append(rep)
    return list(by_result.values()), len(no_shows)


async def _board(session: AsyncSession, row: Session, group: Group, now: datetime) -> ResultsBoard:
    reps = workout_reps(row)
    results, no_shows = await _results(session, row)
    history = await _history(session, [result.user_id for _, result, _ in results], row.starts_at)
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
    shown = []
    for runner, result, stored in results:
        checked = rebuild_checked(reps, stored, result.shape)
        counted = rebuild_checked(reps, stored, result.shape, for_bests=True)
        found = bests.find_bests(history.get(result.user_id, []), counted)
        shown.append(RunnerResult(runner, checked, result.total_ms, found))
    return ResultsBoard(
        group=group_settings(group),
        session=session_view(row, group),
        board_at=board_time(row, group),
        latest=later == 0 and row.cancelled_at is None,
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
        return await _board(session, found[0], found[1], now)


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
        else:
            if on_date > schedule.local_date(now, group.timezone):
                raise BoardRefused(NoBoard.NOT_YET)
            row = await _session_on(session, group, on_date)
            if row.starts_at > now:
                raise BoardRefused(NoBoard.NOT_YET, session_view(row, group))
            if row.cancelled_at is not None:
                raise BoardRefused(NoBoard.CANCELLED, session_view(row, group))
        return await _board(session, row, group, now)


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
