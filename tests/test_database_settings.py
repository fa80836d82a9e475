"""What every database connection is set to, whichever engine made it (the app's, the worker's)."""

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from app.factory import POSTGRESQL_WORK_MEM


def test_postgresql_plans_each_statement_for_its_own_values_and_sorts_in_memory(app):
    """psycopg prepares a statement run often; PostgreSQL would then plan it once for any values
    (the return's compliance count so planned took three times as long). Each connection, a
    fresh one too, plans for the values given and has the memory to sort the return's counts,
    through a rollback as well."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans every statement afresh")
    other = create_engine(db.engine.url.render_as_string(hide_password=False))
    try:
        for engine in (db.engine, other):
            with engine.connect() as connection:
                for _ in range(2):
                    assert connection.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
                    assert connection.scalar(text("SHOW work_mem")) == POSTGRESQL_WORK_MEM
                    connection.rollback()
    finally:
        other.dispose()
