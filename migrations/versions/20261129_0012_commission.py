"""The council's contract: its years (and extension years), funding per year by source, annual
review points with their decisions, and lots (a provider's areas and offers, for some years).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('term', sa.Enum('three_years', 'single_years', name='commission_term', native_enum=False,
                              create_constraint=True, length=20), nullable=False),
    sa.Column('extension_years_allowed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('extension_years_allowed BETWEEN 0 AND 2', name=op.f('ck_commission_extension_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission'))
    )
    op.create_table('commission_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('is_extension', sa.Boolean(), nullable=False),
    sa.CheckConstraint('ends_on > starts_on', name=op.f('ck_commission_year_ends_after_start')),
    sa.ForeignKeyConstraint(['commission_id'], ['commission.id'],
                            name=op.f('fk_commission_year_commission_id_commission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_year')),
    sa.UniqueConstraint('commission_id', 'starts_on', name=op.f('uq_commission_year_commission_id'))
    )
    op.create_table('commission_funding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_pence >= 0', name=op.f('ck_commission_funding_amount_non_negative')),
    sa.ForeignKeyConstraint(['year_id'], ['commission_year.id'],
                            name=op.f('fk_commission_funding_year_id_commission_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_funding'))
    )
    op.create_table('review_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('decision', sa.Enum('continue', 'continue_with_changes', 'end', name='review_decision',
                                  native_enum=False, create_constraint=True, length=30), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['commission_id'], ['commission.id'],
                            name=op.f('fk_review_point_commission_id_commission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                            name=op.f('fk_review_point_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_point'))
    )
    op.create_table('lot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('offers', sa.String(length=300), nullable=False),
    sa.Column('first_year_on', sa.Date(), nullable=False),
    sa.Column('last_year_on', sa.Date(), nullable=True),
    sa.CheckConstraint('last_year_on IS NULL OR last_year_on >= first_year_on', name=op.f('ck_lot_years_ordered')),
    sa.ForeignKeyConstraint(['commission_id'], ['commission.id'], name=op.f('fk_lot_commission_id_commission'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_lot_provider_id_provider'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lot'))
    )
    op.create_table('lot_area',
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_lot_area_area_id_area'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_lot_area_lot_id_lot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lot_id', 'area_id', name=op.f('pk_lot_area'))
    )


def downgrade():
    op.drop_table('lot_area')
    op.drop_table('lot')
    op.drop_table('review_point')
    op.drop_table('commission_funding')
    op.drop_table('commission_year')
    op.drop_table('commission')
