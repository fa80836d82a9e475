"""No doubles: one-off form tokens (a form sent twice does its work once), and a return's
version unique per period and provider, the all-providers return (no provider) included.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submission',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('redirect_to', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_form_submission_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submission'))
    )
    # NULLs are distinct in a plain unique constraint: the all-providers return needs this one.
    op.create_index('uq_return_submission_version_any_provider', 'return_submission',
                    [sa.text('coalesce(provider_id, 0)'), 'period_start', 'period_end', 'version'], unique=True)


def downgrade():
    op.drop_index('uq_return_submission_version_any_provider', table_name='return_submission')
    op.drop_table('form_submission')
