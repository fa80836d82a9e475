"""Setting up the establishment on screens: grades gain an owner (NULL is the council's pay
scale, set by the co-ordinator; otherwise a provider's own), and posts gain the dates they
exist between and whether they are paid by the hour.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == 'sqlite':
        # In place, with its reference: no copy of a table that posts and pay points refer to.
        op.execute('ALTER TABLE grade ADD COLUMN provider_id INTEGER '
                   'CONSTRAINT fk_grade_provider_id_provider REFERENCES provider (id) ON DELETE CASCADE')
    else:
        op.add_column('grade', sa.Column('provider_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_grade_provider_id_provider'), 'grade', 'provider', ['provider_id'], ['id'],
                              ondelete='CASCADE')
    op.create_index(op.f('ix_grade_provider_id'), 'grade', ['provider_id'])
    op.add_column('post', sa.Column('starts_on', sa.Date(), nullable=True))
    op.add_column('post', sa.Column('ends_on', sa.Date(), nullable=True))
    op.add_column('post', sa.Column('is_sessional', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    op.drop_column('post', 'is_sessional')
    op.drop_column('post', 'ends_on')
    op.drop_column('post', 'starts_on')
    op.drop_index(op.f('ix_grade_provider_id'), table_name='grade')
    if op.get_context().dialect.name == 'sqlite':
        with op.batch_alter_table('grade') as batch_op:
            batch_op.drop_column('provider_id')
    else:
        op.drop_constraint(op.f('fk_grade_provider_id_provider'), 'grade', type_='foreignkey')
        op.drop_column('grade', 'provider_id')
