"""FastAGI bound to the call (#25): per-call tokens (call_token, stored hashed) and the stages each
accepted once (call_token_use); a 回访 attempt's random ref (survey_call.ref), what channels see

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'call_token',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('digest', sa.String(64), nullable=False, unique=True),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('call', sa.String(64), nullable=True, unique=True),
        sa.Column('ticket', sa.String(16), nullable=False, server_default=''),
        sa.Column('at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_call_token_at', 'call_token', ['at'])
    op.create_table(
        'call_token_use',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('token_id', sa.Integer(), sa.ForeignKey('call_token.id', ondelete='CASCADE'), nullable=False),
        sa.Column('stage', sa.String(96), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('token_id', 'stage'),
    )
    with op.batch_alter_table('survey_call') as b:
        b.add_column(sa.Column('ref', sa.String(24), nullable=True))
        b.create_unique_constraint('uq_survey_call_ref', ['ref'])


def downgrade() -> None:
    with op.batch_alter_table('survey_call') as b:
        b.drop_constraint('uq_survey_call_ref', type_='unique')
        b.drop_column('ref')
    op.drop_table('call_token_use')
    op.drop_table('call_token')
