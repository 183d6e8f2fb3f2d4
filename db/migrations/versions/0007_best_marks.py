"""best_marks: each runner's bests as they stood over time, for the results board

The board measured PBs against every earlier rep of its runners (thousands of rows per
board in a season); `best_marks` keeps only the reports that set a best. Existing
reports are backfilled here with `domain.bests.marks`, the function the application
uses to rewrite them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 04:30:00
"""

from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

import db.types
from domain import bests

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
BATCH = 1000

# The tables as this revision knows them (not the models, which may change later).
results = sa.table(
    "results",
    sa.column("id", sa.Integer),
    sa.column("session_id", sa.Integer),
    sa.column("user_id", sa.BigInteger),
    sa.column("status", sa.String),
    sa.column("shape", sa.String),
)
sessions = sa.table(
    "sessions", sa.column("id", sa.Integer), sa.column("starts_at", db.types.UTCDateTime())
)
rep_times = sa.table(
    "rep_times",
    sa.column("result_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("ms", sa.BigInteger),
    sa.column("distance_m", sa.Float),
    sa.column("for_bests", sa.Boolean),
)


def upgrade() -> None:
    best_marks = op.create_table(
        "best_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("starts_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("distance_m", sa.Float(precision=53), nullable=True),
        sa.Column("shape", sa.String(length=300), nullable=True),
        sa.Column("ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["results.id"],
            name=op.f("fk_best_marks_result_id_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_best_marks")),
    )
    with op.batch_alter_table("best_marks", schema=None) as batch_op:
        batch_op.create_index("ix_best_marks_result", ["result_id"], unique=False)
        batch_op.create_index("ix_best_marks_user", ["user_id", "starts_at"], unique=False)
    assert best_marks is not None
    batch: list[dict[str, Any]] = []
    for row in _backfill():
        batch.append(row)
        if len(batch) == BATCH:
            op.bulk_insert(best_marks, batch)
            batch = []
    if batch:
        op.bulk_insert(best_marks, batch)


def _backfill() -> Iterator[dict[str, Any]]:
    """Every runner's marks, from their reported reps in the order they were run."""
    reps = op.get_bind().execute(
        sa.select(
            results.c.user_id,
            results.c.id,
            sessions.c.starts_at,
            results.c.shape,
            rep_times.c.ms,
            rep_times.c.distance_m,
            rep_times.c.for_bests,
        )
        .join(sessions, sessions.c.id == results.c.session_id)
        .join(rep_times, rep_times.c.result_id == results.c.id)
        .where(results.c.status == "reported")
        .order_by(results.c.user_id, sessions.c.starts_at, results.c.id, rep_times.c.position)
    )
    for user_id, user_reps in groupby(reps, key=lambda row: row.user_id):
        reports = [
            (result_id, list(report))
            for result_id, report in groupby(user_reps, key=lambda row: row.id)
        ]
        history = [_record(report) for _, report in reports]
        for index, mark in bests.marks(history):
            result_id, report = reports[index]
            yield {
                "result_id": result_id,
                "user_id": user_id,
                "starts_at": report[0].starts_at,
                "distance_m": mark.distance_m,
                "shape": mark.shape,
                "ms": mark.ms,
            }


def _record(report: list[Any]) -> bests.SessionRecord:
    reps = tuple(bests.RepTime(row.distance_m if row.for_bests else None, row.ms) for row in report)
    complete = all(rep.ms is not None for rep in reps)
    return bests.SessionRecord(
        report[0].starts_at.date(), report[0].shape if complete else None, reps
    )


def downgrade() -> None:
    with op.batch_alter_table("best_marks", schema=None) as batch_op:
        batch_op.drop_index("ix_best_marks_user")
        batch_op.drop_index("ix_best_marks_result")
    op.drop_table("best_marks")
