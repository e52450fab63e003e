"""after the call, part 2 (#15): the call-back worklist (who took an entry and when, whether it went
to the team lead, every attempt in callback_attempt), the 回访 survey (survey; ticket.survey_due_at for
a booked time) and an account's heating-fee status (heating_account.fee_status: paid/unpaid/unknown)

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket') as b:
        b.add_column(sa.Column('callback_taken_by_id', sa.Integer(),
                               sa.ForeignKey('user.id', name='fk_ticket_callback_taken_by'), nullable=True))
        b.add_column(sa.Column('callback_taken_at', sa.DateTime(), nullable=True))
        b.add_column(sa.Column('callback_escalated', sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column('survey_due_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('heating_account') as b:
        b.add_column(sa.Column('fee_status', sa.String(16), nullable=True))
    op.create_table(
        'callback_attempt',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('ticket.id', ondelete='CASCADE'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('outcome', sa.String(32), nullable=False),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
    )
    op.create_index('ix_callback_attempt_ticket_id', 'callback_attempt', ['ticket_id'])
    op.create_table(
        'survey',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('ticket.id', ondelete='CASCADE'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('channel', sa.String(8), nullable=False),
        sa.Column('solved', sa.Boolean(), nullable=False),
        sa.Column('attitude', sa.String(16), nullable=False),
        sa.Column('charged', sa.Boolean(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False, server_default=''),
        sa.Column('fee_reminder', sa.Boolean(), nullable=True),
    )
    op.create_index('ix_survey_ticket_id', 'survey', ['ticket_id'])


def downgrade() -> None:
    op.drop_table('survey')
    op.drop_table('callback_attempt')
    with op.batch_alter_table('heating_account') as b:
        b.drop_column('fee_status')
    with op.batch_alter_table('ticket') as b:
        b.drop_column('survey_due_at')
        b.drop_column('callback_escalated')
        b.drop_column('callback_taken_at')
        b.drop_column('callback_taken_by_id')
