"""security: per-agent ticket drafts, ticket assignment, audit source address

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ticket_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('form', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'user_id'),
    )
    with op.batch_alter_table('ticket_draft') as b:
        b.create_index(b.f('ix_ticket_draft_ticket_id'), ['ticket_id'], unique=False)
        b.create_index(b.f('ix_ticket_draft_user_id'), ['user_id'], unique=False)
    # the single last-writer-wins draft slot gives way to ticket_draft
    with op.batch_alter_table('ticket') as b:
        b.drop_column('draft_form')
        b.add_column(sa.Column('assigned_agent_id', sa.Integer(), nullable=True))
        b.create_foreign_key('fk_ticket_assigned_agent', 'user', ['assigned_agent_id'], ['id'])
    with op.batch_alter_table('audit_log') as b:
        b.add_column(sa.Column('source', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as b:
        b.drop_column('source')
    with op.batch_alter_table('ticket') as b:
        b.drop_constraint('fk_ticket_assigned_agent', type_='foreignkey')
        b.drop_column('assigned_agent_id')
        b.add_column(sa.Column('draft_form', sa.JSON(), nullable=True))
    op.drop_table('ticket_draft')
