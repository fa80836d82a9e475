"""Equality monitoring: a person's or applicant's optional answers (ONS 2021 census categories,
each declinable), in a table of their own, apart from the person record.

Revision ID: 0036
Revises: 0035
"""
import sqlalchemy as sa
from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('equality_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('age_band', sa.String(length=20), nullable=True),
    sa.Column('sex', sa.String(length=20), nullable=True),
    sa.Column('gender_same', sa.String(length=20), nullable=True),
    sa.Column('ethnic_group', sa.String(length=40), nullable=True),
    sa.Column('disability', sa.String(length=20), nullable=True),
    sa.Column('caring', sa.String(length=20), nullable=True),
    sa.Column('lived_experience', sa.String(length=20), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("age_band IS NULL OR age_band IN ('16_24', '25_34', '35_44', '45_54', '55_64', '65_over', 'prefer_not')", name=op.f('ck_equality_answers_known_age_band')),
    sa.CheckConstraint("caring IS NULL OR caring IN ('no', 'up_to_19', '20_to_49', '50_or_more', 'prefer_not')", name=op.f('ck_equality_answers_known_caring')),
    sa.CheckConstraint("disability IS NULL OR disability IN ('yes_a_lot', 'yes_a_little', 'no', 'prefer_not')", name=op.f('ck_equality_answers_known_disability')),
    sa.CheckConstraint("ethnic_group IS NULL OR ethnic_group IN ('asian_indian', 'asian_pakistani', 'asian_bangladeshi', 'asian_chinese', 'asian_other', 'black_african', 'black_caribbean', 'black_other', 'mixed_white_black_caribbean', 'mixed_white_black_african', 'mixed_white_asian', 'mixed_other', 'white_british', 'white_irish', 'white_gypsy', 'white_roma', 'white_other', 'other_arab', 'other_any', 'prefer_not')", name=op.f('ck_equality_answers_known_ethnic_group')),
    sa.CheckConstraint("gender_same IS NULL OR gender_same IN ('yes', 'no', 'prefer_not')", name=op.f('ck_equality_answers_known_gender_same')),
    sa.CheckConstraint("lived_experience IS NULL OR lived_experience IN ('yes', 'no', 'prefer_not')", name=op.f('ck_equality_answers_known_lived_experience')),
    sa.CheckConstraint("sex IS NULL OR sex IN ('female', 'male', 'prefer_not')", name=op.f('ck_equality_answers_known_sex')),
    sa.CheckConstraint('person_id IS NOT NULL OR applicant_id IS NOT NULL', name=op.f('ck_equality_answers_belongs_to_someone')),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], name=op.f('fk_equality_answers_applicant_id_applicant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_equality_answers_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_equality_answers_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equality_answers')),
    sa.UniqueConstraint('applicant_id', name=op.f('uq_equality_answers_applicant_id')),
    sa.UniqueConstraint('person_id', name=op.f('uq_equality_answers_person_id'))
    )
    op.create_index(op.f('ix_equality_answers_provider_id'), 'equality_answers', ['provider_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_equality_answers_provider_id'), table_name='equality_answers')
    op.drop_table('equality_answers')
