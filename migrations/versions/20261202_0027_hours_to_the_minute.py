"""Hours to the minute: a 37-hour week's day is 7.4 hours (7 h 24 min), which the quarter-hour
rule refused. A provider may still round every entry to the nearest quarter hour.

Revision ID: 0027
Revises: 0026
"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('provider') as batch_op:
        batch_op.add_column(sa.Column('round_hours_to_quarter', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('hours_entry') as batch_op:
        batch_op.drop_constraint(op.f('ck_hours_entry_quarter_hours'), type_='check')


def downgrade():
    # Entries kept to the minute go to the nearest quarter hour so the old rule can hold again.
    nearest = "CASE WHEN {m} < 8 THEN 15 ELSE (({m} + 7) / 15) * 15 END"
    op.execute(f"UPDATE hours_entry SET minutes = {nearest.format(m='minutes')} "
               "WHERE minutes % 15 <> 0 AND minutes > 0")
    op.execute(f"UPDATE hours_entry SET minutes = -({nearest.format(m='(-minutes)')}) "
               "WHERE minutes % 15 <> 0 AND minutes < 0")
    with op.batch_alter_table('hours_entry') as batch_op:
        batch_op.create_check_constraint('quarter_hours', 'minutes % 15 = 0')
    with op.batch_alter_table('provider') as batch_op:
        batch_op.drop_column('round_hours_to_quarter')
