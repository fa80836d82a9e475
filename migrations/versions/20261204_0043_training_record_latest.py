"""Each person's latest record of each course, from the index alone: the compliance counts for
every provider (the all-provider return, the council's compliance page) rank every record by
person and course, latest first. The index holds that order and, on PostgreSQL, the expiry and
result, so the ranking reads no table rows and sorts nothing (0.47 s to 0.23 s at 500
providers). It replaces the index on (person, course, completed) it covers.

Revision ID: 0043
Revises: 0042
"""
import sqlalchemy as sa
from alembic import op

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_training_record_person_course', table_name='training_record')
    op.create_index('ix_training_record_latest', 'training_record',
                    ['person_id', 'course_id', sa.text('completed_on DESC'), sa.text('id DESC')], unique=False,
                    postgresql_include=['expires_on', 'result'])


def downgrade():
    op.drop_index('ix_training_record_latest', table_name='training_record')
    op.create_index('ix_training_record_person_course', 'training_record', ['person_id', 'course_id', 'completed_on'],
                    unique=False)
