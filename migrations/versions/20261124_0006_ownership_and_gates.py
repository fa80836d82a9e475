"""Who owns shared settings, and the barred-list gate.

Activities and courses gain an owning provider: NULL is council-wide (set by the
co-ordinator for the whole contract), otherwise the provider's own. Existing rows
stay council-wide, so nothing anyone logged changes meaning. Stage requirements
gain whether the children's barred list must have been checked.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('activity', 'course'):
        if op.get_context().dialect.name == 'sqlite':
            # SQLite adds a column with its reference in place; no table copy (the
            # tables are referenced by hours and training, which must not be touched).
            op.execute(f'ALTER TABLE {table} ADD COLUMN provider_id INTEGER '
                       f'CONSTRAINT fk_{table}_provider_id_provider REFERENCES provider (id) ON DELETE CASCADE')
        else:
            op.add_column(table, sa.Column('provider_id', sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f'fk_{table}_provider_id_provider'), table, 'provider',
                                  ['provider_id'], ['id'], ondelete='CASCADE')
        op.create_index(op.f(f'ix_{table}_provider_id'), table, ['provider_id'])
    op.add_column('stage_requirement', sa.Column('needs_barred_list', sa.Boolean(), nullable=False,
                                                 server_default=sa.true()))
    op.add_column('audit_event', sa.Column('is_council_setting', sa.Boolean(), nullable=False,
                                           server_default=sa.false()))


def downgrade():
    op.drop_column('audit_event', 'is_council_setting')
    op.drop_column('stage_requirement', 'needs_barred_list')
    for table in ('course', 'activity'):
        op.drop_index(op.f(f'ix_{table}_provider_id'), table_name=table)
        if op.get_context().dialect.name == 'sqlite':
            with op.batch_alter_table(table) as batch_op:
                batch_op.drop_column('provider_id')
        else:
            op.drop_constraint(op.f(f'fk_{table}_provider_id_provider'), table, type_='foreignkey')
            op.drop_column(table, 'provider_id')
