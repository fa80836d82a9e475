"""The known-device cookie holds a random id: which accounts a browser has signed in to is kept
here, not in the cookie (it had carried their email addresses for 180 days).

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('known_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_known_device_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_device')),
    sa.UniqueConstraint('token_hash', 'user_id', name=op.f('uq_known_device_token_hash'))
    )
    op.create_index(op.f('ix_known_device_token_hash'), 'known_device', ['token_hash'], unique=False)
    op.create_index(op.f('ix_known_device_user_id'), 'known_device', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_known_device_user_id'), table_name='known_device')
    op.drop_index(op.f('ix_known_device_token_hash'), table_name='known_device')
    op.drop_table('known_device')
