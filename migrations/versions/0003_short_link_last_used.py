"""short links remember when they were last followed, so that unused ones can expire

Revision ID: 7c1e2a9d4b30
Revises: 046c7b255816
Create Date: 2026-11-23 20:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c1e2a9d4b30'
down_revision = '046c7b255816'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('short_link') as batch_op:
        batch_op.add_column(sa.Column('last_used', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('short_link') as batch_op:
        batch_op.drop_column('last_used')
