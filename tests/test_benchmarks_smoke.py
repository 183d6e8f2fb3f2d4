"""The benchmark runner still runs: `python -m benchmarks --quick --only P2` prints its table.

No timing is asserted here (goals are the benchmarks' business, see README); this only
keeps the suite from rotting unnoticed as the code it drives changes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
P2_ROWS = (
    "taps answered",
    "taps committed as tapped",
    "edits of the announcement",
    "answers 429 (flood limit)",
    "final announcement = committed state",
)


def test_the_runner_prints_the_p2_rows_and_writes_them_as_markdown(tmp_path: Path) -> None:
    output = tmp_path / "latest.md"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "P2", "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].split("|")[0].strip() == "benchmark"
    rows = [line for line in lines if line.startswith("P2 Burst")]
    assert [row.split("|")[1].strip() for row in rows] == list(P2_ROWS)
    assert all(len(row.split("|")) == 5 for row in rows)
    assert lines[-1].startswith("Machine: ")
    markdown = output.read_text()
    assert "| benchmark | metric | value | goal | met |" in markdown
    assert all(f"| {metric} |" in markdown for metric in P2_ROWS)
