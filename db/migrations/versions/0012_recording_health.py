"""Storage faults are loud (#26): a recording's health (ok, or flagged empty / short / missing) and
when it was checked; the voice message's health on its ticket. Recordings sealed before this
carry a sha256 and are taken as ok.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recording') as b:
        b.add_column(sa.Column('health', sa.String(8), nullable=False, server_default=''))
        b.add_column(sa.Column('checked_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE recording SET health = 'ok' WHERE sha256 != ''")
    with op.batch_alter_table('ticket') as b:
        b.add_column(sa.Column('voice_health', sa.String(8), nullable=False, server_default=''))
    op.execute("UPDATE ticket SET voice_health = 'ok' WHERE voice_path IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('ticket') as b:
        b.drop_column('voice_health')
    with op.batch_alter_table('recording') as b:
        b.drop_column('checked_at')
        b.drop_column('health')
