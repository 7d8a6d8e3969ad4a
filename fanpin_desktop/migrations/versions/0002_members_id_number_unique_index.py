"""members: the unique identity number as a named unique index instead of a table constraint

The roster importer drops the index while it adds tens of thousands of members to an (almost)
empty table and builds it once afterwards, in the same transaction.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:17:39
"""
from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_members_id_number'), type_='unique')
        batch_op.create_index('uq_members_id_number', ['id_number'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index('uq_members_id_number')
        batch_op.create_unique_constraint(batch_op.f('uq_members_id_number'), ['id_number'])
