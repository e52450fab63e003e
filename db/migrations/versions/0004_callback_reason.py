"""call-back reason on tickets (no_agent, max_wait, abandoned, in_ivr_hangup, …); ticket states
resolved and cancelled (the state column is a plain VARCHAR(32) without a CHECK: no change)

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_REASONS = ('answered', 'abandoned', 'callback_requested', 'after_hours_message', 'in_ivr_hangup',
            'no_agent', 'max_wait')


def upgrade() -> None:
    with op.batch_alter_table('ticket') as b:
        b.add_column(sa.Column('callback_reason', sa.Enum(*_REASONS, name='calloutcome', native_enum=False,
                                                          length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket') as b:
        b.drop_column('callback_reason')
