"""calendar_days and calendar_years: the holidays the clerk enters for years chinese_calendar does not know

A year's days count for working-day deadlines only once its calendar_years row says the clerk has
finished entering them. New tables only, so no batch mode is needed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 09:25:49
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calendar_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=6), nullable=False),
        sa.Column('note', sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
        sa.UniqueConstraint('day', name=op.f('uq_calendar_days_day')),
    )
    op.create_table(
        'calendar_years',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_years')),
        sa.UniqueConstraint('year', name=op.f('uq_calendar_years_year')),
    )


def downgrade() -> None:
    op.drop_table('calendar_years')
    op.drop_table('calendar_days')
