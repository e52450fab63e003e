"""The 供热已恢复 call-back placed (#30): outage_caller gains the dialer's columns — attempts, the
next try, the attempt's random ref (Local/<ref>@outage-dial), when placed, answered and over — so the
call booked when an outage ends goes out, is retried and records how it went.

Revision ID: 0025
Revises: 0024 (the lead re-chains it on merge)
"""
import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outage_caller') as b:
        b.add_column(sa.Column('callback_attempts', sa.Integer(), nullable=False, server_default='0'))
        b.add_column(sa.Column('callback_next_at', sa.DateTime(), nullable=True))
        b.add_column(sa.Column('callback_ref', sa.String(24), nullable=True))
        b.add_column(sa.Column('callback_placed_at', sa.DateTime(), nullable=True))
        b.add_column(sa.Column('callback_answered_at', sa.DateTime(), nullable=True))
        b.add_column(sa.Column('callback_ended_at', sa.DateTime(), nullable=True))
        b.create_unique_constraint('uq_outage_caller_callback_ref', ['callback_ref'])
        b.create_index('ix_outage_caller_callback_next_at', ['callback_next_at'])
    # bookings made before the dialer existed are due now (an ended outage's call-back still waiting)
    op.execute("UPDATE outage_caller SET callback_next_at = callback_at WHERE callback_state = 'requested'")


def downgrade() -> None:
    with op.batch_alter_table('outage_caller') as b:
        b.drop_index('ix_outage_caller_callback_next_at')
        b.drop_constraint('uq_outage_caller_callback_ref', type_='unique')
        for c in ('callback_ended_at', 'callback_answered_at', 'callback_placed_at', 'callback_ref',
                  'callback_next_at', 'callback_attempts'):
            b.drop_column(c)
