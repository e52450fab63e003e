"""Asterisk's queue_log in the database (#26): every line once per node (queue_log_event) and how
far each node has read (queue_log_cursor); call.outcome indexed (the open calls are looked for every minute). The call outcome `interrupted` needs no change: outcomes
are a plain VARCHAR(32) without a CHECK (native_enum=False).

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'queue_log_event',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('node', sa.String(16), nullable=False),
        sa.Column('inode', sa.BigInteger(), nullable=False),
        sa.Column('byte_offset', sa.BigInteger(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('callid', sa.String(64), nullable=False),
        sa.Column('queue', sa.String(64), nullable=False),
        sa.Column('agent', sa.String(64), nullable=False),
        sa.Column('event', sa.String(32), nullable=False),
        *(sa.Column(f'data{i}', sa.String(128), nullable=False) for i in range(1, 6)),
        sa.UniqueConstraint('node', 'inode', 'byte_offset'),
    )
    op.create_index('ix_queue_log_event_node_callid', 'queue_log_event', ['node', 'callid'])
    op.create_index('ix_queue_log_event_at', 'queue_log_event', ['at'])
    op.create_table(
        'queue_log_cursor',
        sa.Column('node', sa.String(16), primary_key=True),
        sa.Column('inode', sa.BigInteger(), nullable=False),
        sa.Column('byte_offset', sa.BigInteger(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    # the service looks for the calls without an outcome every minute
    op.create_index('ix_call_outcome', 'call', ['outcome'])


def downgrade() -> None:
    op.drop_index('ix_call_outcome', 'call')
    op.drop_table('queue_log_cursor')
    op.drop_index('ix_queue_log_event_at', 'queue_log_event')
    op.drop_index('ix_queue_log_event_node_callid', 'queue_log_event')
    op.drop_table('queue_log_event')
