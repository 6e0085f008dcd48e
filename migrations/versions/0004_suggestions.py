"""suggestions: proposed changes to a provider's facts and tips about missing offerings

Revision ID: 0004_suggestions
Revises: 7c1e2a9d4b30
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_suggestions'
down_revision = '7c1e2a9d4b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('provider', sa.String(length=120), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('reply_to', sa.String(length=254), nullable=True),
    sa.Column('from_provider', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_suggestion_token', 'suggestion', ['token'], unique=True)


def downgrade():
    op.drop_index('ix_suggestion_token', table_name='suggestion')
    op.drop_table('suggestion')
