"""the outbox: e-mail written with what it is about, delivered and retried by catalogue.editorial.mail

Revision ID: 0007_outgoing_mail
Revises: 0006_acceptance_steps
Create Date: 2026-12-06 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_outgoing_mail'
down_revision = '0006_acceptance_steps'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outgoing_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    op.create_index('ix_outgoing_mail_status', 'outgoing_mail', ['status', 'next_attempt_at'])


def downgrade():
    op.drop_index('ix_outgoing_mail_status', table_name='outgoing_mail')
    op.drop_table('outgoing_mail')
