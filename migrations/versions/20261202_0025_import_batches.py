"""Imports that can be taken back: each file imported is a batch (who, when, the file's name and
checksum, how many rows it added and skipped), and every row an import adds names its batch.

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

TABLES = ('person', 'hours_entry', 'contract', 'person_check', 'training_record', 'expense_claim', 'post',
          'delivery_session', 'certificate')


def upgrade():
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('rows_added', sa.Integer(), nullable=False),
    sa.Column('rows_skipped', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_label', sa.String(length=200), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_import_batch_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    op.create_index(op.f('ix_import_batch_checksum'), 'import_batch', ['checksum'], unique=False)
    op.create_index(op.f('ix_import_batch_provider_id'), 'import_batch', ['provider_id'], unique=False)
    sqlite = op.get_context().dialect.name == 'sqlite'
    for table in TABLES:
        name = f'fk_{table}_import_batch_id_import_batch'
        if sqlite:  # in place, with its reference: no copy of tables this large and this referred to
            op.execute(f'ALTER TABLE {table} ADD COLUMN import_batch_id INTEGER CONSTRAINT {name} '
                       'REFERENCES import_batch (id) ON DELETE SET NULL')
        else:
            op.add_column(table, sa.Column('import_batch_id', sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, 'import_batch', ['import_batch_id'], ['id'], ondelete='SET NULL')
        op.create_index(f'ix_{table}_import_batch_id', table, ['import_batch_id'], unique=False)


def downgrade():
    sqlite = op.get_context().dialect.name == 'sqlite'
    for table in TABLES:
        op.drop_index(f'ix_{table}_import_batch_id', table_name=table)
        if sqlite:
            with op.batch_alter_table(table) as batch_op:
                batch_op.drop_column('import_batch_id')
        else:
            op.drop_constraint(f'fk_{table}_import_batch_id_import_batch', table, type_='foreignkey')
            op.drop_column(table, 'import_batch_id')
    op.drop_index(op.f('ix_import_batch_provider_id'), table_name='import_batch')
    op.drop_index(op.f('ix_import_batch_checksum'), table_name='import_batch')
    op.drop_table('import_batch')
