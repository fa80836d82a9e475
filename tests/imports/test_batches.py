"""Imports that can be taken back: the same file twice adds nothing and says when it came in; a
probable duplicate is skipped unless HR says they are different people; a batch is undone with
everything it added, unless something was built on it, which Pathway names; a person added in
error is removed, not left."""

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.hours import HoursEntry, HoursMonth, HoursStatus
from app.models.imports import ImportBatch
from app.models.people import Person

from ..conftest import page

PEOPLE = (b"person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"
          b"BT001,Ada,Ash,ada@example.org,North Kent,volunteer,2026-01-05,,yes\n"
          b"BT002,Ben,Birch,,North Kent,volunteer,2026-01-05,,no\n")
HOURS = (b"person_ref,date,hours,activity,area,status\n"
         b"BT001,2026-02-02,2,Peer support group,North Kent,submitted\n"
         b"BT002,2026-02-02,3,Workshop,North Kent,approved\n")


def _upload(client, kind: str, data: bytes, name: str = "file.csv", **extra):
    return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def _people() -> int:
    return db.session.scalar(select(func.count(Person.id)))


def test_the_same_file_twice_adds_nothing_and_says_when_it_came_in(world, sign_in):
    client = sign_in(world.user(Role.HR))
    before = _people()
    assert _upload(client, "people", PEOPLE, "staff.csv").status_code == 302
    assert _people() == before + 2
    again = _upload(client, "people", PEOPLE, "staff-again.csv")
    text = " ".join(page(again).get_text(" ").split())
    assert again.status_code == 200 and "This file was imported on" in text and "as staff.csv" in text
    assert _people() == before + 2
    [batch] = db.session.scalars(select(ImportBatch)).all()
    assert (batch.kind, batch.file_name, batch.rows_added, batch.imported_by_id) == (
        "people", "staff.csv", 2, world.user(Role.HR).id)


def test_a_probable_duplicate_is_skipped_unless_hr_says_they_are_different_people(world, sign_in):
    client = sign_in(world.user(Role.HR))
    _upload(client, "people", PEOPLE)
    before = _people()
    # The same people from HR's other spreadsheet: new references, same email, same name and start.
    other = PEOPLE.replace(b"BT001", b"XX001").replace(b"BT002", b"XX002")
    assert _upload(client, "people", other, "other.csv").status_code == 302
    assert _people() == before
    listed = client.get("/imports/").get_data(as_text=True)
    assert "Ada Ash looks like Ada Ash (BT001)" in listed and "Ben Birch looks like Ben Birch (BT002)" in listed
    # Ticked: they really are different people (a new file, so not refused as the same one).
    third = other.replace(b"XX001", b"YY001").replace(b"XX002", b"YY002")
    assert _upload(client, "people", third, "third.csv", different_people="y").status_code == 302
    assert _people() == before + 2


def test_a_batch_is_undone_with_everything_it_added(world, sign_in):
    client = sign_in(world.user(Role.HR))
    before_people = _people()
    _upload(client, "people", PEOPLE)
    _upload(client, "hours", HOURS)
    summary_before = db.session.scalar(select(func.coalesce(func.sum(HoursMonth.minutes), 0)))
    batches = {b.kind: b for b in db.session.scalars(select(ImportBatch))}
    # People cannot go while the hours imported for them are still there.
    blocked = client.get(f"/imports/batches/{batches['people'].id}/undo").get_data(as_text=True)
    assert "2 hours logged for them since" in blocked
    assert client.post(f"/imports/batches/{batches['hours'].id}/undo").status_code == 302
    assert db.session.scalar(select(func.count(HoursEntry.id)).where(HoursEntry.import_batch_id.is_not(None))) == 0
    assert db.session.scalar(select(func.coalesce(func.sum(HoursMonth.minutes), 0))) == summary_before - 180
    assert client.post(f"/imports/batches/{batches['people'].id}/undo").status_code == 302
    assert _people() == before_people
    assert db.session.get(ImportBatch, batches["people"].id).undone_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "undo_import"))
    # Undone, the same file may come in again.
    assert _upload(client, "people", PEOPLE).status_code == 302
    assert _people() == before_people + 2


def test_an_undo_blocked_by_an_approval_says_so_and_changes_nothing(world, sign_in):
    client = sign_in(world.user(Role.HR))
    _upload(client, "people", PEOPLE)
    _upload(client, "hours", HOURS)
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.kind == "hours"))
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.status == HoursStatus.SUBMITTED,
                                                       HoursEntry.import_batch_id == batch.id))
    client.post("/approvals/hours", data={"entry": [str(entry.id)]})
    db.session.expire_all()
    assert db.session.get(HoursEntry, entry.id).status == HoursStatus.APPROVED
    entry.decided_at = datetime.now(UTC) + timedelta(minutes=1)  # decided after the import, not with it
    db.session.commit()
    response = client.post(f"/imports/batches/{batch.id}/undo", follow_redirects=True)
    assert "1 of its hours entries were approved since" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HoursEntry.id)).where(HoursEntry.import_batch_id == batch.id)) == 2
    assert db.session.get(ImportBatch, batch.id).undone_at is None


def test_an_undo_after_fourteen_days_or_a_submitted_return_is_refused(world, sign_in):
    from app.imports.batches import undo_blockers

    client = sign_in(world.user(Role.HR))
    _upload(client, "people", PEOPLE)
    batch = db.session.scalar(select(ImportBatch))
    later = datetime.now(UTC) + timedelta(days=15)
    assert any("more than 14 days ago" in reason for reason in undo_blockers(batch, now=later))
    client.post("/returns/submit", data={"from": "2026-04-01", "to": "2026-06-30"})
    assert any("A workforce return was submitted" in r for r in undo_blockers(batch, now=datetime.now(UTC)))


def test_a_person_added_in_error_is_removed_not_left(world, sign_in):
    client = sign_in(world.user(Role.HR))
    _upload(client, "people", PEOPLE)
    ben = db.session.scalar(select(Person).where(Person.ref == "BT002"))
    assert "Yes, remove Ben" in client.get(f"/people/{ben.id}/remove").get_data(as_text=True)
    assert client.post(f"/people/{ben.id}/remove").status_code == 302
    assert db.session.scalar(select(Person).where(Person.ref == "BT002")) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "remove")).summary == (
        "Removed Ben Birch (BT002), added in error")
    # Someone with hours is on the pathway: they are given a leaving date, not removed.
    refused = client.post(f"/people/{world.me.id}/remove")
    assert refused.status_code == 200 and "cannot be removed" in refused.get_data(as_text=True)
    assert db.session.get(Person, world.me.id) is not None


def test_the_command_line_refuses_the_same_file_twice(world, app, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(PEOPLE)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import", "people", str(path), "--provider", "Provider A"]).exit_code == 0
    again = runner.invoke(args=["import", "people", str(path), "--provider", "Provider A"])
    assert again.exit_code == 1 and "This file was imported on" in again.output


def test_posts_a_budget_line_pays_for_block_an_undo(world, sign_in):
    from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear, Post

    client = sign_in(world.user(Role.HR))
    posts = (b"title,basis,grade,area,number_of_posts,budgeted_fte,starts_on,ends_on\n"
             b"Outreach Worker,volunteer,,North Kent,1,0.5,,\n")
    assert _upload(client, "posts", posts).status_code == 302
    post = db.session.scalar(select(Post).where(Post.title == "Outreach Worker"))
    year = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == world.provider.id))
    year.budget_lines.append(BudgetLine(kind=BudgetLineKind.PAY, name="Outreach", sort_order=9, posts=[post]))
    db.session.commit()
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.kind == "posts"))
    response = client.post(f"/imports/batches/{batch.id}/undo", follow_redirects=True)
    assert "1 budget lines pay for the posts it added" in response.get_data(as_text=True)
    assert db.session.get(Post, post.id) is not None
