"""Training and checks recorded on the way in carry over: an induction course and a DBS check
recorded on the application are on the person record when they start, nothing typed twice.
DBS details stay HR's (criminal-offence data): the area's facilitator records training only."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.people import Person
from app.models.recruitment import Applicant, ApplicantRecord
from app.models.training import Check, CheckKind, TrainingRecord
from tests.factories import make_course

from ..conftest import error_messages, page

PARENT = {"first_name": "Rhea", "last_name": "Rowe", "contact_by": "group", "heard_from": "school",
          "consent": "y"}


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _applicant(client, world, *, days_ago: int = 20) -> Applicant:
    client.post(f"/join/{world.provider.id}", data={**PARENT, "area_id": str(world.north.id)})
    applicant = db.session.scalar(select(Applicant).where(Applicant.first_name == "Rhea"))
    applicant.created_at = datetime.now(UTC) - timedelta(days=days_ago)
    db.session.commit()
    return applicant


def test_training_and_a_dbs_check_on_the_way_in_are_on_their_record_when_they_start(world, client, sign_in):
    induction = make_course("Volunteer induction", validity_months=None)
    db.session.commit()
    applicant = _applicant(client, world)
    hr = sign_in(world.user(Role.HR))
    trained_on, checked_on = date.today() - timedelta(days=10), date.today() - timedelta(days=5)
    response = hr.post(f"/recruitment/{applicant.id}/training", data={
        "course_id": str(induction.id), "done_on": _day(trained_on), "result": "passed"})
    assert response.status_code == 302
    response = hr.post(f"/recruitment/{applicant.id}/checks", data={
        "kind": "dbs", "checked_on": _day(checked_on), "reference_number": "001234567890", "barred_list": "y"})
    assert response.status_code == 302
    shown = hr.get(f"/recruitment/{applicant.id}").get_data(as_text=True)
    assert "Volunteer induction" in shown and "001234567890" in shown
    response = hr.post(f"/recruitment/{applicant.id}/start", data={"started_on": _day(date.today())})
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.first_name == "Rhea"))
    training = db.session.scalar(select(TrainingRecord).where(TrainingRecord.person_id == person.id))
    check = db.session.scalar(select(Check).where(Check.person_id == person.id))
    assert (training.course_id, training.completed_on, training.result.value) == (induction.id, trained_on, "passed")
    assert (check.kind, check.checked_on, check.reference_number, check.barred_list) == (
        CheckKind.DBS, checked_on, "001234567890", True)
    assert all(r.carried_at is not None for r in db.session.scalars(select(ApplicantRecord)))
    record_page = hr.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Volunteer induction" in record_page


def test_the_areas_facilitator_records_training_but_never_sees_or_records_a_check(world, client, sign_in):
    induction = make_course("Volunteer induction", validity_months=None)
    db.session.commit()
    applicant = _applicant(client, world)
    db.session.add(ApplicantRecord(applicant_id=applicant.id, check_kind="dbs", done_on=date.today(),
                                   reference_number="009988776655"))
    db.session.commit()
    facilitator = sign_in(world.user(Role.AREA_FACILITATOR))
    shown = facilitator.get(f"/recruitment/{applicant.id}").get_data(as_text=True)
    assert "009988776655" not in shown and "Enhanced DBS check" not in shown and "Record a check" not in shown
    assert facilitator.post(f"/recruitment/{applicant.id}/checks", data={
        "kind": "dbs", "checked_on": _day(date.today())}).status_code == 403
    assert facilitator.post(f"/recruitment/{applicant.id}/training", data={
        "course_id": str(induction.id), "done_on": _day(date.today()), "result": "attended"}).status_code == 302


def test_a_date_before_their_interest_or_in_the_future_is_refused_and_nothing_is_kept(world, client, sign_in):
    induction = make_course("Volunteer induction", validity_months=None)
    db.session.commit()
    applicant = _applicant(client, world, days_ago=3)
    hr = sign_in(world.user(Role.HR))
    before = hr.post(f"/recruitment/{applicant.id}/training", data={
        "course_id": str(induction.id), "done_on": _day(date.today() - timedelta(days=30)), "result": "passed"})
    assert before.status_code == 200
    assert any("on or after they said they would like to help" in m for m in error_messages(before))
    future = hr.post(f"/recruitment/{applicant.id}/checks", data={
        "kind": "dbs", "checked_on": _day(date.today() + timedelta(days=3))})
    assert "The date must be today or in the past" in error_messages(future)
    assert db.session.scalar(select(ApplicantRecord)) is None


def test_nothing_is_recorded_on_a_closed_application(world, client, sign_in):
    applicant = _applicant(client, world)
    hr = sign_in(world.user(Role.HR))
    hr.post(f"/recruitment/{applicant.id}/withdraw", data={"reason": "paid_work", "withdrawn_on": _day(date.today())})
    response = hr.post(f"/recruitment/{applicant.id}/checks", data={"kind": "dbs", "checked_on": _day(date.today())})
    assert response.status_code == 200
    assert "Rhea Rowe withdrew on" in page(response).select_one(".govuk-error-summary").text
    assert db.session.scalar(select(ApplicantRecord)) is None


def test_another_providers_hr_cannot_record_on_the_application(world, client, sign_in):
    applicant = _applicant(client, world)
    other = sign_in(world.other_hr)
    response = other.post(f"/recruitment/{applicant.id}/checks", data={"kind": "dbs",
                                                                        "checked_on": _day(date.today())})
    assert response.status_code in (403, 404)
    assert db.session.scalar(select(ApplicantRecord)) is None


def test_anonymising_an_applicant_removes_their_checks(world, client):
    from app.recruitment.tasks import anonymise_applicants_daily

    applicant = _applicant(client, world)
    db.session.add(ApplicantRecord(applicant_id=applicant.id, check_kind="dbs", done_on=date.today(),
                                   reference_number="001122334455"))
    applicant.last_activity_at = datetime.now(UTC) - timedelta(days=200)
    db.session.commit()
    anonymise_applicants_daily()
    assert db.session.scalar(select(ApplicantRecord)) is None
