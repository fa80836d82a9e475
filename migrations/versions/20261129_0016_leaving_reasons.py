"""Why people leave, from a short list kept as data: leaving for paid work or training is the
pathway working. Earlier leavers have no reason recorded.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

REASONS = [("paid_work", "Paid work elsewhere", True), ("education", "Education or training", True),
           ("caring", "Caring responsibilities", False), ("health", "Health", False),
           ("moved", "Moved away", False), ("other", "Other", False), ("not_known", "Not known", False)]


def upgrade():
    reason = op.create_table('leaving_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('is_progression', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaving_reason')),
    sa.UniqueConstraint('code', name=op.f('uq_leaving_reason_code'))
    )
    op.bulk_insert(reason, [{"code": code, "label": label, "is_progression": progression, "sort_order": order}
                            for order, (code, label, progression) in enumerate(REASONS, start=1)])
    if op.get_context().dialect.name == 'sqlite':
        # In place, with its reference: the person table is referred to by nearly everything.
        op.execute('ALTER TABLE person ADD COLUMN leaving_reason_id INTEGER CONSTRAINT '
                   'fk_person_leaving_reason_id_leaving_reason REFERENCES leaving_reason (id) ON DELETE RESTRICT')
    else:
        op.add_column('person', sa.Column('leaving_reason_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_person_leaving_reason_id_leaving_reason'), 'person', 'leaving_reason',
                              ['leaving_reason_id'], ['id'], ondelete='RESTRICT')


def downgrade():
    if op.get_context().dialect.name == 'sqlite':
        with op.batch_alter_table('person') as batch_op:
            batch_op.drop_column('leaving_reason_id')
    else:
        op.drop_constraint(op.f('fk_person_leaving_reason_id_leaving_reason'), 'person', type_='foreignkey')
        op.drop_column('person', 'leaving_reason_id')
    op.drop_table('leaving_reason')
