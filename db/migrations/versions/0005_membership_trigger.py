"""rsvps record the membership themselves (trigger), so a tap costs no extra statement

The RSVP fast path (db/rsvp_taps.py) stays within three statements per tap;
the membership a member's first answer in a group implies is written by the
database in the same transaction. NOTE for later migrations: SQLite batch
operations that recreate `rsvps` drop its triggers; recreate this one after.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 01:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORD = """
    INSERT INTO memberships (group_id, user_id, last_seen_at)
    SELECT group_id, NEW.user_id, NEW.updated_at FROM sessions WHERE id = NEW.session_id
    ON CONFLICT (group_id, user_id) DO NOTHING;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION record_membership() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + RECORD
            + " RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER rsvps_record_membership AFTER INSERT ON rsvps "
            "FOR EACH ROW EXECUTE FUNCTION record_membership()"
        )
    else:
        op.execute(
            "CREATE TRIGGER rsvps_record_membership AFTER INSERT ON rsvps BEGIN" + RECORD + " END"
        )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER rsvps_record_membership"
        + (" ON rsvps" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION record_membership()")
