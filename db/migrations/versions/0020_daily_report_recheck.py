"""A signed day's re-check (#27): when its data were last built again and compared with the signed
copy, and what differed then. A week, month or season reads its signed days as stored with this
finding instead of building every one of them again (a season: 150 days × ~1.3 s).

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('daily_report') as b:
        b.add_column(sa.Column('checked_at', sa.DateTime(), nullable=True))
        b.add_column(sa.Column('differs', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('daily_report') as b:
        b.drop_column('differs')
        b.drop_column('checked_at')
