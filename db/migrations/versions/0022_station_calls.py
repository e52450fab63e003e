"""Stations told on dispatch, by phone (#30): station_call — a dispatched repair's call to its
station's duty phone (attempts, next try, outcome, when answered), written in the dispatch's own
transaction and worked by the service's station dialer.

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'station_call',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('ticket.id', ondelete='CASCADE'), nullable=False),
        sa.Column('station_id', sa.Integer(), sa.ForeignKey('repair_station.id', ondelete='SET NULL'), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by', sa.String(64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(16), nullable=False),
        sa.Column('next_at', sa.DateTime(), nullable=True),
        sa.Column('placed_at', sa.DateTime(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('uniqueid', sa.String(64), nullable=False),
        sa.Column('manual', sa.Boolean(), nullable=False),
        sa.Column('webhook_at', sa.DateTime(), nullable=True),
        sa.Column('webhook_tries', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(24), nullable=True),
        sa.UniqueConstraint('ref', name='uq_station_call_ref'),
    )
    op.create_index('ix_station_call_ticket_id', 'station_call', ['ticket_id'])
    op.create_index('ix_station_call_next_at', 'station_call', ['next_at'])


def downgrade() -> None:
    op.drop_index('ix_station_call_next_at', 'station_call')
    op.drop_index('ix_station_call_ticket_id', 'station_call')
    op.drop_table('station_call')
