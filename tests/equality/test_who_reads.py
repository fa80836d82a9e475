"""Nobody but the person reads a person's equality answers, and only HR reads the report: area
facilitators, administrators and the co-ordinator are refused the report, and no page they can
open (every GET route) loads anyone's answers or reads them other than counted."""

import pytest
from sqlalchemy import event, select

from app.access import PERMISSIONS
from app.equality import services as equality
from app.extensions import db
from app.models.auth import Role
from app.models.equality import EqualityAnswers
from tests.test_access import ROUTES, _url

pytestmark = pytest.mark.usefixtures("app")
NOT_READERS = [Role.AREA_FACILITATOR, Role.ADMIN, Role.COORDINATOR]


def test_only_hr_holds_the_reporting_permission():
    assert PERMISSIONS["read_equality"].roles == {Role.HR}


@pytest.mark.parametrize("role", NOT_READERS, ids=lambda r: r.value)
def test_the_report_is_refused(world, sign_in, client, role):
    sign_in(world.user(role))
    for path in ("/equality/", "/equality/report.csv?year=2026"):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", NOT_READERS, ids=lambda r: r.value)
def test_no_page_reads_anyones_answers(world, sign_in, client, role):
    equality.save_answers({"sex": "female", "ethnic_group": "white_roma", "disability": "yes_a_lot"}, person=world.me)
    equality.save_answers({"sex": "male"}, person=world.stranger)
    db.session.commit()
    theirs = set(db.session.scalars(select(EqualityAnswers.id)))
    loaded, reads = [], []

    def on_load(target, _context):
        loaded.append(target.id)

    def on_execute(_conn, _cursor, statement, _params, _context, _many):
        text = statement.lower()
        if "equality_answers" in text and "count(" not in text:
            reads.append(statement)

    sign_in(world.user(role))
    event.listen(EqualityAnswers, "load", on_load)
    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        for rule, method in ROUTES:
            if method != "GET" or rule.endpoint == "static":
                continue
            reads_before = len(reads)
            response = client.get(_url(rule, world))
            assert response.status_code < 500, rule.rule
            if rule.endpoint == "equality.my_answers":  # their own answers only, of their own person
                del reads[reads_before:]
            body = response.get_data().decode(errors="ignore")
            # The answer itself appears only where it is offered as a choice, never as someone's.
            assert "Roma" not in body or rule.endpoint in ("equality.my_answers", "recruitment.express_interest"), \
                rule.rule
    finally:
        event.remove(EqualityAnswers, "load", on_load)
        event.remove(db.engine, "before_cursor_execute", on_execute)
    assert not (set(loaded) & theirs)
    assert reads == []


def test_the_check_would_see_a_read(world, sign_in, client):
    """HR's subject access export reads one person's answers: the listener sees it."""
    equality.save_answers({"sex": "female"}, person=world.me)
    db.session.commit()
    loaded = []
    handler = lambda target, _context: loaded.append(target.id)  # noqa: E731
    sign_in(world.user(Role.HR))
    event.listen(EqualityAnswers, "load", handler)
    try:
        assert client.get(f"/people/{world.me.id}/export.zip").status_code == 200
    finally:
        event.remove(EqualityAnswers, "load", handler)
    assert loaded


def test_the_subject_access_export_has_the_persons_answers_only(world, sign_in, client):
    import io
    import zipfile

    equality.save_answers({"sex": "female", "caring": "50_or_more"}, person=world.me)
    equality.save_answers({"sex": "male"}, person=world.neighbour)
    db.session.commit()
    sign_in(world.user(Role.HR))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/people/{world.me.id}/export.zip").data))
    text = archive.read("equality.csv").decode()
    assert "Female" in text and "Yes, 50 or more hours a week" in text and "Male" not in text
    assert "equality.csv" in archive.read("README.txt").decode()
    person_page = client.get(f"/people/{world.me.id}").text
    assert "50 or more hours" not in person_page
