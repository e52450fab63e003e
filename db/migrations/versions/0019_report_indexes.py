"""Indexes the reports need on a season's data (#27, benchmarks/report_season.py): a day's calls by
when they reached the IVR, the moves into a state within a day, the day's 回访 and call-back attempts, the
repairs re-opened from a completed one.
Without them every daily report read the whole season's calls and moves (1 M calls, 2 M moves).

Revision ID: 0019
Revises: 0018
"""
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_call_ivr_at', 'call', ['ivr_at'])
    op.create_index('ix_ticket_transition_state_at', 'ticket_transition', ['state', 'at'])
    op.create_index('ix_survey_at', 'survey', ['at'])
    op.create_index('ix_callback_attempt_at', 'callback_attempt', ['at'])
    op.create_index('ix_ticket_followup_of_id', 'ticket', ['followup_of_id'])


def downgrade() -> None:
    op.drop_index('ix_ticket_followup_of_id', table_name='ticket')
    op.drop_index('ix_callback_attempt_at', table_name='callback_attempt')
    op.drop_index('ix_survey_at', table_name='survey')
    op.drop_index('ix_ticket_transition_state_at', table_name='ticket_transition')
    op.drop_index('ix_call_ivr_at', table_name='call')
