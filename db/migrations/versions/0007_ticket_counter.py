"""ticket_counter: the day's ticket sequence, incremented atomically in the database (one row per
yymmdd), so every process and node on one PostgreSQL issues distinct numbers; seeded from the
tickets already there

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ticket_counter',
        sa.Column('day', sa.String(6), primary_key=True),
        sa.Column('seq', sa.Integer(), nullable=False, server_default='0'),
    )
    op.execute("INSERT INTO ticket_counter (day, seq) "
               "SELECT substr(number, 1, 6), max(CAST(substr(number, 7) AS INTEGER)) FROM ticket "
               "WHERE length(number) >= 10 GROUP BY substr(number, 1, 6)")


def downgrade() -> None:
    op.drop_table('ticket_counter')
