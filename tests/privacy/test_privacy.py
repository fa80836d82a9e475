import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role, User
from app.models.people import Person
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
    assert {"README.txt", "your-details.csv", "pathway-history.csv", "contracts.csv", "hours.csv", "expenses.csv",
            "training.csv", "checks.csv", "history.csv"} <= names
    assert any(n.startswith("receipts/") for n in names)
    certificate = f"Volunteer-Vera-Completed-Safeguarding-children-level-1-{world.certificate.number}.pdf"
    assert f"certificates/{certificate}" in names
    assert "hours.csv" in archive.read("README.txt").decode()  # says what each file holds
    details = dict(row for row in csv.reader(io.StringIO(archive.read("your-details.csv").decode())))
    assert details["Email"] == world.me.email and details["Stage"] == "Parent Volunteer"
    hours = list(csv.DictReader(io.StringIO(archive.read("hours.csv").decode())))
    tuesday = next(row for row in hours if row["Note"] == "Tuesday group")
    assert (tuesday["Date"], tuesday["Hours"], tuesday["What you did"]) == ("2 February 2026", "3",
                                                                           "Peer support group")
    expenses = list(csv.DictReader(io.StringIO(archive.read("expenses.csv").decode())))
    assert any(row["Description"] == "Car park" and row["Amount (£)"] == "3.50" for row in expenses)
    assert "Safeguarding" in archive.read("training.csv").decode()
    everything = b"".join(archive.read(n) for n in names if not n.endswith((".pdf", ".png")))
    assert b"NEIGHBOUR" not in everything and world.neighbour.email.encode() not in everything
    assert b"HoursEntry" not in everything and b"minutes" not in everything and b"_pence" not in everything


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


def _every_row() -> dict[str, dict[tuple, dict]]:
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name == "data_generation":  # a count of writes, moved on by this one: nobody's record
            continue
        key = [c.name for c in table.primary_key.columns]
        rows[table.name] = {tuple(r[k] for k in key): dict(r) for r in db.session.execute(table.select()).mappings()}
    return rows


def test_anonymising_one_person_changes_nobody_elses_records(world, leaver, app):
    """Every row before and after: only the leaver's own rows (and history about them) change."""
    from app.audit import services as audit
    from app.jobs.queue import results_dir
    from app.models.jobs import Job, JobStatus

    hr, other_hr = world.user(Role.HR), world.other_hr
    # Words that contain the leaver's names, and a namesake, in their provider and another.
    sandy = make_person(provider=world.provider, area=world.north, first_name="Zebedeely", last_name="Smith")
    audit.record(actor=hr, action="update", entity=sandy, summary="Zebedeely Smith moved to the Quartermaines' hall")
    audit.record(actor=other_hr, action="update", entity=world.stranger, provider_id=world.other_provider.id,
                 summary="Zebedee Quartermaine (another provider's, same name) changed area")
    audit.record(actor=hr, action="remind", entity=world.neighbour,
                 summary="Asked Zebedee Quartermaine to cover Nina's group")
    (results_dir() / "theirs-zip").write_bytes(b"zip with their name")
    (results_dir() / "others-zip").write_bytes(b"zip without it")
    from app.models.certificates import Certificate, CertificateKind

    certificate = Certificate(person_id=leaver.id, kind=CertificateKind.MILESTONE, title="25 hours volunteering",
                              issued_on=date(2018, 7, 1), milestone_hours=25)
    db.session.add(certificate)
    db.session.flush()
    theirs = Job(kind="certificates", provider_id=world.provider.id, status=JobStatus.DONE, result_file="theirs-zip",
                 arguments=json.dumps({"task": "render_certificates", "certificate_ids": [certificate.id]}))
    others = Job(kind="certificates", provider_id=world.provider.id, status=JobStatus.DONE, result_file="others-zip",
                 arguments=json.dumps({"task": "render_certificates", "certificate_ids": [world.certificate.id]}))
    db.session.add_all([theirs, others])
    db.session.commit()
    leaver_users = set(db.session.scalars(select(User.id).where(User.person_id == leaver.id)))
    before = _every_row()
    anonymise(leaver, actor=hr, now=NOW)
    db.session.commit()
    after = _every_row()

    def theirs_row(table: str, row: dict) -> bool:
        if table == "person":
            return row["id"] == leaver.id
        if table == "user_account":
            return row["id"] in leaver_users
        if table in ("user_session", "account_token"):
            return row["user_id"] in leaver_users
        if table == "audit_event":
            return (row["entity_type"], row["entity_id"]) in {("Person", leaver.id), ("User", *leaver_users)} \
                or row["actor_id"] in leaver_users or "Asked Zebedee Quartermaine" in (row["summary"] or "") \
                or row["action"] == "anonymise"
        if table == "job":  # theirs, or one made before jobs kept what they held (cannot be checked)
            return row["id"] == theirs.id or row["arguments"] is None
        return row.get("person_id") == leaver.id

    changed = []
    for table, rows in before.items():
        for key in set(rows) | set(after[table]):
            old, new = rows.get(key), after[table].get(key)
            if old != new and not theirs_row(table, old or new):
                changed.append((table, key, old, new))
    changed = [c for c in changed if c[0] not in ("expense_line", "receipt")  # checked below, by claim
               or not _line_or_receipt_is_theirs(c, leaver)]
    assert changed == []
    # The namesake's words, another provider's history and others' downloads are as they were.
    summaries = set(db.session.scalars(select(AuditEvent.summary)))
    assert "Zebedeely Smith moved to the Quartermaines' hall" in summaries
    assert "Zebedee Quartermaine (another provider's, same name) changed area" in summaries
    assert "Asked [anonymised] to cover Nina's group" in summaries
    assert db.session.get(Job, others.id) and (results_dir() / "others-zip").exists()
    assert db.session.get(Job, theirs.id) is None and not (results_dir() / "theirs-zip").exists()


def _line_or_receipt_is_theirs(change, leaver) -> bool:
    from app.models.expenses import ExpenseClaim, ExpenseLine

    table, key, old, new = change
    row = old or new
    if table == "expense_line":
        claim_id = row["claim_id"]
    else:
        claim_id = db.session.scalar(select(ExpenseLine.claim_id).where(ExpenseLine.receipt_id == row["id"]))
    return db.session.scalar(select(ExpenseClaim.person_id).where(ExpenseClaim.id == claim_id)) == leaver.id
