"""Supervision (#30): the alerts raised on the line (long waits, no agent free, nobody logged in, long
pauses, service level, hot spots), cleared and acknowledged.

Revision ID: 0024
Revises: 0023
"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'supervisor_alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('subject', sa.String(length=120), nullable=False),
        sa.Column('message', sa.String(length=300), nullable=False),
        sa.Column('raised_at', sa.DateTime(), nullable=False),
        sa.Column('cleared_at', sa.DateTime(), nullable=True),
        sa.Column('acked_by', sa.String(length=16), nullable=True),
        sa.Column('acked_at', sa.DateTime(), nullable=True),
        sa.Column('ack_note', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_supervisor_alert_open', 'supervisor_alert', ['acked_at', 'raised_at'])


def downgrade() -> None:
    op.drop_index('ix_supervisor_alert_open', table_name='supervisor_alert')
    op.drop_table('supervisor_alert')
