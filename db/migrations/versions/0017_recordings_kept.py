"""Recordings kept and checked (#28): when a recording's seal (sha256) was last found whole, and the
anomaly register's second subject — an agent of the hotline an entry is about (a complaint about
them, praise of them).

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recording') as b:
        b.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('anomaly') as b:
        b.add_column(sa.Column('about_agent_id', sa.Integer(), nullable=True))
        b.create_foreign_key('fk_anomaly_about_agent', 'user', ['about_agent_id'], ['id'])
        b.create_index('ix_anomaly_about_agent_id', ['about_agent_id'])


def downgrade() -> None:
    with op.batch_alter_table('anomaly') as b:
        b.drop_index('ix_anomaly_about_agent_id')
        b.drop_constraint('fk_anomaly_about_agent', type_='foreignkey')
        b.drop_column('about_agent_id')
    with op.batch_alter_table('recording') as b:
        b.drop_column('verified_at')
