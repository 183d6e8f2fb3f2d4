"""`python -m benchmarks [--quick] [--only P2,P3]`: run the benchmarks, print one table.

Each benchmark runs on its own event loop with its own temporary databases, one after
the other, and returns its rows. The table (and the machine it ran on) is printed and
written as Markdown to `benchmarks/latest.md` (or `--output`). A missed goal is a "NO"
in the table, not a failure: the exit code is 0 unless a benchmark crashed (1).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import os
import platform
import sqlite3
import sys
import traceback
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import postgres
from benchmarks.measurement import Measurement

BENCHMARKS = {
    "P1": ("benchmarks.p1_rsvp", "P1 RSVP"),
    "P2": ("benchmarks.p2_burst", "P2 Burst"),
    "P3": ("benchmarks.p3_fanout", "P3 Fan-out"),
    "P4": ("benchmarks.p4_scale", "P4 Scale"),
}
HEADER = ("benchmark", "metric", "value", "goal", "met")
LATEST = Path(__file__).resolve().parent / "latest.md"

Runner = Callable[[bool], Coroutine[Any, Any, list[Measurement]]]


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller data, about a minute")
    parser.add_argument("--only", default="", help="comma-separated keys, e.g. P2,P3")
    parser.add_argument("--output", type=Path, default=LATEST, help="the Markdown file")
    arguments = parser.parse_args(argv)
    keys = [key.strip().upper() for key in arguments.only.split(",") if key.strip()]
    unknown = [key for key in keys if key not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    arguments.keys = keys or list(BENCHMARKS)
    return arguments


def _run_one(key: str, quick: bool) -> tuple[list[Measurement], bool]:
    """The benchmark's rows and whether it ran (False: it crashed)."""
    module_name, title = BENCHMARKS[key]
    try:
        module = importlib.import_module(module_name)
    except ImportError as missing:
        return [Measurement.skipped(title, f"not available: {missing}")], True
    run: Runner = module.run
    print(f"running {key} ({'quick' if quick else 'full'})…", file=sys.stderr, flush=True)
    try:
        return asyncio.run(run(quick)), True
    except Exception as error:
        traceback.print_exc()
        return [Measurement(title, "crashed", None, "", "", False, repr(error)[:200])], False
    finally:
        gc.collect()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line() -> str:
    """Where the figures come from: they only compare with figures from the same machine."""
    version = asyncio.run(postgres.server_version())
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {version or 'not reachable'}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def text_table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in (HEADER, *rows)) for i in range(len(HEADER))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in (HEADER, *rows)
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: Sequence[tuple[str, ...]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(HEADER), line(["---"] * len(HEADER)), *(line(row) for row in rows)])


def main(argv: Sequence[str]) -> int:
    arguments = _arguments(argv)
    measurements: list[Measurement] = []
    crashed = False
    for key in arguments.keys:
        rows, ran = _run_one(key, arguments.quick)
        measurements.extend(rows)
        crashed = crashed or not ran
    table = [measurement.row() for measurement in measurements]
    machine = machine_line()
    mode = "quick" if arguments.quick else "full"
    command = "python -m benchmarks" + (" --quick" if arguments.quick else "")
    if arguments.keys != list(BENCHMARKS):
        command += f" --only {','.join(arguments.keys)}"
    print(text_table(table))
    print(f"Machine: {machine}")
    arguments.output.write_text(
        f"`{command}` ({mode} run)\n\n{markdown_table(table)}\n\nMachine: {machine}\n"
    )
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
