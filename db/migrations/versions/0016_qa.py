"""Quality checks on recordings (#28): the standards as versioned scorecards, the daily and weekly
samples (drawn once), the written check results, peer listening, and the findings the records
propose against the person who saved a ticket.

Revision ID: 0016
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'qa_scorecard',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(64), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('loaded_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('kind', 'version'),
    )
    op.create_table(
        'qa_draw',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('day', sa.String(10), nullable=False),
        sa.Column('drawn_at', sa.DateTime(), nullable=False),
        sa.Column('drawn_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.UniqueConstraint('kind', 'day'),
    )
    op.create_table(
        'qa_sample',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('day', sa.String(10), nullable=False, index=True),
        sa.Column('recording_id', sa.Integer(), sa.ForeignKey('recording.id'), nullable=False),
        sa.Column('call_id', sa.Integer(), sa.ForeignKey('call.id'), nullable=True),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False, index=True),
        sa.Column('added_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('kind', 'day', 'recording_id'),
    )
    op.create_table(
        'qa_check',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('recording_id', sa.Integer(), sa.ForeignKey('recording.id'), nullable=True, index=True),
        sa.Column('call_id', sa.Integer(), sa.ForeignKey('call.id'), nullable=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('ticket.id'), nullable=True),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False),
        sa.Column('checker_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False, index=True),
        sa.Column('scorecard_id', sa.Integer(), sa.ForeignKey('qa_scorecard.id'), nullable=True),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('findings', sa.JSON(), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('day', sa.String(10), nullable=False, index=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Index('ix_qa_check_agent_at', 'agent_id', 'at'),
    )
    op.create_table(
        'qa_peer_listen',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('day', sa.String(10), nullable=False, index=True),
        sa.Column('listener_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False, index=True),
        sa.Column('recording_id', sa.Integer(), sa.ForeignKey('recording.id'), nullable=False, index=True),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.Column('listened_at', sa.DateTime(), nullable=True),
        sa.Column('findings', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.UniqueConstraint('day', 'listener_id', 'recording_id'),
    )
    op.create_table(
        'qa_proposal',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('finding', sa.String(32), nullable=False),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('ticket.id'), nullable=False),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(12), nullable=False, index=True),
        sa.Column('decided_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('check_id', sa.Integer(), sa.ForeignKey('qa_check.id'), nullable=True),
        sa.UniqueConstraint('source', 'source_id'),
    )


def downgrade() -> None:
    for table in ('qa_proposal', 'qa_peer_listen', 'qa_check', 'qa_sample', 'qa_draw', 'qa_scorecard'):
        op.drop_table(table)
