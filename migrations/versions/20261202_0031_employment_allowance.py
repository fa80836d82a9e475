"""Employment Allowance: a provider's allowance for a tax year, set against its employer NI from
the first month of the year until it is used up.

Revision ID: 0031
Revises: 0030
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('employment_allowance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('tax_year', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_pence >= 0', name=op.f('ck_employment_allowance_amount_non_negative')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_employment_allowance_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_allowance')),
    sa.UniqueConstraint('provider_id', 'tax_year', name=op.f('uq_employment_allowance_provider_id'))
    )


def downgrade():
    op.drop_table('employment_allowance')
