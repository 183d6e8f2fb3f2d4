"""The /progress chart: average rep pace per session as a PNG, drawn with matplotlib (Agg).

Drawing takes a few tens of milliseconds of CPU, so handlers call `progress_png` through
`asyncio.to_thread`; a lock keeps matplotlib to one drawing at a time (it is not
thread-safe). matplotlib is imported on first use, so the bot starts without it, and its
cache goes to a temporary folder when the user's own config folder can't be written
(a fresh machine, a read-only home).
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from db.history import PaceSeries
from domain.amounts import amount_text
from domain.workout import Distance

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100  # 800 x 450 px
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#8250df")
MARKERS = ("o", "s", "^", "D")
_LOCK = threading.Lock()


def _config_dir_writable() -> bool:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    folder = Path(base) / "matplotlib"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _prepare_matplotlib() -> None:
    if "MPLCONFIGDIR" in os.environ or _config_dir_writable():
        return
    uid = getattr(os, "getuid", lambda: 0)()
    folder = Path(tempfile.gettempdir()) / f"speedsession-matplotlib-{uid}"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(folder)


def pace_label(seconds_per_km: float) -> str:
    """``3:20`` for an axis tick (whole seconds)."""
    minutes, seconds = divmod(round(seconds_per_km), 60)
    return f"{minutes}:{seconds:02d}"


def progress_png(series: Sequence[PaceSeries], title: str) -> bytes:
    """Each series as a line, faster paces higher up; PNG bytes of 800 x 450 px."""
    if not any(len(one.points) >= 2 for one in series):
        raise ValueError("a progress chart needs a distance run in two sessions")
    with _LOCK:
        return _draw(series, title)


def _draw(series: Sequence[PaceSeries], title: str) -> bytes:
    _prepare_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    every_pace: list[float] = []
    for index, one in enumerate(series):
        days: list[date] = [point.day for point in one.points]
        paces = [point.per_km_ms / 1000 for point in one.points]
        every_pace += paces
        axes.plot(
            days,  # type: ignore[arg-type]
            paces,
            color=COLOURS[index % len(COLOURS)],
            marker=MARKERS[index % len(MARKERS)],
            markersize=5,
            linewidth=2,
            label=amount_text(Distance(one.distance_m)) if len(series) > 1 else None,
        )
    if len(series) == 1:
        best = series[0].best
        axes.plot(
            [best.day],  # type: ignore[arg-type]
            [best.per_km_ms / 1000],
            linestyle="none",
            marker="*",
            markersize=16,
            color="#e3b341",
            markeredgecolor="#9a6700",
            label=f"Best {pace_label(best.per_km_ms / 1000)}/km",
        )
    low, high = min(every_pace), max(every_pace)
    margin = max((high - low) * 0.15, 2.0)
    axes.set_ylim(high + margin, low - margin)  # faster is better: up
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: pace_label(value)))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    locator = AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_ylabel("min per km (faster is higher)")
    axes.set_title(title, loc="left", fontsize=13, fontweight="bold")
    axes.grid(True, color="#d0d7de", linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="best", frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
