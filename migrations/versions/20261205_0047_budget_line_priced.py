"""Each budget line's annual budget as priced, kept on the line (app.establishment.line_prices):
the all-provider return priced every provider's posts on each request (at 500 providers on
PostgreSQL, 85 ms of its time, with 7,000 posts read).

Left empty here: the pricing rules live in the application, which prices a line with no price
kept when it is read, and prices every line at `flask summaries rebuild` (run once after this
upgrade, as after 0032).

Revision ID: 0047
Revises: 0046
"""
import sqlalchemy as sa
from alembic import op

revision = '0047'
down_revision = '0046'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget_line') as batch:
        batch.add_column(sa.Column('priced_pence', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('pricing_problem', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('budget_line') as batch:
        batch.drop_column('pricing_problem')
        batch.drop_column('priced_pence')
