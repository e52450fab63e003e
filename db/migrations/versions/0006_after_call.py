"""after the call, part 1: ticket state accepted (plain VARCHAR: no change), station users
(user.station_id), technicians' phones and the areas a station serves (station_area), re-opened
repairs (ticket.followup_of_id), the anomaly register (anomaly, anomaly_ack); the unused
ticket.anomalies list goes (the register replaces it)

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_TYPES = ('station_late', 'contact_late', 'over_4h', 'unreachable', 'praise', 'complaint_technician',
          'complaint_billing', 'suggestion', 'forwarded')
_STATES = ('open', 'handled', 'closed')


def upgrade() -> None:
    with op.batch_alter_table('user') as b:
        b.add_column(sa.Column('station_id', sa.Integer(), sa.ForeignKey('repair_station.id', name='fk_user_station'),
                               nullable=True))
    with op.batch_alter_table('repair_station') as b:
        b.add_column(sa.Column('technician_phones', sa.JSON(), nullable=True))
    with op.batch_alter_table('ticket') as b:
        b.add_column(sa.Column('followup_of_id', sa.Integer(), sa.ForeignKey('ticket.id', name='fk_ticket_followup'),
                               nullable=True))
        b.drop_column('anomalies')
    op.create_table(
        'station_area',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('station_id', sa.Integer(), sa.ForeignKey('repair_station.id', ondelete='CASCADE'), nullable=False),
        sa.Column('district', sa.String(64), nullable=False),
        sa.Column('compound', sa.String(64), nullable=False, server_default=''),
        sa.Column('building', sa.String(32), nullable=False, server_default=''),
        sa.UniqueConstraint('district', 'compound', 'building'),
    )
    op.create_index('ix_station_area_station_id', 'station_area', ['station_id'])
    op.create_table(
        'anomaly',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('type', sa.Enum(*_TYPES, name='anomalytype', native_enum=False, length=32), nullable=False),
        sa.Column('state', sa.Enum(*_STATES, name='anomalystate', native_enum=False, length=32), nullable=False),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('ticket.id'), nullable=True),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('owner_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('deadline', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.Column('result', sa.Text(), nullable=False, server_default=''),
        sa.Column('handled_at', sa.DateTime(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_anomaly_ticket_id', 'anomaly', ['ticket_id'])
    op.create_index('ix_anomaly_state_type', 'anomaly', ['state', 'type'])
    op.create_table(
        'anomaly_ack',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('anomaly_id', sa.Integer(), sa.ForeignKey('anomaly.id', ondelete='CASCADE'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('anomaly_id', 'user_id'),
    )
    op.create_index('ix_anomaly_ack_anomaly_id', 'anomaly_ack', ['anomaly_id'])


def downgrade() -> None:
    op.drop_table('anomaly_ack')
    op.drop_table('anomaly')
    op.drop_table('station_area')
    with op.batch_alter_table('ticket') as b:
        b.add_column(sa.Column('anomalies', sa.JSON(), nullable=True))
        b.drop_column('followup_of_id')
    with op.batch_alter_table('repair_station') as b:
        b.drop_column('technician_phones')
    with op.batch_alter_table('user') as b:
        b.drop_column('station_id')
