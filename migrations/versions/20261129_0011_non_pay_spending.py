"""Non-pay spending: invoices and receipts charged to budget lines, approved by HR.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spend',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('supplier', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'approved', 'rejected', name='spend_status', native_enum=False,
                                create_constraint=True, length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_spend_amount_positive')),
    sa.CheckConstraint("status <> 'rejected' OR decision_reason IS NOT NULL",
                       name=op.f('ck_spend_rejection_has_reason')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_spend_area_id_area'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_line.id'], name=op.f('fk_spend_budget_line_id_budget_line'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_spend_course_id_course'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_spend_decided_by_id_user_account'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_spend_provider_id_provider'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipt.id'], name=op.f('fk_spend_receipt_id_receipt'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                            name=op.f('fk_spend_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend'))
    )
    op.create_index('ix_spend_line', 'spend', ['budget_line_id'], unique=False)
    op.create_index('ix_spend_provider_spent', 'spend', ['provider_id', 'spent_on'], unique=False)


def downgrade():
    op.drop_index('ix_spend_provider_spent', table_name='spend')
    op.drop_index('ix_spend_line', table_name='spend')
    op.drop_table('spend')
