"""The way in: training done and checks made while on the way in, kept on the application and
carried to the person record when they start.

Revision ID: 0037
Revises: 0036
"""
import sqlalchemy as sa
from alembic import op

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('applicant_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('check_kind', sa.String(length=30), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=True),
    sa.Column('reference_number', sa.String(length=40), nullable=True),
    sa.Column('barred_list', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('carried_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("check_kind IS NULL OR check_kind IN ('dbs', 'right_to_work', 'reference')", name=op.f('ck_applicant_record_known_check')),
    sa.CheckConstraint("result IS NULL OR result IN ('passed', 'attended', 'failed')", name=op.f('ck_applicant_record_known_result')),
    sa.CheckConstraint('(course_id IS NULL AND check_kind IS NOT NULL) OR (course_id IS NOT NULL AND check_kind IS NULL)', name=op.f('ck_applicant_record_training_or_check')),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_applicant_record_applicant_id_applicant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_applicant_record_course_id_course'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_applicant_record_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applicant_record'))
    )
    op.create_index(op.f('ix_applicant_record_applicant_id'), 'applicant_record', ['applicant_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_applicant_record_applicant_id'), table_name='applicant_record')
    op.drop_table('applicant_record')
