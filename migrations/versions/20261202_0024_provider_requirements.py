"""A provider's own requirements for each stage, on top of the council's (stricter, never
looser); right to work is asked before any paid stage, Parent Co-Facilitator included.

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('volunteer', 'co_facilitator', 'employee', name='stage', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('min_hours', sa.Integer(), nullable=False),
    sa.Column('needs_dbs', sa.Boolean(), nullable=False),
    sa.Column('needs_recommendation', sa.Boolean(), nullable=False),
    sa.Column('needs_right_to_work', sa.Boolean(), nullable=False),
    sa.Column('references_needed', sa.Integer(), nullable=False),
    sa.CheckConstraint('min_hours >= 0 AND references_needed >= 0', name=op.f('ck_provider_requirement_non_negative')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_provider_requirement_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_requirement')),
    sa.UniqueConstraint('provider_id', 'stage', name=op.f('uq_provider_requirement_provider_id'))
    )
    op.execute("UPDATE stage_requirement SET needs_right_to_work = true WHERE stage IN ('co_facilitator', 'employee')")


def downgrade():
    op.drop_table('provider_requirement')
