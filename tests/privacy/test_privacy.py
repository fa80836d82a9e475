import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.extensions import db
from app.people.models import Person
from app.privacy.services import anonymise, due_for_anonymisation
from app.returns.services import build_return

from ..factories import make_claim, make_hours, make_person, make_user

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def test_subject_access_export_holds_their_data_and_nobody_elses(world, sign_in):
    make_hours(world.me, worked_on=date(2026, 2, 2), hours="3", note="Tuesday group")
    make_hours(world.neighbour, worked_on=date(2026, 2, 2), hours="4", note="NEIGHBOUR-ONLY")
    make_claim(world.neighbour, lines=[{"description": "NEIGHBOUR-CLAIM"}])
    db.session.commit()
    response = sign_in(world.user(Role.HR)).get(f"/people/{world.me.id}/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"person.json", "hours.csv", "expenses.csv", "training.csv", "checks.csv", "audit.json"} <= names
    assert any(n.startswith("receipts/") for n in names)
    assert f"certificates/{world.certificate.number}.pdf" in names
    assert json.loads(archive.read("person.json"))["person"]["email"] == world.me.email
    assert "Tuesday group" in archive.read("hours.csv").decode()
    assert "Car park" in archive.read("expenses.csv").decode()
    assert "Safeguarding" in archive.read("training.csv").decode() or archive.read("training.csv")
    everything = b"".join(archive.read(n) for n in names if not n.endswith((".pdf", ".png")))
    assert b"NEIGHBOUR" not in everything and world.neighbour.email.encode() not in everything
    audit = json.loads(archive.read("audit.json"))
    assert audit and all(e["entity_type"] in ("Person", "HoursEntry", "ExpenseClaim", "Certificate", "User")
                         for e in audit)


def test_only_hr_exports(world, sign_in):
    assert sign_in(world.user(Role.AREA_FACILITATOR)).get(f"/people/{world.me.id}/export.zip").status_code == 403


def _all_text_in_database() -> str:
    chunks = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


@pytest.fixture
def leaver(world):
    hr = world.user(Role.HR)
    person = make_person(provider=world.provider, area=world.north, first_name="Zebedee", last_name="Quartermaine",
                         email="zebedee@example.org", phone="01632 960999", joined_on=date(2018, 1, 1),
                         left_on=date(2019, 3, 31))
    make_user(Role.VOLUNTEER, provider=world.provider, person=person, name="Zebedee Quartermaine",
              email="zq@example.org")
    make_hours(person, worked_on=date(2018, 6, 1), hours="5", note="Zebedee ran the group")
    make_claim(person, status="paid", lines=[{"spent_on": date(2018, 6, 1), "description": "Parking for Zebedee"}])
    from app.audit import services as audit

    audit.record(actor=hr, action="update", entity=person, summary="Zebedee Quartermaine changed phone",
                 changes={"phone": ["01632 960000", "01632 960999"]})
    db.session.commit()
    return person


def test_anonymised_name_appears_nowhere_and_totals_stay(world, leaver, app):
    before = build_return(start=date(2018, 1, 1), end=date(2019, 12, 31), provider=world.provider)
    assert leaver in due_for_anonymisation(today=date(2026, 11, 23))
    anonymise(leaver, actor=world.user(Role.HR), now=NOW)
    db.session.commit()
    text = _all_text_in_database()
    for secret in ("Zebedee", "Quartermaine", "zebedee@example.org", "01632 960999", "zq@example.org"):
        assert secret not in text
    after = build_return(start=date(2018, 1, 1), end=date(2019, 12, 31), provider=world.provider)
    assert [(f.area, f.measure, f.breakdown, f.value) for f in after.figures] == [
        (f.area, f.measure, f.breakdown, f.value) for f in before.figures]
    person = db.session.get(Person, leaver.id)
    assert person.anonymised_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "anonymise",
                                                      AuditEvent.entity_id == person.id))
    assert not db.session.scalar(select(User).where(User.person_id == person.id)).is_enabled
    with pytest.raises(ValueError, match="already"):
        anonymise(person, actor=world.user(Role.HR), now=NOW)


def test_people_who_left_recently_are_not_due(world):
    recent = make_person(provider=world.provider, area=world.north, joined_on=date(2020, 1, 1),
                         left_on=date(2024, 1, 1))
    db.session.commit()
    assert recent not in due_for_anonymisation(today=date(2026, 11, 23))


def test_cli_lists_and_anonymises(world, leaver, app):
    runner = app.test_cli_runner()
    assert "1 due" in runner.invoke(args=["privacy", "due"]).output
    assert "Run again with --yes" in runner.invoke(args=["privacy", "anonymise"]).output
    assert db.session.get(Person, leaver.id).anonymised_at is None
    assert "Anonymised 1" in runner.invoke(args=["privacy", "anonymise", "--yes"]).output


def test_audit_log_is_searchable_and_scoped(world, sign_in):
    client = sign_in(world.user(Role.HR))
    from ..conftest import page

    text = page(client.get("/audit?q=Safeguarding")).get_text(" ")
    assert "Safeguarding children (level 1) passed" in text
    client.post("/sign-out")
    other = page(sign_in(world.other_hr).get("/audit?q=Safeguarding")).get_text(" ")
    assert "No changes match" in other
