"""Delivery against the commissioned model: the offers and the council's plan for each (from
the cabinet paper's table), the 2019 baseline, programme cohorts, and sessions delivered with
their facilitators. Families are counts only: no table holds a family's name or identifier.

Revision ID: 0015
Revises: 0014
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# (offer, kind, activity, sessions a week per area, families a session, churn, cohorts a year, families a year)
PLAN = [
    ("Peer support group", "peer_support", "Peer support group", 1, 12, "6 weekly", 8, 96),
    ("1:1 family advice", "family_advice", "1:1 family advice", 2, 2, "4 weekly", 12, 24),
    ("Workshop", "workshop", "Workshop", 1, 12, "2 weekly", 25, 300),
    ("Evidence-based programme", "programme", "Evidence-based programme", 2, 24, "Per term (6)", 12, 144),
]


def upgrade():
    offer = op.create_table('offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('peer_support', 'family_advice', 'workshop', 'programme', name='offer_kind',
                              native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_offer_activity_id_activity'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer')),
    sa.UniqueConstraint('name', name=op.f('uq_offer_name'))
    )
    plan = op.create_table('delivery_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('sessions_per_week', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('families_per_session', sa.Integer(), nullable=False),
    sa.Column('churn', sa.String(length=30), nullable=False),
    sa.Column('cohorts_per_year', sa.Integer(), nullable=False),
    sa.Column('families_per_year', sa.Integer(), nullable=False),
    sa.CheckConstraint('families_per_year >= 0', name=op.f('ck_delivery_plan_families_non_negative')),
    sa.CheckConstraint('sessions_per_week >= 0', name=op.f('ck_delivery_plan_sessions_non_negative')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_delivery_plan_offer_id_offer'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_delivery_plan_provider_id_provider'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_plan'))
    )
    op.create_index(op.f('ix_delivery_plan_provider_id'), 'delivery_plan', ['provider_id'], unique=False)
    baseline = op.create_table('delivery_baseline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('programmes', sa.Integer(), nullable=False),
    sa.Column('families', sa.Integer(), nullable=False),
    sa.Column('diagnosis_share_pct', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('increase_pct', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_baseline'))
    )
    op.create_table('cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('programme', sa.String(length=60), nullable=False),
    sa.Column('required_course_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('sessions_planned', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_cohort_area_id_area'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_cohort_offer_id_offer'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_cohort_provider_id_provider'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['required_course_id'], ['course.id'], name=op.f('fk_cohort_required_course_id_course'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort'))
    )
    op.create_index(op.f('ix_cohort_provider_id'), 'cohort', ['provider_id'], unique=False)
    op.create_table('delivery_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('ends_at', sa.Time(), nullable=False),
    sa.Column('mode', sa.Enum('face_to_face', 'online', name='session_mode', native_enum=False,
                              create_constraint=True, length=20), nullable=False),
    sa.Column('venue', sa.String(length=120), nullable=True),
    sa.Column('out_of_hours', sa.Boolean(), nullable=False),
    sa.Column('families_attended', sa.Integer(), nullable=False),
    sa.Column('families_new', sa.Integer(), nullable=False),
    sa.Column('families_phase_one', sa.Integer(), nullable=False),
    sa.Column('families_pre_diagnosis', sa.Integer(), nullable=False),
    sa.Column('flag', sa.String(length=300), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_delivery_session_ends_after_start')),
    sa.CheckConstraint('families_attended >= 0 AND families_new >= 0 AND families_phase_one >= 0 '
                       'AND families_pre_diagnosis >= 0', name=op.f('ck_delivery_session_counts_non_negative')),
    sa.CheckConstraint('families_new <= families_attended AND families_phase_one <= families_attended '
                       'AND families_pre_diagnosis <= families_attended',
                       name=op.f('ck_delivery_session_counts_within_attended')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_delivery_session_area_id_area'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_delivery_session_cohort_id_cohort'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_delivery_session_offer_id_offer'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_delivery_session_provider_id_provider'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                            name=op.f('fk_delivery_session_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_session'))
    )
    op.create_index('ix_delivery_session_provider_date', 'delivery_session', ['provider_id', 'delivered_on'],
                    unique=False)
    op.create_table('session_facilitator',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('leads', sa.Boolean(), nullable=False),
    sa.Column('hours_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['hours_entry_id'], ['hours_entry.id'],
                            name=op.f('fk_session_facilitator_hours_entry_id_hours_entry'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_session_facilitator_person_id_person'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['session_id'], ['delivery_session.id'],
                            name=op.f('fk_session_facilitator_session_id_delivery_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'person_id', name=op.f('pk_session_facilitator'))
    )

    # The cabinet paper's model, as data: HR can set a provider's own plan from a date.
    connection = op.get_bind()
    activities = dict(connection.execute(sa.text("SELECT name, id FROM activity")).all())
    op.bulk_insert(offer, [{"name": name, "kind": kind, "activity_id": activities[activity], "sort_order": order}
                           for order, (name, kind, activity, *_rest) in enumerate(PLAN, start=1)])
    offers = dict(connection.execute(sa.text("SELECT name, id FROM offer")).all())
    op.bulk_insert(plan, [{"provider_id": None, "offer_id": offers[name], "effective_from": date(2025, 4, 1),
                           "sessions_per_week": per_week, "families_per_session": families, "churn": churn,
                           "cohorts_per_year": cohorts, "families_per_year": per_year}
                          for name, _kind, _activity, per_week, families, churn, cohorts, per_year in PLAN])
    op.bulk_insert(baseline, [{"year": 2019, "programmes": 31, "families": 372, "diagnosis_share_pct": 6.8,
                               "increase_pct": 42}])


def downgrade():
    op.drop_table('session_facilitator')
    op.drop_index('ix_delivery_session_provider_date', table_name='delivery_session')
    op.drop_table('delivery_session')
    op.drop_index(op.f('ix_cohort_provider_id'), table_name='cohort')
    op.drop_table('cohort')
    op.drop_table('delivery_baseline')
    op.drop_index(op.f('ix_delivery_plan_provider_id'), table_name='delivery_plan')
    op.drop_table('delivery_plan')
    op.drop_table('offer')
