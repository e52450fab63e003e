"""Outage notices (区域停热, #30): an outage declared for a district, compound or building with its
expected end, its notice's sound, who declared and ended it; and the callers who keyed 1 on the
notice (affected, no repair ticket), with the 供热已恢复 call-back booked when it ended.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outage',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('district', sa.String(64), nullable=False),
        sa.Column('compound', sa.String(64), nullable=False),
        sa.Column('building', sa.String(16), nullable=False),
        sa.Column('until', sa.DateTime(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('prompt', sa.String(255), nullable=False),
        sa.Column('prompt_source', sa.String(8), nullable=False),
        sa.Column('declared_by', sa.String(64), nullable=False),
        sa.Column('declared_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True, index=True),
        sa.Column('ended_by', sa.String(64), nullable=True),
        sa.Column('call_back', sa.Boolean(), nullable=False),
    )
    op.create_table(
        'outage_caller',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('outage_id', sa.Integer(), sa.ForeignKey('outage.id', ondelete='CASCADE'), nullable=False,
                  index=True),
        sa.Column('uniqueid', sa.String(64), nullable=False),
        sa.Column('caller', sa.String(20), nullable=False),
        sa.Column('account_no', sa.String(20), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('callback_state', sa.String(16), nullable=True, index=True),
        sa.Column('callback_at', sa.DateTime(), nullable=True),
        sa.Column('callback_note', sa.String(64), nullable=False),
        sa.UniqueConstraint('outage_id', 'uniqueid'),
    )


def downgrade() -> None:
    op.drop_table('outage_caller')
    op.drop_table('outage')
