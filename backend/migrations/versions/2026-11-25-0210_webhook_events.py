"""Webhook events: raw signed deliveries, unique per provider and dedupe key.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 02:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.kit.models

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('webhook_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('object', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('received_at', app.kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.Enum('received', 'processed', 'ignored', name='webhookeventstatus', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('processed_at', app.kit.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('messages_created', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events')),
    sa.UniqueConstraint('provider', 'dedupe_key', name=op.f('uq_webhook_events_provider_dedupe_key'))
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_events_status', ['status', 'received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_events_status')

    op.drop_table('webhook_events')
