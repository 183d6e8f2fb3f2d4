"""One row of the benchmark table: a figure, its goal, and whether the goal was met."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    benchmark: str  # "P1 RSVP (SQLite)"
    metric: str  # "taps per second"
    value: float | None  # None when there is no figure (a skipped row)
    unit: str  # "taps/s", "x bare", "ms", "MB", "count"
    goal: str  # "≥ 2000", "≤ 5x"; "" when the row only reports
    met: bool | None  # None when there is no goal
    detail: str = ""  # shown after the figure: "p50 3.1 ms", or why a row was skipped

    @classmethod
    def skipped(cls, benchmark: str, why: str) -> Measurement:
        """A row saying a benchmark could not run here (no server, not written yet)."""
        return cls(benchmark, "skipped", None, "", "", None, why)

    def row(self) -> tuple[str, str, str, str, str]:
        cell = self.detail
        if self.value is not None:
            whole = float(self.value).is_integer() or abs(self.value) >= 100
            figure = f"{self.value:,.0f}" if whole else f"{self.value:,.2f}"
            figure = f"{figure} {self.unit}".strip()
            cell = f"{figure} ({self.detail})" if self.detail else figure
        verdict = "" if self.met is None else ("yes" if self.met else "NO")
        return (self.benchmark, self.metric, cell, self.goal, verdict)
