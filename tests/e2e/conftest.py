"""End to end: the real `python bot.py` process against the local fake Bot API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests.fake_api import DEFAULT_TOKEN, FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer

REPO = Path(__file__).resolve().parents[2]
GROUP = -1001234567890
COACH, ANN, BOB, CAT, DAN = 101, 102, 103, 104, 105


class BotProcess:
    """`python bot.py` with its environment pointed at the fake server and a temp database.

    Each run calls the fake as its own client (`FakeBotApiServer.client_url`), so calls
    name the run that made them and a killed run's calls still on the wire are lost.
    """

    def __init__(self, base_url: str, database_url: str, log_path: Path, name: str = "bot") -> None:
        self.env = {
            **os.environ,
            "BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_BASE_URL": base_url,
            "DATABASE_URL": database_url,
            "DEFAULT_TIMEZONE": "UTC",
            "LOG_LEVEL": "DEBUG",
            "ANNOUNCEMENT_EDIT_INTERVAL": "0.5",
            "SWEEP_INTERVAL": "5",
            "POLL_TIMEOUT": "1",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        self.log_path = log_path
        self.name = name
        self.runs = 0
        self.client = ""
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> str:
        """Start a run without waiting for it; returns the run's client name."""
        self.runs += 1
        self.client = f"{self.name}-{self.runs}"
        base = self.env["TELEGRAM_BASE_URL"].removesuffix("/bot")
        env = {**self.env, "TELEGRAM_BASE_URL": f"{base}/{self.client}/bot"}
        with self.log_path.open("ab") as log:
            log.write(f"--- run {self.client}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "bot.py"], cwd=REPO, env=env, stdout=log, stderr=log
            )
        return self.client

    def start(self, api: FakeTelegram) -> None:
        """Start a run and wait until it polls for updates."""
        mark = api.call_mark()
        client = self.launch()
        try:
            api.wait_for_call(
                "getUpdates", lambda c: c.client == client, timeout=30, after_index=mark
            )
        except AssertionError as late:
            raise AssertionError(f"{client} did not start polling\n{self.log()[-5000:]}") from late

    def kill_now(self, api: FakeTelegram) -> None:
        """SIGKILL this run; safe inside a tripwire's action (does not wait for the exit)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        api.disconnect(self.client)

    def reap(self) -> None:
        """Wait for a killed run to be gone."""
        assert self.process is not None
        self.process.wait(timeout=20)
        self.process = None

    def kill(self, api: FakeTelegram) -> None:
        self.kill_now(api)
        self.reap()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def api() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    for user_id, name in ((COACH, "Coach"), (ANN, "Ann"), (BOB, "Bob"), (CAT, "Cat"), (DAN, "Dan")):
        api.add_user(user_id, name)
    api.add_group(GROUP, "Tuesday Harriers", admins=[COACH], members=[ANN, BOB, CAT, DAN])
    yield api


@pytest.fixture
def server(api: FakeTelegram) -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(api) as running:
        yield running


Process = TypeVar("Process", bound=BotProcess)


def running(kind: type[Process], server: FakeBotApiServer, api: FakeTelegram, tmp_path: Path):
    """Start a bot of `kind` on a fresh SQLite file; stop it after, with a clean log."""
    process = kind(
        server.base_url, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", tmp_path / "bot.log"
    )
    process.start(api)
    yield process
    process.stop()
    log = process.log()
    assert "Traceback" not in log, log[-5000:]


@pytest.fixture
def bot(server: FakeBotApiServer, api: FakeTelegram, tmp_path: Path) -> Iterator[BotProcess]:
    yield from running(BotProcess, server, api, tmp_path)
