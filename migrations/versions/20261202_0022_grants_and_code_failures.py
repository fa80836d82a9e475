"""Going live: wrong second-step codes count on their own; a staff role that can approve or pay
waits for a second person to confirm it; one person may hold more than one account (the "not
your own" rules compare people).

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_codes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('grant_confirmed', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('granted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_account_granted_by_id_user_account'), 'user_account',
                                    ['granted_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('code_failures_non_negative', 'failed_codes >= 0')
        batch_op.drop_constraint('uq_user_account_person_id', type_='unique')
        batch_op.create_index(batch_op.f('ix_user_account_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_person_id'))
        batch_op.create_unique_constraint('uq_user_account_person_id', ['person_id'])
        batch_op.drop_constraint(batch_op.f('ck_user_account_code_failures_non_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_user_account_granted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('granted_by_id')
        batch_op.drop_column('grant_confirmed')
        batch_op.drop_column('failed_codes')
