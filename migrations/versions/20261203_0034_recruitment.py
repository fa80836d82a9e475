"""The way in: expressions of interest from parents, and each provider's stages from there to a
first day as a Parent Volunteer.

Revision ID: 0034
Revises: 0033
"""
import sqlalchemy as sa
from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recruitment_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_recruitment_stage_provider_id_provider'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_stage'))
    )
    op.create_index('ix_recruitment_stage_provider_order', 'recruitment_stage', ['provider_id', 'sort_order'],
                    unique=False)
    op.create_table('applicant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('contact_by', sa.String(length=10), nullable=False),
    sa.Column('heard_from', sa.String(length=20), nullable=False),
    sa.Column('interests', sa.Text(), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=20), nullable=True),
    sa.Column('withdrawn_note', sa.String(length=200), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_new', sa.Boolean(), nullable=False),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("contact_by IN ('email', 'phone', 'group')", name=op.f('ck_applicant_known_contact')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_applicant_area_id_area'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_applicant_person_id_person'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_applicant_provider_id_provider'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['stage_id'], ['recruitment_stage.id'], name=op.f('fk_applicant_stage_id_recruitment_stage'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applicant'))
    )
    op.create_index('ix_applicant_provider_stage', 'applicant', ['provider_id', 'stage_id'], unique=False)
    op.create_index(op.f('ix_applicant_person_id'), 'applicant', ['person_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_applicant_person_id'), table_name='applicant')
    op.drop_index('ix_applicant_provider_stage', table_name='applicant')
    op.drop_table('applicant')
    op.drop_index('ix_recruitment_stage_provider_order', table_name='recruitment_stage')
    op.drop_table('recruitment_stage')
