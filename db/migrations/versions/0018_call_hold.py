"""The daily report's IVR and hold figures (#27): when a caller heard their open ticket's status in
the IVR (self-service), and the stretches an agent's phone held a call (AMI Hold/Unhold).

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('call') as b:
        b.add_column(sa.Column('status_heard_at', sa.DateTime(), nullable=True))
    op.create_table(
        'call_hold',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_call_hold_call_id', 'call_hold', ['call_id'])
    op.create_index('ix_call_hold_user_started', 'call_hold', ['user_id', 'started_at'])


def downgrade() -> None:
    op.drop_index('ix_call_hold_user_started', table_name='call_hold')
    op.drop_index('ix_call_hold_call_id', table_name='call_hold')
    op.drop_table('call_hold')
    with op.batch_alter_table('call') as b:
        b.drop_column('status_heard_at')
