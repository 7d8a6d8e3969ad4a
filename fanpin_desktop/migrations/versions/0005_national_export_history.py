"""national export history: batch files for the national system and the values each household had

Two new tables (services/national_export.py); the unused export_batches tables of 0001 are left as they are.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:25:50.895969
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('national_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('file_name', sa.String(length=260), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('layout', sa.String(length=40), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('household_count', sa.Integer(), nullable=False),
    sa.Column('change_count', sa.Integer(), nullable=False),
    sa.Column('entered_on', sa.Date(), nullable=True),
    sa.Column('entered_by', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_national_exports'))
    )
    op.create_table('national_export_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('export_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('hh_code', sa.String(length=30), nullable=True),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['monitoring_cases.id'], name=op.f('fk_national_export_records_case_id_monitoring_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['export_id'], ['national_exports.id'], name=op.f('fk_national_export_records_export_id_national_exports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_national_export_records_household_id_households'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_national_export_records'))
    )
    with op.batch_alter_table('national_export_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_national_export_records_export_id'), ['export_id'], unique=False)
        batch_op.create_index('ix_national_export_records_household', ['household_id', 'export_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('national_export_records', schema=None) as batch_op:
        batch_op.drop_index('ix_national_export_records_household')
        batch_op.drop_index(batch_op.f('ix_national_export_records_export_id'))

    op.drop_table('national_export_records')
    op.drop_table('national_exports')
