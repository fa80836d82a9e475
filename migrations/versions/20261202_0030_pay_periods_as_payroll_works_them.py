"""Pay periods as payroll works them: pension on all pay or on qualifying earnings (with the
band's limits and the auto-enrolment trigger, empty for the statutory figures) on each on-cost
rule; a person's pension opt-out from a date; how a provider's payroll prorates a part month
and the holiday pay it accrues on sessional pay.

Revision ID: 0030
Revises: 0029
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pension_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('opted_out_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_pension_opt_out_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_opt_out')),
    sa.UniqueConstraint('person_id', 'opted_out_on', name=op.f('uq_pension_opt_out_person_id'))
    )
    op.create_index(op.f('ix_pension_opt_out_person_id'), 'pension_opt_out', ['person_id'], unique=False)
    with op.batch_alter_table('on_cost_rule') as batch_op:
        batch_op.add_column(sa.Column('pension_basis', sa.String(length=12), server_default='all', nullable=False))
        batch_op.add_column(sa.Column('qualifying_lower_pence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('qualifying_upper_pence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('enrolment_trigger_pence', sa.Integer(), nullable=True))
    with op.batch_alter_table('provider') as batch_op:
        batch_op.add_column(sa.Column('pay_proration', sa.String(length=12), server_default='calendar',
                                      nullable=False))
        batch_op.add_column(sa.Column('holiday_accrual_bp', sa.Integer(), server_default='1207', nullable=False))


def downgrade():
    with op.batch_alter_table('provider') as batch_op:
        batch_op.drop_column('holiday_accrual_bp')
        batch_op.drop_column('pay_proration')
    with op.batch_alter_table('on_cost_rule') as batch_op:
        batch_op.drop_column('enrolment_trigger_pence')
        batch_op.drop_column('qualifying_upper_pence')
        batch_op.drop_column('qualifying_lower_pence')
        batch_op.drop_column('pension_basis')
    op.drop_index(op.f('ix_pension_opt_out_person_id'), table_name='pension_opt_out')
    op.drop_table('pension_opt_out')
