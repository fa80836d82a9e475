"""Approved minutes by provider, area, stage, activity and month: the summary the return reads
instead of a quarter's raw hours, kept in step by app.hours.summary and filled here from the
raw rows (what `flask summaries rebuild` does).

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hours_month',
    sa.Column('provider_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stage', sa.Enum('volunteer', 'co_facilitator', 'employee', name='stage', native_enum=False,
                               create_constraint=True, length=20), nullable=False),
    sa.Column('activity_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('provider_id', 'area_id', 'stage', 'activity_id', 'month', name=op.f('pk_hours_month'))
    )
    op.create_index('ix_hours_month_month', 'hours_month', ['month'], unique=False)
    month = ("CAST(CAST(strftime('%Y', h.worked_on) AS INTEGER) * 100 + CAST(strftime('%m', h.worked_on) AS INTEGER)"
             " AS INTEGER)" if op.get_context().dialect.name == 'sqlite'
             else "CAST(EXTRACT(year FROM h.worked_on) * 100 + EXTRACT(month FROM h.worked_on) AS INTEGER)")
    op.execute(
        "INSERT INTO hours_month (provider_id, area_id, stage, activity_id, month, minutes, entries) "
        f"SELECT p.provider_id, p.area_id, p.stage, h.activity_id, {month}, SUM(h.minutes), COUNT(*) "
        "FROM hours_entry h JOIN person p ON p.id = h.person_id WHERE h.status = 'approved' "
        f"GROUP BY p.provider_id, p.area_id, p.stage, h.activity_id, {month}")


def downgrade():
    op.drop_index('ix_hours_month_month', table_name='hours_month')
    op.drop_table('hours_month')
