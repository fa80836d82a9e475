"""Records outside a user's scope are not found: other people, areas and providers."""

import pytest

from app.models.auth import Role

from .conftest import page


@pytest.mark.parametrize("role,target,status", [
    (Role.VOLUNTEER, "me", 200),
    (Role.VOLUNTEER, "neighbour", 404),
    (Role.AREA_FACILITATOR, "neighbour", 200),
    (Role.AREA_FACILITATOR, "south_person", 404),
    (Role.AREA_FACILITATOR, "stranger", 404),
    (Role.HR, "south_person", 200),
    (Role.HR, "stranger", 404),
    (Role.ADMIN, "stranger", 404),
    (Role.COORDINATOR, "stranger", 200),
])
def test_person_page_scope(world, sign_in, role, target, status):
    client = sign_in(world.user(role))
    assert client.get(f"/people/{getattr(world, target).id}").status_code == status


@pytest.mark.parametrize("path", ["/people/{id}/edit", "/people/{id}/progress"])
def test_hr_cannot_change_another_providers_person(world, sign_in, path):
    client = sign_in(world.user(Role.HR))
    assert client.get(path.format(id=world.stranger.id)).status_code == 404
    assert client.post(path.format(id=world.stranger.id), data={}).status_code == 404


def test_coordinator_reads_but_cannot_edit(world, sign_in):
    client = sign_in(world.user(Role.COORDINATOR))
    assert client.get(f"/people/{world.stranger.id}").status_code == 200
    assert client.get(f"/people/{world.stranger.id}/edit").status_code == 403


def test_coordinator_does_not_see_contact_details(world, sign_in):
    client = sign_in(world.user(Role.COORDINATOR))
    text = client.get(f"/people/{world.me.id}").get_data(as_text=True)
    assert world.me.email not in text


def _listed_names(response) -> set[str]:
    return {a.get_text(strip=True) for a in page(response).select("tbody a.govuk-link")}


@pytest.mark.parametrize("role,seen,unseen", [
    (Role.AREA_FACILITATOR, {"Volunteer, Vera", "Neighbour, Nina"}, {"South, Sam", "Stranger, Stan"}),
    (Role.HR, {"Volunteer, Vera", "South, Sam"}, {"Stranger, Stan"}),
    (Role.COORDINATOR, {"Volunteer, Vera", "South, Sam", "Stranger, Stan"}, set()),
])
def test_people_list_scope(world, sign_in, role, seen, unseen):
    names = _listed_names(sign_in(world.user(role)).get("/people"))
    assert seen <= names
    assert not unseen & names


def test_csv_export_is_scoped(world, sign_in):
    text = sign_in(world.user(Role.AREA_FACILITATOR)).get("/people/export.csv").get_data(as_text=True)
    assert world.neighbour.ref in text
    assert world.south_person.ref not in text and world.stranger.ref not in text


@pytest.mark.parametrize("role,status", [(Role.HR, 404), (Role.COORDINATOR, 200)])
def test_establishment_of_another_provider(world, sign_in, role, status):
    client = sign_in(world.user(role))
    assert client.get(f"/establishment/?provider={world.other_provider.id}").status_code == status


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_another_providers_submitted_return_cannot_be_downloaded(world, sign_in, role):
    """The id goes to the worker: it is checked when asked for, and again when the job runs."""
    from app.extensions import db
    from app.models.jobs import Job
    from app.models.returns import ReturnSubmission

    theirs = ReturnSubmission(provider_id=world.other_provider.id, period_start=world.submission.period_start,
                              period_end=world.submission.period_end, version=1, submitted_by_label="HR",
                              figures=[["All", "headcount", "volunteer", 9]])
    db.session.add(theirs)
    db.session.commit()
    client = sign_in(world.user(role))
    jobs_before = db.session.scalar(db.select(db.func.count()).select_from(Job))
    response = client.post("/returns/download", data={"format": "xlsx", "submission": str(theirs.id)})
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == jobs_before


def test_the_worker_refuses_a_submission_outside_the_requesters_scope(world):
    """A job queued for another provider's submission (say, by a stale request) fails in the worker."""
    from app.extensions import db
    from app.models.jobs import Job, JobStatus
    from app.models.returns import ReturnSubmission
    from app.returns.tasks import render_return

    theirs = ReturnSubmission(provider_id=world.other_provider.id, period_start=world.submission.period_start,
                              period_end=world.submission.period_end, version=1, submitted_by_label="HR",
                              figures=[["All", "headcount", "volunteer", 9]])
    db.session.add(theirs)
    db.session.commit()
    job = _queued(Job(kind="return-xlsx", requested_by_id=world.user(Role.HR).id, provider_id=world.provider.id,
                      status=JobStatus.QUEUED, total=2),
                  render_return, start="2026-04-01", end="2026-06-30", provider_id=None, fmt="xlsx",
                  submission_id=theirs.id)
    render_return.call_local(job.id)
    job = db.session.get(Job, job.id)
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED and job.result_file is None
    assert job.error.startswith("This cannot be prepared for you")


def _queued(job, task, **arguments):
    """A job saved as the web app saves it, but not run: the test runs it as the worker would."""
    import json

    from app.extensions import db

    job.arguments, job.attempts = json.dumps({"task": task.name, **arguments}), 1
    db.session.add(job)
    db.session.commit()
    return job


def test_the_worker_refuses_another_providers_whole_return(world):
    from app.extensions import db
    from app.models.jobs import Job, JobStatus
    from app.returns.tasks import render_return

    job = _queued(Job(kind="return-pdf", requested_by_id=world.user(Role.HR).id, provider_id=world.provider.id,
                      status=JobStatus.QUEUED, total=2),
                  render_return, start="2026-04-01", end="2026-06-30", provider_id=world.other_provider.id, fmt="pdf")
    render_return.call_local(job.id)
    job = db.session.get(Job, job.id)
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED and job.result_file is None


def test_the_worker_renders_only_certificates_the_requester_may_see(world):
    import zipfile
    from io import BytesIO

    from app.certificates.tasks import render_certificates
    from app.extensions import db
    from app.jobs.queue import results_dir
    from app.models.certificates import Certificate
    from app.models.jobs import Job, JobStatus
    from app.models.training import TrainingResult
    from app.training.services import record_training

    record = record_training(world.stranger, world.course, completed_on=world.certificate.issued_on,
                             result=TrainingResult.PASSED, cost_pence=None, actor=world.other_hr,
                             today=world.certificate.issued_on)
    theirs = db.session.scalar(db.select(Certificate).where(Certificate.training_record_id == record.id))
    job = _queued(Job(kind="certificates", requested_by_id=world.user(Role.HR).id, provider_id=world.provider.id,
                      status=JobStatus.QUEUED, total=2),
                  render_certificates, certificate_ids=[world.certificate.id, theirs.id], fmt="zip",
                  base_url="http://localhost/")
    render_certificates.call_local(job.id)
    job = db.session.get(Job, job.id)
    db.session.refresh(job)
    names = zipfile.ZipFile(BytesIO((results_dir() / job.result_file).read_bytes())).namelist()
    assert names == [f"Volunteer-Vera-Completed-Safeguarding-children-level-1-{world.certificate.number}.pdf"]


def test_dbs_details_are_for_hr_only(world, sign_in, client):
    """Criminal-offence data: the facilitator, administrator and co-ordinator see only
    whether someone is cleared for their role and when a re-check is due."""
    from datetime import date

    from app.extensions import db
    from app.models.training import CheckKind
    from app.training.services import record_check

    record_check(world.me, kind=CheckKind.DBS, checked_on=date(2026, 2, 3), reference_number="001234567890",
                 barred_list=True, renew_on=date(2029, 2, 3), actor=world.user(Role.HR), today=date(2026, 11, 23))
    db.session.commit()
    pages = [f"/people/{world.me.id}", f"/people/{world.me.id}/pathway", "/training/compliance",
             "/people/export.csv"]
    secrets = ("001234567890", "3 February 2026", "2026-02-03", "barred list checked", "Update Service")
    for role in (Role.AREA_FACILITATOR, Role.ADMIN, Role.COORDINATOR):
        sign_in(world.user(role))
        for path in pages:
            text = client.get(path).get_data(as_text=True)
            assert not [s for s in secrets if s in text], (role, path)
        pathway = client.get(f"/people/{world.me.id}/pathway").get_data(as_text=True)
        assert "Re-check due 3 February 2029" in pathway
        client.post("/sign-out")
    sign_in(world.user(Role.HR))
    assert "3 February 2026" in client.get(f"/people/{world.me.id}/pathway").get_data(as_text=True)


def _queries(client, path) -> int:
    from sqlalchemy import event

    from app.extensions import db

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_permission_checks_in_a_page_do_not_query_per_row(world, sign_in):
    """A revoke link per certificate and an adjust link per paid line ask the same question:
    a page's query count does not grow with its rows."""
    from datetime import date

    from app.extensions import db
    from app.models.training import TrainingResult
    from app.training.services import record_training

    from .factories import make_claim, make_course

    client = sign_in(world.user(Role.HR))
    pages = [f"/people/{world.me.id}/pathway", f"/expenses/{world.paid_claim.id}"]
    before = [_queries(client, path) for path in pages]
    for n in range(6):
        record_training(world.me, make_course(f"Course {n}"), completed_on=date(2026, 2, 1),
                        result=TrainingResult.PASSED, cost_pence=0, actor=world.user(Role.HR), today=date(2026, 11, 23))
    extra = make_claim(world.me, status="paid", lines=[{"category": "Parking", "amount": 100}] * 6)
    db.session.commit()
    after = [_queries(client, path) for path in (pages[0], f"/expenses/{extra.id}")]
    assert after == before
