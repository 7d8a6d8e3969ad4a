"""case procedure details: exclusions, special decision, rollback, review, origin, authorisation, responsible unit, income change

Only added columns (SQLite ADD COLUMN; batch mode does not copy the tables for these).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 09:57:52.648704
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authorisation_signed', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('from_national', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responsible_unit', sa.String(length=80), nullable=True))

    with op.batch_alter_table('monitoring_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exclusions', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('special_decision_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('special_decision_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('rollback_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('origin', sa.String(length=6), server_default='本地', nullable=False))

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('income_change', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('income_change')

    with op.batch_alter_table('monitoring_cases', schema=None) as batch_op:
        batch_op.drop_column('origin')
        batch_op.drop_column('review_note')
        batch_op.drop_column('reviewed_on')
        batch_op.drop_column('rollback_reason')
        batch_op.drop_column('special_decision_text')
        batch_op.drop_column('special_decision_on')
        batch_op.drop_column('exclusions')

    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_column('responsible_unit')

    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_column('from_national')
        batch_op.drop_column('authorisation_signed')

