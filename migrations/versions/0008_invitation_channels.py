"""how each invitation went out (link, e-mail, letter), when it was opened, and which suggestion answered it

Revision ID: 0008_invitation_channels
Revises: 0007_outgoing_mail
Create Date: 2026-12-06 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_invitation_channels'
down_revision = '0007_outgoing_mail'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation') as batch:
        batch.add_column(sa.Column('channel', sa.String(length=20), nullable=False, server_default='link'))
        batch.add_column(sa.Column('mail_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key('fk_invitation_mail', 'outgoing_mail', ['mail_id'], ['id'])
    with op.batch_alter_table('suggestion') as batch:
        batch.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_suggestion_invitation', 'invitation', ['invitation_id'], ['id'])


def downgrade():
    with op.batch_alter_table('suggestion') as batch:
        batch.drop_constraint('fk_suggestion_invitation', type_='foreignkey')
        batch.drop_column('invitation_id')
    with op.batch_alter_table('invitation') as batch:
        batch.drop_constraint('fk_invitation_mail', type_='foreignkey')
        batch.drop_column('opened_at')
        batch.drop_column('mail_id')
        batch.drop_column('channel')
