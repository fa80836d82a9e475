"""The schema is built by the migrations alone, matches the models, and downgrades."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db
from app.factory import create_app


def _inline_sqlite_reference(diff, diffs) -> bool:
    """SQLite adds a column with its reference in place (migration 0006: no table copy of
    tables that hours and training point at), and SQLAlchemy cannot read the name or
    ON DELETE of such an inline reference back. The pair it reports (remove the unnamed
    one, add the named one) is that reference, not a difference."""
    kind, fk = diff[0], diff[1]
    if kind not in ("remove_fk", "add_fk"):
        return False
    other = "add_fk" if kind == "remove_fk" else "remove_fk"
    signature = lambda c: (c.table.name, tuple(x.name for x in c.columns),  # noqa: E731
                           tuple(e.target_fullname for e in c.elements))
    return any(d[0] == other and signature(d[1]) == signature(fk) for d in diffs)


def test_migrations_build_the_schema_from_empty_and_back(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.db'}")
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert [d for d in diffs if not _inline_sqlite_reference(d, diffs)] == []
        assert "person" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_sqlite_connections_use_wal_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        pragmas = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000,
                       "synchronous": 1}


def test_rebuilding_a_table_keeps_the_rows_that_point_at_it(tmp_path):
    """0022 rebuilds user_account on SQLite: with foreign keys on, dropping the old table would set
    every audit event's actor to nothing (ON DELETE SET NULL) and delete every session."""
    from sqlalchemy import text

    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'kept.db'}")
    with app.app_context():
        upgrade(revision="0021")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO provider (id, name, created_at, email_codes_allowed) "
                                    "VALUES (1, 'P', '2026-01-01', 1)"))
            connection.execute(text(
                "INSERT INTO user_account (id, email, name, password_hash, role, provider_id, session_token, "
                "is_enabled, email_notifications, failed_sign_ins, created_at) VALUES (7, 'a@example.org', 'A', "
                "'x', 'hr', 1, 'tok', 1, 1, 0, '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO audit_event (actor_id, actor_label, action, entity_type, entity_id, summary, "
                "is_council_setting, occurred_at) VALUES (7, 'A', 'x', 'User', 7, 'kept', 0, '2026-01-01')"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT actor_id FROM audit_event")).scalar() == 7
            assert connection.execute(text("SELECT grant_confirmed FROM user_account")).scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_contracts_in_volunteer_posts_become_volunteer_roles(tmp_path):
    """0033: a contract in a volunteer post becomes a volunteer role with its hours as the hours
    expected; a contract in a paid post stays. Made at head, taken back to 0032 (roles become
    contracts again) and forward."""
    from datetime import date

    from sqlalchemy import func, select

    from app.models.establishment import Contract, VolunteerRole

    from .factories import make_area, make_contract, make_grade, make_person, make_post, make_provider

    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'roles.db'}")
    with app.app_context():
        upgrade()
        provider, area = make_provider(), make_area("North Kent")
        volunteer_post = make_post(provider=provider, grade=None, area=area, title="Parent Volunteer")
        paid_post = make_post(provider=provider, grade=make_grade("KR6"), area=area, title="Area Facilitator")
        parent = make_person(provider=provider, area=area, joined_on=date(2026, 1, 5))
        make_contract(person=parent, post=volunteer_post, hours="9.25", starts_on=date(2026, 1, 5))
        staff = make_person(provider=provider, area=area, joined_on=date(2026, 1, 5))
        make_contract(person=staff, post=paid_post, hours="37", starts_on=date(2026, 1, 5))
        parent_id, post_id = parent.id, volunteer_post.id
        db.session.commit()
        db.session.remove()
        downgrade(revision="0032")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM contract").scalar() == 2
        upgrade()
        assert db.session.scalar(select(func.count(Contract.id))) == 1
        role = db.session.scalar(select(VolunteerRole))
        assert (role.person_id, role.post_id, role.expected_weekly_hours, role.starts_on) == (
            parent_id, post_id, 9.25, date(2026, 1, 5))
        db.session.remove()
        db.engine.dispose()


def test_each_training_record_already_there_is_stamped_with_the_day_it_was_superseded(tmp_path):
    """0046: the records made before it get their superseded_on (the next passed or attended
    record's day; none for the latest or a failed one), as app.training.current would stamp them."""
    from datetime import date

    from sqlalchemy import select, update

    from app.models.training import Course, TrainingRecord, TrainingResult
    from app.training.current import differences

    from .factories import make_area, make_person, make_provider

    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'superseded.db'}")
    with app.app_context():
        upgrade()
        person = make_person(provider=make_provider(), area=make_area("North Kent"), joined_on=date(2025, 1, 5))
        course = Course(name="Safeguarding", provider_name="Trainer", hours=3)
        db.session.add(course)
        db.session.flush()
        for day, result in ((date(2025, 2, 1), "passed"), (date(2025, 3, 1), "failed"), (date(2025, 6, 1), "attended"),
                            (date(2025, 6, 1), "passed")):
            db.session.add(TrainingRecord(person_id=person.id, course_id=course.id, completed_on=day,
                                          result=TrainingResult(result), cost_pence=0))
        db.session.commit()
        db.session.connection().execute(update(TrainingRecord.__table__).values(superseded_on=None))
        db.session.commit()
        db.session.remove()
        downgrade(revision="0045")
        upgrade()
        assert list(db.session.scalars(select(TrainingRecord.superseded_on).order_by(TrainingRecord.id))) == [
            date(2025, 6, 1), None, date(2025, 6, 1), None]
        assert differences(db.session.connection()) == []
        db.session.remove()
        db.engine.dispose()
