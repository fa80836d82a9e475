"""Volunteers hold no contract of any kind: a volunteer role is its own record, with the hours the
volunteer expects to give kept as an expectation, never contracted hours. Every contract in a
volunteer post becomes a volunteer role (its hours the expected hours), and the contract goes.

Revision ID: 0033
Revises: 0032
"""
import sqlalchemy as sa
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

IN_VOLUNTEER_POSTS = "post_id IN (SELECT id FROM post WHERE is_volunteer)"


def upgrade():
    op.create_table('volunteer_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('expected_weekly_hours', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_volunteer_role_ends_after_start')),
    sa.CheckConstraint('expected_weekly_hours IS NULL OR (expected_weekly_hours >= 0 AND expected_weekly_hours <= 48)',
                       name=op.f('ck_volunteer_role_expected_hours_range')),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batch.id'],
                            name=op.f('fk_volunteer_role_import_batch_id_import_batch'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_volunteer_role_person_id_person'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_volunteer_role_post_id_post'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_role'))
    )
    op.create_index('ix_volunteer_role_person_starts', 'volunteer_role', ['person_id', 'starts_on'], unique=False)
    op.create_index('ix_volunteer_role_post', 'volunteer_role', ['post_id'], unique=False)
    op.create_index(op.f('ix_volunteer_role_import_batch_id'), 'volunteer_role', ['import_batch_id'], unique=False)
    op.execute("INSERT INTO volunteer_role (import_batch_id, person_id, post_id, expected_weekly_hours, starts_on, "
               "ends_on) SELECT import_batch_id, person_id, post_id, CASE WHEN weekly_hours > 0 THEN weekly_hours "
               f"END, starts_on, ends_on FROM contract WHERE {IN_VOLUNTEER_POSTS} ORDER BY id")
    op.execute(f"DELETE FROM contract WHERE {IN_VOLUNTEER_POSTS}")


def downgrade():
    op.execute("INSERT INTO contract (import_batch_id, person_id, post_id, weekly_hours, is_sessional, starts_on, "
               "ends_on) SELECT import_batch_id, person_id, post_id, COALESCE(expected_weekly_hours, 0), "
               f"{'false' if op.get_bind().dialect.name == 'postgresql' else '0'}, starts_on, ends_on "
               "FROM volunteer_role ORDER BY id")
    op.drop_index(op.f('ix_volunteer_role_import_batch_id'), table_name='volunteer_role')
    op.drop_index('ix_volunteer_role_post', table_name='volunteer_role')
    op.drop_index('ix_volunteer_role_person_starts', table_name='volunteer_role')
    op.drop_table('volunteer_role')
