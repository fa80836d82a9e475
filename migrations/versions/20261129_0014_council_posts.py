"""Posts on the council's side of the contract (the Service Co-ordinator), priced in the
county budget rather than in a provider's establishment.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=False),
    sa.Column('fte', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.CheckConstraint('fte > 0', name=op.f('ck_council_post_fte_positive')),
    sa.ForeignKeyConstraint(['commission_id'], ['commission.id'], name=op.f('fk_council_post_commission_id_commission'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grade_id'], ['grade.id'], name=op.f('fk_council_post_grade_id_grade'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_post'))
    )


def downgrade():
    op.drop_table('council_post')
