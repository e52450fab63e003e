"""The daily report as signed (#27): its JSON frozen with its SHA-256, who signed and when

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'daily_report',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('day', sa.String(10), nullable=False, unique=True),
        sa.Column('report', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('generated_at', sa.DateTime(), nullable=False),
        sa.Column('signed_by_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=False),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('daily_report')
