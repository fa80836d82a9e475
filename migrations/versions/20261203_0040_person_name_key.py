"""The people list pages by name (surname, first name, then id) from a row named in the link,
not by OFFSET: its index carries the whole key, so a page is a short walk of the index from that
row whichever page it is.

Revision ID: 0040
Revises: 0039
"""
from alembic import op

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_person_last_first', table_name='person')
    op.create_index('ix_person_name_key', 'person', ['last_name', 'first_name', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_person_name_key', table_name='person')
    op.create_index('ix_person_last_first', 'person', ['last_name', 'first_name'], unique=False)
