"""What payroll paid: a line per person per monthly pay period, imported from the bureau's
report (each line names its import batch, so an import can be undone), and the names a
provider's bureau gives its columns, saved once.

Revision ID: 0028
Revises: 0027
"""
import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payroll_columns',
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('person_ref', sa.String(length=80), nullable=False),
    sa.Column('pay_period', sa.String(length=80), nullable=False),
    sa.Column('gross_pay', sa.String(length=80), nullable=False),
    sa.Column('employer_ni', sa.String(length=80), nullable=False),
    sa.Column('employer_pension', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_payroll_columns_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('provider_id', name=op.f('pk_payroll_columns'))
    )
    op.create_table('payroll_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('gross_pence', sa.Integer(), nullable=False),
    sa.Column('employer_ni_pence', sa.Integer(), nullable=False),
    sa.Column('employer_pension_pence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batch.id'], name=op.f('fk_payroll_line_import_batch_id_import_batch'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_payroll_line_person_id_person'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_payroll_line_provider_id_provider'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payroll_line')),
    sa.UniqueConstraint('person_id', 'period', name=op.f('uq_payroll_line_person_id'))
    )
    op.create_index(op.f('ix_payroll_line_import_batch_id'), 'payroll_line', ['import_batch_id'], unique=False)
    op.create_index('ix_payroll_line_provider_period', 'payroll_line', ['provider_id', 'period'], unique=False)


def downgrade():
    op.drop_index('ix_payroll_line_provider_period', table_name='payroll_line')
    op.drop_index(op.f('ix_payroll_line_import_batch_id'), table_name='payroll_line')
    op.drop_table('payroll_line')
    op.drop_table('payroll_columns')
