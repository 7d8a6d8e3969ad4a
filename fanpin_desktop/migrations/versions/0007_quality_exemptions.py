"""quality_exemptions: data-quality findings the clerk waived, keyed by the hash of the data looked at

The old, never-used rule_exemptions table (0001) stays untouched.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 11:03:51.655121
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quality_exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_code', sa.String(length=20), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('exempted_by', sa.String(length=40), nullable=False),
    sa.Column('exempted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['monitoring_cases.id'], name=op.f('fk_quality_exemptions_case_id_monitoring_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_quality_exemptions_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_quality_exemptions_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_exemptions'))
    )
    with op.batch_alter_table('quality_exemptions', schema=None) as batch_op:
        batch_op.create_index('ix_quality_exemptions_household', ['household_id', 'rule_code'], unique=False)
        batch_op.create_index('ix_quality_exemptions_rule', ['rule_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quality_exemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_quality_exemptions_rule')
        batch_op.drop_index('ix_quality_exemptions_household')

    op.drop_table('quality_exemptions')
