"""The cost ledger: each contract's cost in each month as payroll works it (pay, holiday pay,
employer NI, pension or the flat on-cost, and the point or rate used), kept in step by
app.establishment.ledger and read by every costed page. Data already held is priced by
`flask summaries rebuild`, run once after this upgrade (the pricing rules live in the
application, not in a migration).

Revision ID: 0032
Revises: 0031
"""
import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cost_month',
    sa.Column('contract_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('is_sessional', sa.Boolean(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('pay_pence', sa.Integer(), nullable=False),
    sa.Column('holiday_pence', sa.Integer(), nullable=False),
    sa.Column('ni_pence', sa.Integer(), nullable=False),
    sa.Column('pension_pence', sa.Integer(), nullable=False),
    sa.Column('flat_on_cost_pence', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=120), nullable=False),
    sa.Column('unpriced', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('contract_id', 'month', name=op.f('pk_cost_month'))
    )
    op.create_index('ix_cost_month_person', 'cost_month', ['person_id'], unique=False)
    op.create_index('ix_cost_month_post_month', 'cost_month', ['post_id', 'month'], unique=False)
    op.create_index('ix_cost_month_provider_month', 'cost_month', ['provider_id', 'month'], unique=False)


def downgrade():
    op.drop_index('ix_cost_month_provider_month', table_name='cost_month')
    op.drop_index('ix_cost_month_post_month', table_name='cost_month')
    op.drop_index('ix_cost_month_person', table_name='cost_month')
    op.drop_table('cost_month')
