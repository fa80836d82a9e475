"""The way in: references asked for by email, each through a one-use link (its hash kept) valid
for 14 days, with the referee's short answers.

Revision ID: 0035
Revises: 0034
"""
import sqlalchemy as sa
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('applicant_reference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('referee_name', sa.String(length=120), nullable=False),
    sa.Column('referee_email', sa.String(length=254), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('known_for', sa.String(length=200), nullable=True),
    sa.Column('recommends', sa.String(length=10), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'],
                            name=op.f('fk_applicant_reference_applicant_id_applicant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applicant_reference')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_applicant_reference_token_hash'))
    )
    op.create_index(op.f('ix_applicant_reference_applicant_id'), 'applicant_reference', ['applicant_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_applicant_reference_applicant_id'), table_name='applicant_reference')
    op.drop_table('applicant_reference')
