"""Every provider's sessions by day, area and offer (session_day): the summary delivery for all
providers and the all-provider return read, kept in step by app/delivery/summary.py; filled here
from the sessions already recorded.

Revision ID: 0041
Revises: 0040
"""
import sqlalchemy as sa
from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('session_day',
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('offer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('families_attended', sa.Integer(), nullable=False),
    sa.Column('families_new', sa.Integer(), nullable=False),
    sa.Column('online', sa.Integer(), nullable=False),
    sa.Column('out_of_hours', sa.Integer(), nullable=False),
    sa.Column('families_phase_one', sa.Integer(), nullable=False),
    sa.Column('families_pre_diagnosis', sa.Integer(), nullable=False),
    sa.Column('parent_led', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('delivered_on', 'area_id', 'offer_id', name=op.f('pk_session_day'))
    )
    # The same count as app.delivery.summary.rebuild, written out: a migration does not import the app.
    op.execute("""
        INSERT INTO session_day (delivered_on, area_id, offer_id, sessions, families_attended, families_new, online,
                                 out_of_hours, families_phase_one, families_pre_diagnosis, parent_led, minutes)
        SELECT s.delivered_on, s.area_id, s.offer_id, count(*), sum(s.families_attended), sum(s.families_new),
               sum(CASE WHEN s.mode = 'online' THEN 1 ELSE 0 END), sum(CASE WHEN s.out_of_hours THEN 1 ELSE 0 END),
               sum(s.families_phase_one), sum(s.families_pre_diagnosis),
               sum(CASE WHEN led.session_id IS NOT NULL THEN 1 ELSE 0 END), coalesce(sum(m.minutes), 0)
        FROM delivery_session s
        LEFT JOIN (SELECT f.session_id, sum(h.minutes) AS minutes FROM session_facilitator f
                   JOIN hours_entry h ON h.id = f.hours_entry_id WHERE h.status != 'rejected'
                   GROUP BY f.session_id) m ON m.session_id = s.id
        LEFT JOIN (SELECT DISTINCT f.session_id FROM session_facilitator f JOIN person p ON p.id = f.person_id
                   WHERE f.leads AND p.has_lived_experience) led ON led.session_id = s.id
        GROUP BY s.delivered_on, s.area_id, s.offer_id
    """)


def downgrade():
    op.drop_table('session_day')
