"""calls out (#15): a call's direction (in / out / survey), the automated 回访's voice comment
(survey.comment_recording) and its calls (survey_call: placed, outcome, next try)

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('call') as b:
        b.add_column(sa.Column('direction', sa.String(8), nullable=False, server_default='in'))
    with op.batch_alter_table('survey') as b:
        b.add_column(sa.Column('comment_recording', sa.String(255), nullable=True))
    op.create_table(
        'survey_call',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('ticket.id', ondelete='CASCADE'), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('outcome', sa.String(16), nullable=False, server_default='placed'),
        sa.Column('uniqueid', sa.String(64), nullable=False, server_default=''),
        sa.Column('next_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_survey_call_ticket_at', 'survey_call', ['ticket_id', 'at'])


def downgrade() -> None:
    op.drop_table('survey_call')
    with op.batch_alter_table('survey') as b:
        b.drop_column('comment_recording')
    with op.batch_alter_table('call') as b:
        b.drop_column('direction')
