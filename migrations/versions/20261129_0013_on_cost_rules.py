"""On-costs as dated rules: a grade's flat percentage, or employer National Insurance above a
secondary threshold per person plus employer pension. No rule means the flat percentage, as
before, so existing figures do not change.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('on_cost_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('ni_rate_bp', sa.Integer(), nullable=True),
    sa.Column('ni_threshold_pence', sa.Integer(), nullable=True),
    sa.Column('pension_rate_bp', sa.Integer(), nullable=True),
    sa.CheckConstraint("method IN ('flat', 'statutory')", name=op.f('ck_on_cost_rule_known_method')),
    sa.CheckConstraint("method = 'flat' OR (ni_rate_bp IS NOT NULL AND ni_threshold_pence IS NOT NULL "
                       "AND pension_rate_bp IS NOT NULL)", name=op.f('ck_on_cost_rule_statutory_has_rates')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_on_cost_rule_provider_id_provider'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_on_cost_rule')),
    sa.UniqueConstraint('provider_id', 'effective_from', name=op.f('uq_on_cost_rule_provider_id'))
    )
    op.create_index(op.f('ix_on_cost_rule_provider_id'), 'on_cost_rule', ['provider_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_on_cost_rule_provider_id'), table_name='on_cost_rule')
    op.drop_table('on_cost_rule')
