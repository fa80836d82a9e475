"""For every URL that takes an id: another provider's, another area's and another
person's records are never shown or changed (404 or 403, never 200 or 302)."""

from datetime import date

import pytest

from app.extensions import db
from app.factory import create_app
from app.models.auth import Role
from app.models.certificates import Certificate
from app.models.expenses import PaymentBatch
from app.models.jobs import Job, JobStatus
from app.models.returns import ReturnSubmission
from app.models.training import TrainingResult
from app.training.services import record_training

from ..factories import (
    make_claim,
    make_contract,
    make_contract_year,
    make_grade,
    make_hours,
    make_post,
    make_user,
)

_APP = create_app("test")
# Catalogue rows (courses, activities) and the council's contract are county-wide; public pages take numbers.
# A provider's public "I'd like to help" page is open to everyone, for every provider.
SHARED = {"course_id", "activity_id", "number", "token", "review_id", "commission_year_id", "kind", "month",
          "provider_id"}
ID_ROUTES = sorted({(r.rule, r.endpoint) for r in _APP.url_map.iter_rules()
                    if r.arguments and not r.arguments <= SHARED and r.endpoint != "static"})


@pytest.fixture
def foreign(world):
    """Records belonging to someone each signed-in user must not reach."""
    stranger_hr = world.other_hr
    claim = make_claim(world.stranger, status="paid")
    record = record_training(world.stranger, world.course, completed_on=date(2026, 2, 1),
                             result=TrainingResult.PASSED, cost_pence=0, actor=stranger_hr, today=date(2026, 11, 23))
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.training_record_id == record.id))
    batch = PaymentBatch(provider_id=world.other_provider.id, reference="B2", paid_on=date(2026, 3, 1))
    job = Job(kind="certificates", requested_by_id=stranger_hr.id, provider_id=world.other_provider.id,
              status=JobStatus.DONE)
    submission = ReturnSubmission(provider_id=world.other_provider.id, period_start=date(2026, 4, 1),
                                  period_end=date(2026, 6, 30), version=1, submitted_by_label="B", figures=[])
    db.session.add_all([batch, job, submission])
    db.session.flush()
    ids = {"person_id": world.stranger.id, "entry_id": make_hours(world.stranger, worked_on=date(2026, 1, 5)).id,
           "claim_id": claim.id, "line_id": claim.lines[0].id, "receipt_id": claim.lines[0].receipt_id,
           "certificate_id": certificate.id, "batch_id": batch.id, "job_id": job.id,
           "submission_id": submission.id, "account_id": stranger_hr.id, "action": "unlock",
           "contract_id": make_contract(person=world.stranger, post=make_post(
               provider=world.other_provider, grade=None, volunteer=False)).id,
           "role_id": make_contract(person=world.stranger, post=make_post(
               provider=world.other_provider, grade=None)).id}
    # The other provider's establishment: a post, its own grade, a contract year with a line and funding.
    grade = make_grade("THEIRS")
    grade.provider_id = world.other_provider.id
    year = make_contract_year(world.other_provider, start_year=2031)
    ids.update(post_id=make_post(provider=world.other_provider, grade=grade).id, grade_id=grade.id,
               year_id=year.id, budget_line_id=year.budget_lines[0].id, funding_id=year.funding[0].id)
    from app.models.spending import Spend

    spend = Spend(provider_id=world.other_provider.id, budget_line_id=year.budget_lines[0].id,
                  spent_on=date(2031, 5, 1), supplier="Their library", description="Room hire", amount_pence=100)
    db.session.add(spend)
    db.session.flush()
    ids["spend_id"] = spend.id
    from datetime import time

    from app.models.delivery import DeliverySession, Mode, Offer

    session = DeliverySession(provider_id=world.other_provider.id, offer_id=db.session.scalar(db.select(Offer.id)),
                              area_id=world.north.id, delivered_on=date(2026, 6, 2), starts_at=time(10),
                              ends_at=time(12), mode=Mode.ONLINE, out_of_hours=False, families_attended=5,
                              families_new=2, families_phase_one=0, families_pre_diagnosis=0)
    db.session.add(session)
    db.session.flush()
    ids["session_id"] = session.id
    from datetime import UTC, datetime

    from app.models.imports import ImportBatch

    theirs = ImportBatch(provider_id=world.other_provider.id, kind="people", file_name="theirs.csv",
                         checksum="1" * 64, imported_at=datetime.now(UTC))
    db.session.add(theirs)
    db.session.flush()
    ids["import_id"] = theirs.id
    from app.models.recruitment import Applicant

    applicant = Applicant(provider_id=world.other_provider.id, area_id=world.north.id, first_name="Their",
                          last_name="Applicant", contact_by="group", heard_from="friend", interests="")
    db.session.add(applicant)
    db.session.flush()
    ids["applicant_id"] = applicant.id
    from app.recruitment.services import stages_for

    ids["stage_id"] = stages_for(world.other_provider.id)[0].id
    db.session.commit()
    return ids


def _url(rule: str, ids: dict) -> str:
    import re

    return re.sub(r"<(?:int:)?([a-z_]+)>", lambda m: str(ids[m.group(1)]), rule)


@pytest.mark.parametrize("rule,endpoint", ID_ROUTES, ids=[r for r, _ in ID_ROUTES])
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_another_providers_records_are_out_of_reach(world, foreign, sign_in, client, rule, endpoint, role):
    if role == Role.COORDINATOR and endpoint in READ_ACROSS_PROVIDERS:
        pytest.skip("the co-ordinator reads every provider")
    sign_in(world.user(role))
    url = _url(rule, foreign)
    methods = [m for m in _APP.url_map._rules_by_endpoint[endpoint][0].methods if m in ("GET", "POST")]
    for method in methods:
        status = client.open(url, method=method, data={}).status_code
        assert status in (403, 404), f"{role.value} {method} {url} -> {status}"


# Read-only views the co-ordinator may open for any provider's people.
READ_ACROSS_PROVIDERS = {"people.view_person", "hours.person_hours", "hours.view_entry", "training.person_pathway",
                         "certificates.download", "certificates.person_certificates", "returns.submission",
                         "spending.view_spend", "spending.invoice", "delivery.view_session"}


def test_another_area_and_another_person(world, sign_in, client):
    south_entry = make_hours(world.south_person, worked_on=date(2026, 1, 6), status="submitted")
    neighbour_claim = make_claim(world.neighbour)
    make_user(Role.VOLUNTEER, provider=world.provider, person=world.neighbour)
    db.session.commit()
    sign_in(world.user(Role.AREA_FACILITATOR))
    for url in (f"/hours/{south_entry.id}", f"/hours/{south_entry.id}/reject", f"/people/{world.south_person.id}/hours",
                f"/people/{world.south_person.id}/pathway", f"/people/{world.south_person.id}/training/new"):
        assert client.get(url).status_code == 404, url
    client.post("/sign-out")
    sign_in(world.user(Role.VOLUNTEER))
    for url in (f"/expenses/{neighbour_claim.id}", f"/receipts/{neighbour_claim.lines[0].receipt_id}",
                f"/people/{world.neighbour.id}/hours", f"/people/{world.neighbour.id}/pathway"):
        assert client.get(url).status_code == 404, url
