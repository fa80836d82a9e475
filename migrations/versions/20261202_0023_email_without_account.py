"""Emails about a person's own records go to people with a sign-in, unless HR chooses to email
someone without one; the commissioning council's name is data, not words in the templates.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no table copy): person is referred to by nearly everything.
    op.add_column('person', sa.Column('email_without_account', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.add_column('commission', sa.Column('council_name', sa.String(length=120), server_default='',
                                          nullable=False))


def downgrade():
    with op.batch_alter_table('commission', schema=None) as batch_op:
        batch_op.drop_column('council_name')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('email_without_account')
