"""Jobs that survive the worker dying: what to run again (the task's arguments), how many
times it has been put on the queue, when it last showed progress, and which run owns it.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job') as batch_op:
        batch_op.add_column(sa.Column('arguments', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('run_token', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('job') as batch_op:
        batch_op.drop_column('run_token')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('arguments')
