"""Approved minutes by area, stage, activity and month (hours_month without the provider): the
all-provider return read 126,000 summary rows for one quarter at 500 providers, a few hundred
here. Kept in step by app.hours.summary (each recount of hours_month adds what it changed);
filled here from hours_month.

Revision ID: 0044
Revises: 0043
"""
import sqlalchemy as sa
from alembic import op

revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hours_area_month',
    sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stage', sa.Enum('volunteer', 'co_facilitator', 'employee', name='stage', native_enum=False,
                               create_constraint=True, length=20), nullable=False),
    sa.Column('activity_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('area_id', 'stage', 'activity_id', 'month', name=op.f('pk_hours_area_month'))
    )
    op.create_index('ix_hours_area_month_month', 'hours_area_month', ['month'], unique=False)
    # What app.hours.summary.rebuild does, written out: a migration does not import the app.
    op.execute("INSERT INTO hours_area_month (area_id, stage, activity_id, month, minutes, entries) "
               "SELECT area_id, stage, activity_id, month, SUM(minutes), SUM(entries) FROM hours_month "
               "GROUP BY area_id, stage, activity_id, month")


def downgrade():
    op.drop_index('ix_hours_area_month_month', table_name='hours_area_month')
    op.drop_table('hours_area_month')
