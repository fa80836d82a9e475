"""Two-step sign-in: an authenticator app's secret or emailed codes, recovery codes, how each
device passed the second step, and whether a provider allows codes by email.

Devices signed in before this migration passed no second step, so staff sign in again.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user_account', sa.Column('two_step_method', sa.String(length=10), nullable=True))
    op.add_column('user_account', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('user_account', sa.Column('totp_last_counter', sa.Integer(), nullable=True))
    op.add_column('user_account', sa.Column('email_code_hash', sa.String(length=64), nullable=True))
    op.add_column('user_account', sa.Column('email_code_expires_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('user_session', sa.Column('second_step', sa.String(length=10), nullable=True))
    op.add_column('provider', sa.Column('email_codes_allowed', sa.Boolean(), server_default=sa.true(),
                                        nullable=False))
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    op.create_index(op.f('ix_recovery_code_user_id'), 'recovery_code', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_recovery_code_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    # Plain columns (no keys): dropped in place, never by rebuilding the accounts table.
    op.drop_column('provider', 'email_codes_allowed')
    op.drop_column('user_session', 'second_step')
    for column in ('email_code_expires_at', 'email_code_hash', 'totp_last_counter', 'totp_secret',
                   'two_step_method'):
        op.drop_column('user_account', column)
