"""Holding statements ("dark site"): a post flag and the crisis release marker of a publication.

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-25 01:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('holding_statement', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('crisis_release_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_publications_crisis_release_id_crisis_modes'),
            'crisis_modes', ['crisis_release_id'], ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_publications_crisis_release_id_crisis_modes'), type_='foreignkey'
        )
        batch_op.drop_column('crisis_release_id')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('holding_statement')
