"""Delivery sessions by date, then area and offer: every provider's sessions in a period (the
co-ordinator's delivery page and the return) are found by date, not by scanning every session.

Revision ID: 0038
Revises: 0037
"""
from alembic import op

revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_delivery_session_date_area', 'delivery_session', ['delivered_on', 'area_id', 'offer_id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_delivery_session_date_area', table_name='delivery_session')
