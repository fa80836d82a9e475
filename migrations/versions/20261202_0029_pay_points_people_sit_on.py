"""Pay as people are paid: a grade's numbered points (spinal column points), each with an
amount from a date; a sessional grade's hourly rate from a date; the point a person sits on in a
grade from a date (placed when they start, moved by HR); and when a provider's increments fall
(each 1 April, or the anniversary of the placement).

Revision ID: 0029
Revises: 0028
"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grade_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=False),
    sa.Column('point', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('annual_pence', sa.Integer(), nullable=False),
    sa.CheckConstraint('annual_pence > 0', name=op.f('ck_grade_point_amount_positive')),
    sa.CheckConstraint('point BETWEEN 1 AND 99', name=op.f('ck_grade_point_point_range')),
    sa.ForeignKeyConstraint(['grade_id'], ['grade.id'], name=op.f('fk_grade_point_grade_id_grade'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_point')),
    sa.UniqueConstraint('grade_id', 'point', 'effective_from', name=op.f('uq_grade_point_grade_id'))
    )
    op.create_table('hourly_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('pence_per_hour', sa.Integer(), nullable=False),
    sa.CheckConstraint('pence_per_hour > 0', name=op.f('ck_hourly_rate_rate_positive')),
    sa.ForeignKeyConstraint(['grade_id'], ['grade.id'], name=op.f('fk_hourly_rate_grade_id_grade'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hourly_rate')),
    sa.UniqueConstraint('grade_id', 'effective_from', name=op.f('uq_hourly_rate_grade_id'))
    )
    op.create_table('point_placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=False),
    sa.Column('point', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.CheckConstraint('point BETWEEN 1 AND 99', name=op.f('ck_point_placement_point_range')),
    sa.ForeignKeyConstraint(['grade_id'], ['grade.id'], name=op.f('fk_point_placement_grade_id_grade'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_point_placement_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_placement')),
    sa.UniqueConstraint('person_id', 'grade_id', 'effective_from', name=op.f('uq_point_placement_person_id'))
    )
    op.create_index(op.f('ix_grade_point_grade_id'), 'grade_point', ['grade_id'], unique=False)
    op.create_index(op.f('ix_hourly_rate_grade_id'), 'hourly_rate', ['grade_id'], unique=False)
    op.create_index(op.f('ix_point_placement_person_id'), 'point_placement', ['person_id'], unique=False)
    with op.batch_alter_table('provider') as batch_op:
        batch_op.add_column(sa.Column('increment_on', sa.String(length=12), server_default='april', nullable=False))


def downgrade():
    with op.batch_alter_table('provider') as batch_op:
        batch_op.drop_column('increment_on')
    op.drop_index(op.f('ix_point_placement_person_id'), table_name='point_placement')
    op.drop_index(op.f('ix_hourly_rate_grade_id'), table_name='hourly_rate')
    op.drop_index(op.f('ix_grade_point_grade_id'), table_name='grade_point')
    op.drop_table('point_placement')
    op.drop_table('hourly_rate')
    op.drop_table('grade_point')
