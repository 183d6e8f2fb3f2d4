"""PostgreSQL restarted under the running bot: friendly "try again", then it reconnects.

The test runs its own throwaway cluster (initdb + pg_ctl into a temporary directory, on a
free port, trust auth): the machine's shared server is never touched. The cluster is
stopped with `-m immediate` (a crash: acknowledged commits must come back from the WAL)
in the middle of a round of taps, users tap and send /in while it is down, and it is
started again on the same port.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from handlers.errors import DATABASE_DOWN
from tests.e2e.conftest import ANN, BOB, CAT, COACH, DAN, GROUP, BotProcess
from tests.e2e.support import TapLedger, announcements
from tests.e2e.test_weekly_story import say
from tests.fake_api import FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

RUNNERS = (ANN, BOB, CAT, DAN)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A private PostgreSQL cluster; run as the `postgres` user when the tests run as root."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def command(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            self.command(tool, *args), capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, f"{tool} failed: {result.stdout}{result.stderr}"

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def committed_answers(self, chat: int) -> dict[int, str]:
        async def fetch() -> dict[int, str]:
            connection = await asyncpg.connect(self.dsn, timeout=10)
            try:
                rows = await connection.fetch(
                    "SELECT r.user_id, r.answer FROM rsvps r"
                    " JOIN sessions s ON s.id = r.session_id WHERE s.group_id = $1",
                    chat,
                )
            finally:
                await connection.close()
            return {int(row["user_id"]): str(row["answer"]) for row in rows}

        return asyncio.run(fetch())


def postgres_binaries() -> Path | None:
    """The newest installed server binaries that can make a cluster, if any."""
    found = sorted(
        (path for path in Path("/usr/lib/postgresql").glob("*/bin") if (path / "initdb").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not found or (os.geteuid() == 0 and shutil.which("runuser") is None):
        return None
    return found[-1]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = postgres_binaries()
    if bin_dir is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI needs them")
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="speedbot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    running = Cluster(bin_dir, root)
    try:
        running.create()
        running.start()
        yield running
    finally:
        stop = running.command("pg_ctl", "-D", str(running.data), "-m", "immediate", "stop")
        subprocess.run(stop, capture_output=True, timeout=60)  # may be stopped already
        shutil.rmtree(root, ignore_errors=True)


def test_postgres_restart_asks_users_to_retry_and_loses_nothing_acknowledged(
    server: FakeBotApiServer, api: FakeTelegram, cluster: Cluster, tmp_path: Path
) -> None:
    url = cluster.dsn.replace("postgresql://", "postgresql+asyncpg://")
    bot = BotProcess(server.base_url, url, tmp_path / "bot.log")
    bot.start(api)
    try:
        say(api, COACH, "/set day tue", "Saved")
        say(api, COACH, "/announce", "Speed session")
        (announcement,) = announcements(api, GROUP)
        ledger = TapLedger(api, GROUP, announcement.message_id, RUNNERS, seed=5)
        for _ in range(3):
            ledger.tap_idle()
            api.wait_until(ledger.collect, 15, "a round of taps")
        assert all(tap.acked for tap in ledger.all_taps())

        # The server crashes while a round of taps is being saved.
        ledger.tap_idle()
        cluster.stop("immediate")
        api.wait_until(ledger.collect, 30, "the round the crash cut through")
        ledger.tap_idle()
        api.wait_until(ledger.collect, 30, "a round while the database is down")
        while_down = [taps[-1].reply for taps in ledger.taps.values()]
        assert while_down == [DATABASE_DOWN] * len(RUNNERS)
        assert DATABASE_DOWN in (say(api, COACH, "/in", "try again").plain_text or "")

        # Back up on the same port, from its WAL: every acknowledged answer is there.
        cluster.start()
        assert not ledger.violations(cluster.committed_answers(GROUP))
        # The pool reconnects and the next taps are saved.
        ledger.tap_idle()
        api.wait_until(ledger.collect, 30, "the first round after the restart")
        assert all(taps[-1].acked for taps in ledger.taps.values()), ledger.unexpected_replies()
        committed = cluster.committed_answers(GROUP)
        assert committed == {user: taps[-1].answer for user, taps in ledger.taps.items()}
        assert not ledger.unexpected_replies(allowed=(DATABASE_DOWN,))
        log = bot.log()  # before the stop: SIGTERM during a job is logged by APScheduler
    finally:
        bot.stop()
    assert "WARNING speedsession.errors" in log and "the database is unavailable" in log
    errors = [line for line in log.splitlines() if " ERROR " in line]
    assert not errors, errors[:5]
