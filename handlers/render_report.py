"""Texts for /report: the summary a runner gets back, and the count-mismatch question."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from db.results import ReportSaved
from domain.amounts import amount_text
from domain.bests import Bests
from domain.report import EXAMPLE
from domain.splits_check import Checked, CountMismatch
from domain.stats import Summary, summarise
from domain.times import format_ms
from domain.workout import Distance
from handlers.render import esc, when

USAGE = (
    "Usage: /report followed by your splits, e.g. "
    f"{esc(EXAMPLE)}\n"
    "• x or - for a skipped rep, total 21:30 for the whole set, # a note at the end\n"
    "• /report undo removes your report\n"
    "• coaches: reply to a member's message with /report 2:45 2:43 …, or /report @name …, "
    "and /report @name noshow"
)


def tenths(ms: int) -> str:
    """Computed times (paces, averages) to a tenth of a second: finer is noise."""
    return format_ms((ms + 50) // 100 * 100)


def _pace(ms: int | None, suffix: str) -> str:
    return f"{tenths(ms)}/{suffix}" if ms is not None else ""


def split_lines(summary: Summary) -> list[str]:
    lines = []
    for split in summary.splits:
        if split.ms is None:
            lines.append(f"{split.index + 1}. skipped")
            continue
        paces = [_pace(split.per_km_ms, "km"), _pace(split.per_mile_ms, "mi")]
        shown = ", ".join(p for p in paces if p)
        line = f"{split.index + 1}. {format_ms(split.ms)}"
        lines.append(f"{line}  ({shown})" if shown else line)
    return lines


def group_lines(summary: Summary) -> list[str]:
    lines = []
    for group in summary.groups:
        several = len(summary.groups) > 1 and group.amount is not None
        label = f"{amount_text(group.amount)} reps: " if several and group.amount else ""
        parts = [
            f"average {tenths(group.average_ms)}",
            f"fastest #{group.fastest_index + 1}",
            f"slowest #{group.slowest_index + 1}",
        ]
        if group.fade_ms is not None and group.fade_percent is not None:
            fade = tenths(abs(group.fade_ms))
            fade += "" if ":" in fade else " s"
            if group.fade_ms > 0:
                parts.append(f"fade +{fade} (+{group.fade_percent:.1f} %, slower at the end)")
            elif group.fade_ms < 0:
                parts.append(f"fade −{fade} (−{-group.fade_percent:.1f} %, faster at the end)")
            else:
                parts.append("no fade")
        if group.consistency is not None and group.variation_percent is not None:
            parts.append(f"{group.consistency} ({group.variation_percent:.1f} %)")
        lines.append(label + ", ".join(parts))
    return lines


def best_lines(found: Bests) -> list[str]:
    lines = []
    for rep in found.reps:
        before = "first one" if rep.previous is None else f"was {format_ms(rep.previous.ms)}"
        distance = amount_text(Distance(rep.distance_m))
        lines.append(f"🏅 PB {distance}: {format_ms(rep.ms)} ({before})")
    if found.average is not None:
        avg = found.average
        before = "first complete set" if avg.previous is None else f"was {tenths(avg.previous.ms)}"
        lines.append(f"🏅 Best average for {esc(avg.shape)}: {tenths(avg.ms)} ({before})")
    return lines


def saved_text(saved: ReportSaved, subject_name: str | None, comparison: Sequence[str] = ()) -> str:
    """The summary; ``comparison`` (splits against targets, or where they went) goes last."""
    summary = summarise(saved.checked)
    target = saved.target
    who = f" for {esc(subject_name)}" if subject_name else ""
    verb = "Updated" if saved.replaced else "Saved"
    lines = [
        f"✅ {verb}{who}: {esc(when(target.session.starts_at, target.group.timezone))}",
        *split_lines(summary),
    ]
    if summary.run:
        lines.extend(group_lines(summary))
    if saved.checked.total_ms is not None:
        lines.append(f"Total: {format_ms(saved.checked.total_ms)}")
    if saved.checked.note:
        lines.append(f"Note: {esc(saved.checked.note)}")
    lines.extend(best_lines(saved.bests))
    lines.extend(comparison)
    return "\n".join(lines)[:4096]


def mismatch_text(checked: Checked, mismatch: CountMismatch) -> str:
    return (
        f"🤔 The workout was {esc(mismatch.shape)}: {mismatch.expected} reps, "
        f"and you gave {mismatch.given} time{'s' if mismatch.given != 1 else ''}: "
        + ", ".join("x" if s.ms is None else format_ms(s.ms) for s in checked.splits)
        + ".\nSave it as it is? (Use x for a rep you skipped, e.g. /report 2:45 x 2:41.)"
    )


def confirm_keyboard(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Save as it is", callback_data=f"report:save:{token}"),
                InlineKeyboardButton("Cancel", callback_data=f"report:drop:{token}"),
            ]
        ]
    )
