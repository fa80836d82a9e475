"""Whether a person is emailed when their hours or claim items are sent back, a claim is paid
or a certificate issued (the same news stays on their home page whatever they choose).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == 'sqlite':
        # In place: the account table is referred to by nearly everything.
        op.execute('ALTER TABLE user_account ADD COLUMN email_notifications BOOLEAN NOT NULL DEFAULT 1')
    else:
        op.add_column('user_account', sa.Column('email_notifications', sa.Boolean(), nullable=False,
                                                server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('email_notifications')
