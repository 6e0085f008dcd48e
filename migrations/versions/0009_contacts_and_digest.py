"""private contacts per offering, imported by the editors, and the digests of those who refused; when a
suggestion went out in a digest

Revision ID: 0009_contacts_and_digest
Revises: 0008_invitation_channels
Create Date: 2026-12-06 08:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_contacts_and_digest'
down_revision = '0008_invitation_channels'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contact',
        sa.Column('provider', sa.String(length=120), nullable=False),
        sa.Column('person', sa.String(length=120), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('postal_address', sa.String(length=300), nullable=True),
        sa.Column('imported_by', sa.String(length=80), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('provider'),
    )
    op.create_table(
        'contact_refusal',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('digest'),
    )
    with op.batch_alter_table('suggestion') as batch:
        batch.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('suggestion') as batch:
        batch.drop_column('notified_at')
    op.drop_table('contact_refusal')
    op.drop_table('contact')
