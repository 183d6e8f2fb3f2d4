"""P4: a whole season for a thousand groups, on SQLite and on PostgreSQL.

For each backend a season is generated into a fresh database (`benchmarks.season`:
1,000 groups × 40 members × 52 weeks; 50 groups with `--quick`), then measured with
the real use cases of `db/`:

* the results board (`/results`), `/me`, `/pb` and `/attendance`: p50 and p99 over
  random groups or members, goal p99 < 20 ms; `/export` (the season's attendance and
  every rep as the two CSV files) for one group: goal p99 < 1 s;
* SQL statements per call, for a 4-member group with 4 weeks and a 40-member one with
  52 (counted with SQLAlchemy's `before_cursor_execute`): goal the same for both;
* start-up: the bot's whole `on_startup` (migrations checked, menus, every group's jobs
  rebuilt from the database), goal < 2 s;
* idle memory: the real `python bot.py` process on the season, long-polling the test
  suite's local fake Bot API, its VmRSS from /proc a few seconds after its first poll:
  goal < 150 MB.

The PostgreSQL rows are skipped when no server answers. Its database is dropped at the
end, the SQLite file lives in a temporary folder: nothing is kept between runs.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks import postgres
from benchmarks.harness import settings
from benchmarks.measurement import Measurement
from benchmarks.season import Season, write_postgres, write_sqlite
from benchmarks.stub_api import StubBotApi
from bot import build_application, on_shutdown, on_startup, on_stop
from db import attendance, boards, export, history
from db.engine import Database
from db.migrate import upgrade_to_head_async
from tests.fake_api import DEFAULT_TOKEN, FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

REPO = Path(__file__).resolve().parents[1]
VIEW_GOAL_MS = 20.0
EXPORT_GOAL_MS = 1000.0
STARTUP_GOAL_S = 2.0
MEMORY_GOAL_MB = 150.0
IDLE_S = 5.0
STARTUP_WAIT_S = 120
WARM_UP = 5

View = Callable[[Database, int, datetime, int], Awaitable[Any]]


async def results_board(db: Database, chat_id: int, now: datetime, year: int) -> Any:
    return await boards.board_for(db, chat_id, now)


async def me(db: Database, user_id: int, now: datetime, year: int) -> Any:
    return await history.recent_sessions(db, user_id, history.RECENT_PRIVATE)


async def pb(db: Database, user_id: int, now: datetime, year: int) -> Any:
    return await history.personal_bests(db, user_id)


async def season_attendance(db: Database, chat_id: int, now: datetime, year: int) -> Any:
    return await attendance.season_attendance(db, chat_id, now, year)


async def season_export(db: Database, chat_id: int, now: datetime, year: int) -> Any:
    """What /export computes: the season's attendance and reps, as the two CSV files."""
    season = await attendance.season_attendance(db, chat_id, now, year)
    assert season is not None
    reps = await export.season_reps(db, chat_id, year, now)
    return export.results_csv(reps), export.attendance_csv(season)


@dataclass(frozen=True)
class Query:
    name: str
    view: View
    per_group: bool  # sampled over groups (else over members)
    goal_ms: float
    share: float = 1.0  # of the samples: an export costs as much as a hundred views


QUERIES = (
    Query("results board", results_board, True, VIEW_GOAL_MS),
    Query("/me", me, False, VIEW_GOAL_MS),
    Query("/pb", pb, False, VIEW_GOAL_MS),
    Query("/attendance", season_attendance, True, VIEW_GOAL_MS),
    Query("/export (a season of one group)", season_export, True, EXPORT_GOAL_MS, 0.25),
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def latencies(
    db: Database, query: Query, season: Season, now: datetime, samples: int
) -> list[float]:
    """Milliseconds per call, over random groups or members (after a few warm-up calls)."""
    rng = random.Random(query.name)
    pool = season.groups if query.per_group else season.members
    targets = [rng.choice(pool) for _ in range(max(10, int(samples * query.share)) + WARM_UP)]
    timings = []
    for target in targets:
        started = time.perf_counter()
        await query.view(db, target, now, season.year)
        timings.append((time.perf_counter() - started) * 1000)
    return timings[WARM_UP:]


async def statements(db: Database, query: Query, target: int, now: datetime, year: int) -> int:
    """SQL statements one call sends to the database."""
    count = 0

    def counted(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", counted)
    try:
        await query.view(db, target, now, year)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", counted)
    return count


async def startup_seconds(url: str) -> float:
    """The bot's on_startup on this database: migrations checked, menus, jobs rebuilt."""
    app = build_application(settings(url), request=StubBotApi())
    await app.initialize()
    started = time.perf_counter()
    try:
        await on_startup(app)
        return time.perf_counter() - started
    finally:
        await on_stop(app)
        await app.shutdown()
        await on_shutdown(app)


def vm_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _wait_for_start(process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Until the bot logs that its schedules are rebuilt (bot.on_startup's last line)."""
    for _ in range(STARTUP_WAIT_S * 10):
        if "started: " in log_path.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"bot.py did not start: {log_path.read_text(errors='replace')[-2000:]}")


def idle_process(url: str, log_path: Path) -> tuple[float, float]:
    """`python bot.py` on the season: (seconds until started, idle VmRSS in MB)."""
    with FakeBotApiServer(FakeTelegram()) as server, log_path.open("wb") as log:
        env = {
            **os.environ,
            "BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_BASE_URL": server.base_url,
            "DATABASE_URL": url,
            "NO_PROXY": "127.0.0.1,localhost",
        }
        launched = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "bot.py"], cwd=REPO, env=env, stdout=log, stderr=log
        )
        try:
            _wait_for_start(process, log_path)
            started = time.perf_counter() - launched
            time.sleep(IDLE_S)
            if process.poll() is not None:
                raise RuntimeError(f"bot.py exited: {log_path.read_text()[-2000:]}")
            return started, vm_rss_mb(process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def measure(
    backend: str, url: str, season: Season, generated_s: float, samples: int, folder: Path
) -> list[Measurement]:
    name = f"P4 Scale ({backend})"
    groups = len(season.groups)
    rows = [
        Measurement(
            name,
            f"season generated: {groups:,} groups × 40 members × 52 weeks",
            generated_s,
            "s",
            "",
            None,
            f"{sum(season.rows.values()):,} rows, {season.rows['rep_times']:,} reps",
        )
    ]
    now = datetime.now(UTC)
    db = Database.connect(url)
    try:
        counts = []
        for query in QUERIES:
            small = season.small_group if query.per_group else season.small_member
            large = season.groups[0] if query.per_group else season.members[0]
            small_count = await statements(db, query, small, now, season.year)
            large_count = await statements(db, query, large, now, season.year)
            counts.append((query.name, small_count, large_count))
            timings = await latencies(db, query, season, now, samples)
            p99 = percentile(timings, 0.99)
            rows.append(
                Measurement(
                    name,
                    f"{query.name} p99 over {len(timings)}",
                    p99,
                    "ms",
                    f"< {query.goal_ms:,.0f} ms",
                    p99 < query.goal_ms,
                    f"p50 {percentile(timings, 0.5):.1f} ms",
                )
            )
        changed = [
            f"{query}: {small} vs {large}" for query, small, large in counts if small != large
        ]
        rows.append(
            Measurement(
                name,
                "SQL statements per call, 4 vs 40 members",
                len(changed),
                "queries differ",
                "0",
                not changed,
                "; ".join(changed) or ", ".join(f"{query} {small}" for query, small, _ in counts),
            )
        )
    finally:
        await db.dispose()
    started = await startup_seconds(url)
    rows.append(
        Measurement(
            name,
            f"start-up, {groups + 1:,} groups' jobs rebuilt",
            started,
            "s",
            f"< {STARTUP_GOAL_S:.0f} s",
            started < STARTUP_GOAL_S,
        )
    )
    launched, rss = await asyncio.to_thread(idle_process, url, folder / f"{backend}.log")
    rows.append(
        Measurement(
            name,
            "idle memory of `python bot.py` (VmRSS)",
            rss,
            "MB",
            f"< {MEMORY_GOAL_MB:.0f} MB",
            rss < MEMORY_GOAL_MB,
            f"started {launched:.1f} s after launch",
        )
    )
    return rows


async def run(quick: bool) -> list[Measurement]:
    groups, samples = (50, 50) if quick else (1_000, 200)
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "season.db"
        url = f"sqlite+aiosqlite:///{path}"
        await upgrade_to_head_async(url)
        started = time.perf_counter()
        season = await asyncio.to_thread(write_sqlite, str(path), groups, datetime.now(UTC))
        generated = time.perf_counter() - started
        rows += await measure("SQLite", url, season, generated, samples, Path(folder))
        if await postgres.server_version() is None:
            rows.append(Measurement.skipped("P4 Scale (PostgreSQL)", "no server answers"))
            return rows
        async with postgres.temporary_database("speedbot_bench") as dsn:
            url = postgres.sqlalchemy_url(dsn)
            await upgrade_to_head_async(url)
            started = time.perf_counter()
            season = await write_postgres(dsn, groups, datetime.now(UTC))
            generated = time.perf_counter() - started
            rows += await measure("PostgreSQL", url, season, generated, samples, Path(folder))
    return rows
