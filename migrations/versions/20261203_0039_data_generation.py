"""The data's generation: one row whose number every committed write moves on, so pages can
keep a figure until anything changes (app/generation.py).

Revision ID: 0039
Revises: 0038
"""
import sqlalchemy as sa
from alembic import op

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_generation'))
    )
    op.bulk_insert(table, [{'id': 1, 'n': 0}])


def downgrade():
    op.drop_table('data_generation')
