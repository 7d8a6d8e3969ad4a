"""households national per-capita income: 人均纯收入 as the national system reports it, and its year

Only added columns (SQLite ADD COLUMN; batch mode does not copy the table for these).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:33:29.408077
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_per_capita_income', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('national_income_year', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('national_income_year')
        batch_op.drop_column('national_per_capita_income')
