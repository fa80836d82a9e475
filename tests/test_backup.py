import sqlite3

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.factory import create_app
from app.models.people import Person


def test_backup_restores_to_the_same_data(world, app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's online backup; PostgreSQL uses pg_dump")
    out = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    people = sorted(db.session.execute(select(Person.ref, Person.first_name, Person.last_name)).all())
    restored = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{out}")
    with restored.app_context():
        assert sorted(db.session.execute(select(Person.ref, Person.first_name, Person.last_name)).all()) == people
        assert db.session.scalar(select(func.count()).select_from(Person)) == 4
    with sqlite3.connect(out) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
