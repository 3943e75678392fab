"""Publishing throughput: audit events may wait for the sequencer (link fields nullable, set
once), and the shared publishing throttle table (usage per platform scope, concurrency caps).

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-25 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.kit.models


revision: str = '0009'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LINK = ("seq", "prev_hash", "hash")
_CONTENT = (
    "id", "occurred_at", "organization_id", "clinic_id", "actor_id", "action", "target_type",
    "target_id", "ip", "details",
)  # fmt: skip


def upgrade() -> None:
    op.create_table('publishing_throttles',
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('usage_percent', sa.Float(), nullable=False),
    sa.Column('blocked_until', app.kit.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', app.kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_publishing_throttles'))
    )
    _drop_sqlite_triggers()
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
    _append_only(link_once=True)


def downgrade() -> None:
    # Pending events (not yet linked by the sequencer) cannot go back: run a worker first.
    _drop_sqlite_triggers()
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
    _append_only(link_once=False)
    op.drop_table('publishing_throttles')


def _drop_sqlite_triggers() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_events_no_{verb}")


def _append_only(*, link_once: bool) -> None:
    """The database refuses UPDATE and DELETE on audit events (SEC-24); with ``link_once`` the
    one allowed change is filling in the link fields of a pending event, nothing else."""
    new_link = " AND ".join(f"NEW.{c} IS NOT NULL" for c in _LINK)
    old_link = " AND ".join(f"OLD.{c} IS NULL" for c in _LINK)
    if op.get_bind().dialect.name == "postgresql":
        same = (
            f"({', '.join(f'NEW.{c}' for c in _CONTENT)}) IS NOT DISTINCT FROM "
            f"({', '.join(f'OLD.{c}' for c in _CONTENT)})"
        )
        allow = (
            f"IF TG_OP = 'UPDATE' AND {old_link} AND {new_link} AND {same} THEN RETURN NEW; END IF;"
            if link_once
            else ""
        )
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
            BEGIN
                {allow}
                RAISE EXCEPTION 'audit_events is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        return
    same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _CONTENT)
    when = f" WHEN NOT ({old_link} AND {new_link} AND {same})" if link_once else ""
    op.execute(
        f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events{when} "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    )
