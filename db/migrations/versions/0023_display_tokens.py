"""Wall displays' tokens (#30): a big screen opens the wall page with one; only its hash is kept.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('display_token',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('name', sa.String(length=64), nullable=False),
                    sa.Column('token_hash', sa.String(length=64), nullable=False),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.Column('created_by', sa.String(length=64), nullable=False),
                    sa.Column('revoked_at', sa.DateTime(), nullable=True),
                    sa.Column('last_used_at', sa.DateTime(), nullable=True),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('token_hash'))
    with op.batch_alter_table('display_token') as b:
        b.create_index(b.f('ix_display_token_name'), ['name'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('display_token') as b:
        b.drop_index(b.f('ix_display_token_name'))
    op.drop_table('display_token')
