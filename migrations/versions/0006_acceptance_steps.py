"""each step of an accepted suggestion, recorded: written, committed, published, sender told

Revision ID: 0006_acceptance_steps
Revises: 0005_editors_desk
Create Date: 2026-12-06 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_acceptance_steps'
down_revision = '0005_editors_desk'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('acceptance',
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('editor', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('committed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('commit', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('index_version', sa.String(length=64), nullable=True),
    sa.Column('told_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], ),
    sa.PrimaryKeyConstraint('suggestion_id')
    )


def downgrade():
    op.drop_table('acceptance')
