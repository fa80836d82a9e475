"""Test set-up: one real database per run (SQLite, or PostgreSQL via DATABASE_URL),
built by the migrations, emptied after every test."""

import hashlib
import os
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import current_app
from flask_migrate import upgrade
from hypothesis import settings
from sqlalchemy import text
from werkzeug.serving import make_server

from app.extensions import db
from app.factory import create_app
from app.models.auth import Role, User
from app.models.certificates import Certificate
from app.models.expenses import PaymentBatch
from app.models.jobs import Job, JobStatus
from app.models.people import Area, Person, Provider
from app.models.returns import ReturnSubmission
from app.models.training import TrainingResult
from app.training.services import record_training

from .factories import (
    PASSWORD,
    app_code,
    make_area,
    make_claim,
    make_contract_year,
    make_course,
    make_hours,
    make_person,
    make_provider,
    make_user,
)

# CI explores the same examples every run, so a pass or a failure is reproducible;
# locally hypothesis keeps exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SCHEMA_CACHE = Path(__file__).resolve().parent.parent / ".pytest_cache" / "schema"


def _cached_schema() -> Path:
    """Where the SQLite database these migrations build is kept, named by a hash of them."""
    digest = hashlib.sha256()
    for source in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(str(source.relative_to(MIGRATIONS)).encode() + source.read_bytes())
    return SCHEMA_CACHE / f"{digest.hexdigest()[:16]}.db"


def _migrated_sqlite(path: Path) -> bool:
    """Copy in the SQLite database the migrations built on an earlier run, if they are unchanged
    since: building one takes two seconds that a run of a single test file should not pay.
    The migrations are still what builds it, and tests/test_migrations.py proves they reach
    the models' schema on both databases."""
    if _cached_schema().exists():
        shutil.copyfile(_cached_schema(), path)
        return True
    return False


def _keep_migrated_sqlite(path: Path) -> None:
    SCHEMA_CACHE.mkdir(parents=True, exist_ok=True)
    partial = _cached_schema().with_suffix(f".{os.getpid()}.partial")
    with sqlite3.connect(path) as source, sqlite3.connect(partial) as copy:
        source.backup(copy)  # a whole, consistent copy, whatever is still in the write-ahead log
    partial.replace(_cached_schema())


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    overrides = {"RECEIPT_DIR": str(tmp_path_factory.mktemp("receipts"))}
    sqlite_path, from_cache = None, False
    if not os.environ.get("DATABASE_URL"):
        sqlite_path = tmp_path_factory.mktemp("db") / "test.db"
        from_cache = _migrated_sqlite(sqlite_path)
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{sqlite_path}"
    overrides["JOB_RESULTS_DIR"] = str(tmp_path_factory.mktemp("job-results"))
    overrides["CHART_CACHE_DIR"] = str(tmp_path_factory.mktemp("chart-cache"))
    app = create_app("test", **overrides)
    from app.jobs.queue import huey, mail_huey

    huey.immediate = mail_huey.immediate = True  # background tasks run in the test, on the test database
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        if not from_cache:
            upgrade()
            if sqlite_path is not None:
                db.engine.dispose()
                _keep_migrated_sqlite(sqlite_path)
        _snapshot_reference_data()
    return app


# Reference data the migrations seed: put back as it was after every test, so a test
# that retires an activity or changes a requirement cannot change the next one.
KEEP = {"activity", "expense_category", "mileage_rate", "stage_requirement", "volunteer_hour_value", "offer",
        "delivery_plan", "delivery_baseline", "leaving_reason"}
_REFERENCE: dict[str, list[dict]] = {}
_REFERENCE_ROWS: dict[str, set[tuple]] = {}  # the same rows, to compare with what a test left
_KEPT_SEQUENCES: list[str] = []  # PostgreSQL: the id sequences of those tables


def _kept_tables():
    return [table for table in db.metadata.sorted_tables if table.name in KEEP]


def _snapshot_reference_data() -> None:
    for table in _kept_tables():
        rows = db.session.execute(table.select()).all()
        _REFERENCE[table.name] = [dict(row._mapping) for row in rows]
        _REFERENCE_ROWS[table.name] = {tuple(row) for row in rows}
        if db.engine.dialect.name == "postgresql" and "id" in table.c:
            _KEPT_SEQUENCES.append(db.session.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                                     {"table": table.name}))


def _reference_data_changed() -> bool:
    """Whether a test left the reference data other than the migrations seeded it: reading
    it is quicker than putting it all back after every test."""
    return any(_REFERENCE_ROWS[table.name] != {tuple(row) for row in db.session.execute(table.select())}
               for table in _kept_tables())


def _restore_reference_data() -> None:
    kept = _kept_tables()
    for table in reversed(kept):  # rows that refer to others (an offer's activity) go first
        db.session.execute(table.delete())
    for table in kept:
        if _REFERENCE[table.name]:
            db.session.execute(table.insert(), _REFERENCE[table.name])
        if db.engine.dialect.name == "postgresql" and "id" in table.c:
            # Rows went back with their ids: the next new row must get an id after them.
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


# Never emptied: the data's generation only moves on, so nothing kept for one test's data is
# given to the next (app.generation).
NEVER_EMPTIED = {"data_generation"}


@cache
def _deletes() -> tuple[str, ...]:
    """A DELETE for every table a test may fill, those that refer to others first; rows
    pointing at rows of the same table (corrections) go before the rest of their table."""
    statements = []
    for table in reversed([t for t in db.metadata.sorted_tables if t.name not in KEEP | NEVER_EMPTIED]):
        for fk in table.foreign_keys:
            if fk.column.table is table:
                statements.append(f'DELETE FROM "{table.name}" WHERE "{fk.parent.name}" IS NOT NULL')
        statements.append(f'DELETE FROM "{table.name}"')
    return tuple(statements)


def _empty_tables() -> None:
    """Delete every row a test made. On PostgreSQL the DELETEs go in one round trip, and
    are far quicker than a TRUNCATE, which makes new files for every table it names (a
    quarter of a second a test for this schema); the sequences the test used start again
    at 1, as TRUNCATE ... RESTART IDENTITY would have made them."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(";\n".join(_deletes())))
        db.session.execute(text("SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) "
                                "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL "
                                "AND format('%I.%I', schemaname, sequencename) <> ALL(:kept)"),
                           {"kept": _KEPT_SEQUENCES})
    else:
        for statement in _deletes():
            db.session.execute(text(statement))
    if _reference_data_changed():
        _restore_reference_data()
    db.session.commit()


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class World:
    provider: Provider
    other_provider: Provider
    north: Area
    south: Area
    me: Person  # the volunteer who signs in
    neighbour: Person  # same provider and area as me
    south_person: Person  # same provider, other area
    stranger: Person  # other provider, same area name
    users: dict[Role, User]
    other_hr: User
    entry: object  # a submitted hours entry of mine
    claim: object  # a submitted expense claim of mine, one parking line with a receipt
    paid_claim: object
    batch: object
    course: object
    certificate: object
    job: object
    submission: object

    def user(self, role: Role) -> User:
        return self.users[role]


@pytest.fixture
def world() -> World:
    provider, other = make_provider(name="Provider A"), make_provider(name="Provider B")
    north, south = make_area("North Kent"), make_area("South Kent")
    me = make_person(provider=provider, area=north, first_name="Vera", last_name="Volunteer")
    neighbour = make_person(provider=provider, area=north, first_name="Nina", last_name="Neighbour")
    south_person = make_person(provider=provider, area=south, first_name="Sam", last_name="South")
    stranger = make_person(provider=other, area=north, first_name="Stan", last_name="Stranger")
    users = {
        Role.VOLUNTEER: make_user(Role.VOLUNTEER, provider=provider, person=me),
        Role.AREA_FACILITATOR: make_user(Role.AREA_FACILITATOR, provider=provider, area=north),
        Role.HR: make_user(Role.HR, provider=provider),
        Role.ADMIN: make_user(Role.ADMIN, provider=provider),
        Role.COORDINATOR: make_user(Role.COORDINATOR),
    }
    other_hr = make_user(Role.HR, provider=other)
    make_contract_year(provider)
    entry = make_hours(me, worked_on=date(2026, 1, 5), hours="2", status="submitted")
    claim = make_claim(me)
    paid = make_claim(me, status="paid")
    batch = PaymentBatch(provider_id=provider.id, reference="BATCH-1", paid_on=date(2026, 3, 1))
    batch.claims.append(paid)
    db.session.add(batch)
    course = make_course("Safeguarding children (level 1)", validity_months=12, required_for=["co_facilitator"])
    record = record_training(me, course, completed_on=date(2026, 2, 1), result=TrainingResult.PASSED,
                             cost_pence=None, actor=users[Role.HR], today=date(2026, 11, 23))
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.training_record_id == record.id))
    job = Job(kind="certificates", requested_by_id=users[Role.HR].id, provider_id=provider.id,
              status=JobStatus.DONE, total=1, done=1, result_file="world-job", result_name="certificates.zip",
              content_type="application/zip")
    db.session.add(job)
    submission = ReturnSubmission(provider_id=provider.id, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30),
                                  version=1, submitted_by_label="HR", figures=[["All", "headcount", "volunteer", 3]])
    db.session.add(submission)
    (Path(current_app.config["JOB_RESULTS_DIR"]) / "world-job").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    db.session.commit()
    return World(provider, other, north, south, me, neighbour, south_person, stranger, users,
                 other_hr, entry, claim, paid, batch, course, certificate, job, submission)


def sign_in_with(client, user: User, password: str = PASSWORD, *, path: str = "/sign-in"):
    """Both steps of signing in, through the real forms: the password, then (for staff, or a
    parent who turned it on) the code from their authenticator app. Returns the last response."""
    response = client.post(path, data={"email": user.email, "password": password})
    assert response.status_code == 302, "sign-in failed"
    if "/sign-in/second-step" in response.headers["Location"]:
        response = client.post("/sign-in/second-step", data={"code": app_code(user)})
        assert response.status_code == 302, "second step failed"
    return response


@pytest.fixture
def sign_in(client):
    """Sign the test client in through the real sign-in form."""

    def _sign_in(user: User, password: str = PASSWORD):
        sign_in_with(client, user, password)
        return client

    return _sign_in


def count_statements(client, path: str) -> int:
    """How many SQL statements one GET of ``path`` makes (asserting it answers 200)."""
    from flask import g
    from sqlalchemy import event

    statements = []
    g.pop("_login_user", None)  # the test's app context outlives each request
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def error_messages(response) -> list[str]:
    return [e.get_text(" ", strip=True).removeprefix("Error:").strip()
            for e in page(response).select(".govuk-error-message")]


@pytest.fixture
def smtp(app):
    """A real SMTP server on a loopback port; the app sends to it. Yields the messages received."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config.get(key) for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_USERNAME")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_USERNAME=None)
    try:
        yield received
    finally:
        app.config.update(saved)
        controller.stop()


def text_of(message) -> str:
    """The plain-text part of a received message."""
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def redis_url():
    """A throw-away redis-server's address: `make test-redis` starts one (scripts/with-redis.sh)
    and names it in REDIS_URL; without it, tests that need it are skipped."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("no redis-server: run `make test-redis`")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def server(app):
    """The app with CSRF on, as users get it, sharing the test database."""
    # Mail settings follow the test app's, so a test that asks for the `smtp` fixture first
    # has the live server send to that real SMTP server.
    mail = {key: app.config.get(key) for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_USERNAME")}
    live = create_app("test", WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      RECEIPT_DIR=app.config["RECEIPT_DIR"], JOB_RESULTS_DIR=app.config["JOB_RESULTS_DIR"], **mail)
    httpd = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
