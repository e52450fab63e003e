"""The daily report's e-mails (#27): each attempt — the day, when, ok or the error, to whom

Revision ID: 0015
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_delivery',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('day', sa.String(10), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=True),
        sa.Column('trigger', sa.String(16), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=True),
        sa.Column('ok', sa.Boolean(), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
    )
    op.create_index('ix_report_delivery_day', 'report_delivery', ['day'])


def downgrade() -> None:
    op.drop_index('ix_report_delivery_day', 'report_delivery')
    op.drop_table('report_delivery')
