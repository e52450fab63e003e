"""agent_pause (time in each pause reason per agent: 示忙, 话后整理, 未接听); a note on every ticket
transition (the ticket's timeline)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'agent_pause',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False),
        sa.Column('reason', sa.String(64), nullable=False, server_default=''),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_agent_pause_user_started', 'agent_pause', ['user_id', 'started_at'])
    with op.batch_alter_table('ticket_transition') as b:
        b.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
    # one priority scale (普通 0 / 加急 50 / 紧急 90): the IVR used to file a leak as 10
    op.execute("UPDATE ticket SET priority = 50 WHERE priority > 0 AND priority < 70")
    op.execute("UPDATE ticket SET priority = 90 WHERE priority >= 70")


def downgrade() -> None:
    with op.batch_alter_table('ticket_transition') as b:
        b.drop_column('note')
    op.drop_index('ix_agent_pause_user_started', 'agent_pause')
    op.drop_table('agent_pause')
