"""Rebuild the JobQueue from the database: the database is the truth, jobs only wake us.

Per group there are at most six jobs, named by group so that a re-plan
replaces them: the announcement and the reminder of its next session (due
now if their time passed while the bot was down, as long as the session has
not started), and a roll-over at the session start that closes the buttons
and plans the following week. For the latest session that has started (the
one members report for) there are three more, see `jobs.results_posts`: the
"How did it go?" prompt at its end (only until the board time), the private
nudges `NUDGE_LEAD` before the board time, and the results board at the board
time (once, however late). A repeating sweep re-plans everything as a safety
net. Posting itself is idempotent (claimed in the database), so a job that
fires twice, or on two replicas, never posts twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Job, JobQueue

from db import boards, sessions
from db.views import PostPlan, SessionView
from handlers.context import BotContext
from handlers.services import Services
from jobs import posts, results_posts

log = logging.getLogger(__name__)

# Run however late the event loop wakes us: APScheduler's default grace of 1 s
# would silently skip a post after a busy moment.
NEVER_MISFIRE: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}
ROLLOVER_DELAY = timedelta(seconds=1)
RESULTS_JOBS = ("prompt", "nudge", "board")
# Scheduled posts running at once. A thousand groups due in the same minute would all
# queue for the database before the first message went out (benchmarks/p3_fanout.py);
# this many keep the flood limiter's 30 messages per second busy.
POSTS_AT_ONCE = 32
POST_SLOTS_KEY = "post_slots"


def _services(context: BotContext) -> Services:
    return context.services


def _session_id(context: BotContext) -> int:
    job = context.job
    assert job is not None and isinstance(job.data, int)
    return job.data


def _post_slot(context: BotContext) -> asyncio.Semaphore:
    """The application's limit on posts at once (made on first use, in its event loop)."""
    slots = context.bot_data.get(POST_SLOTS_KEY)
    if not isinstance(slots, asyncio.Semaphore):
        slots = context.bot_data[POST_SLOTS_KEY] = asyncio.Semaphore(POSTS_AT_ONCE)
    return slots


async def _announce(context: BotContext) -> None:
    async with _post_slot(context):
        await posts.post_announcement(context.bot, _services(context), _session_id(context))


async def _remind(context: BotContext) -> None:
    async with _post_slot(context):
        await posts.post_reminder(context.bot, _services(context), _session_id(context))


async def _prompt(context: BotContext) -> None:
    async with _post_slot(context):
        await results_posts.post_report_prompt(
            context.bot, _services(context), _session_id(context)
        )


async def _nudge(context: BotContext) -> None:
    async with _post_slot(context):
        await results_posts.post_report_nudges(
            context.bot, _services(context), _session_id(context)
        )


async def _board(context: BotContext) -> None:
    async with _post_slot(context):
        await results_posts.post_results_board(
            context.bot, _services(context), _session_id(context)
        )


async def _rollover(context: BotContext) -> None:
    """At the start: close the buttons and plan next week."""
    services = _services(context)
    job = context.job
    assert job is not None and isinstance(job.chat_id, int)
    if services.refresher is not None:
        await services.refresher.refresh_now(_session_id(context))
    await sync_group(context.job_queue, services, job.chat_id)


async def _sweep(context: BotContext) -> None:
    await rebuild(context.job_queue, _services(context))


def _replace(
    job_queue: JobQueue[Any],
    name: str,
    callback: Any,
    when: datetime,
    plan: PostPlan,
    session: SessionView | None = None,
) -> Job[BotContext]:
    """(Re)schedule the job `name` for `session` (default: the plan's next session)."""
    _remove(job_queue, name)
    session = session or plan.session
    return job_queue.run_once(
        callback,
        when=when,
        data=session.id,
        chat_id=session.group_id,
        name=name,
        job_kwargs={**NEVER_MISFIRE, "id": name, "replace_existing": True},
    )


def _remove(job_queue: JobQueue[Any], name: str) -> None:
    """Unschedule the job `name`, found by id (its name): `get_jobs_by_name` wraps and
    matches every job, which made a rebuild of a thousand groups take 20 s (benchmark P4)."""
    job = job_queue.scheduler.get_job(name)
    if job is not None:
        job.remove()


def schedule_plan(job_queue: JobQueue[Any], plan: PostPlan, now: datetime) -> None:
    session = plan.session
    group_id = session.group_id
    live = not session.cancelled and session.starts_at > now
    if live and not plan.announced:
        _replace(job_queue, f"announce:{group_id}", _announce, max(session.announce_at, now), plan)
    else:
        _remove(job_queue, f"announce:{group_id}")
    if live and not plan.reminded:
        _replace(job_queue, f"remind:{group_id}", _remind, max(session.reminder_at, now), plan)
    else:
        _remove(job_queue, f"remind:{group_id}")
    _replace(
        job_queue,
        f"rollover:{group_id}",
        _rollover,
        max(session.starts_at, now) + ROLLOVER_DELAY,
        plan,
    )
    _schedule_results(job_queue, plan, now)


def _schedule_results(job_queue: JobQueue[Any], plan: PostPlan, now: datetime) -> None:
    """The prompt, nudges and board of the latest session that has started."""
    group_id = plan.session.group_id
    last, board_at, done = plan.reporting, plan.board_at, plan.reporting_posts
    if last is None or board_at is None:
        for kind in RESULTS_JOBS:
            _remove(job_queue, f"{kind}:{group_id}")
        return
    if boards.REPORT_PROMPT not in done and now < board_at:
        _replace(job_queue, f"prompt:{group_id}", _prompt, max(last.ends_at, now), plan, last)
    else:
        _remove(job_queue, f"prompt:{group_id}")
    nudge_at = boards.nudge_time(last, board_at)
    if boards.NUDGE_ROUND not in done and nudge_at is not None and now < board_at:
        _replace(job_queue, f"nudge:{group_id}", _nudge, max(nudge_at, now), plan, last)
    else:
        _remove(job_queue, f"nudge:{group_id}")
    if boards.RESULTS_BOARD not in done:
        _replace(job_queue, f"board:{group_id}", _board, max(board_at, now), plan, last)
    else:
        _remove(job_queue, f"board:{group_id}")


def unschedule_group(job_queue: JobQueue[Any], group_id: int) -> None:
    for kind in ("announce", "remind", "rollover", *RESULTS_JOBS):
        _remove(job_queue, f"{kind}:{group_id}")


async def sync_group(job_queue: JobQueue[Any] | None, services: Services, group_id: int) -> None:
    """Re-plan one group after its settings or its next session changed."""
    if job_queue is None:
        return
    plan = await sessions.plan_group(services.db, group_id, services.now())
    if plan is None:
        unschedule_group(job_queue, group_id)
    else:
        schedule_plan(job_queue, plan, services.now())


async def rebuild(job_queue: JobQueue[Any] | None, services: Services) -> int:
    """(Re)create the jobs of every active group; returns how many groups were planned."""
    if job_queue is None:
        return 0
    now = services.now()
    plans = await sessions.plan_all(services.db, now)
    for plan in plans:
        schedule_plan(job_queue, plan, now)
    log.info("planned %d group(s)", len(plans))
    return len(plans)


def start_sweeping(job_queue: JobQueue[Any], interval: float) -> None:
    job_queue.run_repeating(
        _sweep, interval=interval, first=interval, name="sweep", job_kwargs=NEVER_MISFIRE
    )


def stop_starting(job_queue: JobQueue[Any] | None) -> None:
    """The bot is stopping: start no more jobs; those running go on and are waited for.

    `Application.stop()` waits only for the jobs running when it reaches the JobQueue; any
    started since (a sweep, a post falling due while a flood wait holds the stop) is then
    cancelled by APScheduler, which logs a traceback, while PTB's shield lets the callback
    run on as the bot shuts down under it: a post could go out and never be recorded.
    Whatever did not start is planned again by the next run.
    """
    if job_queue is not None and job_queue.scheduler.running:
        job_queue.scheduler.pause()
