"""Each provider's budget and forecast for a contract year as last worked out in the background,
for the co-ordinator's home page (which priced every provider's budget monitor on each look).

Revision ID: 0042
Revises: 0041
"""
import sqlalchemy as sa
from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider_forecast',
        sa.Column('contract_year_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('budget_pence', sa.BigInteger(), nullable=False),
        sa.Column('forecast_pence', sa.BigInteger(), nullable=False),
        sa.Column('funding_pence', sa.BigInteger(), nullable=False),
        sa.Column('worked_out_on', sa.Date(), nullable=False),
        sa.Column('worked_out_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contract_year_id'], ['contract_year.id'],
                                name=op.f('fk_provider_forecast_contract_year_id_contract_year'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'],
                                name=op.f('fk_provider_forecast_provider_id_provider'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('contract_year_id', name=op.f('pk_provider_forecast')),
    )
    op.create_index(op.f('ix_provider_forecast_provider_id'), 'provider_forecast', ['provider_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_provider_forecast_provider_id'), table_name='provider_forecast')
    op.drop_table('provider_forecast')
