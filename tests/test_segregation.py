"""Four eyes on money, hours, training and the pathway: nobody acts on their own record,
in single actions, in bulk, in the session register or in imports, and their items
reach another approver."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from app.access import can, scope
from app.expenses.services import ExpenseError, decide_line, mark_paid
from app.extensions import db
from app.hours.services import HoursError, approve_entries, reject_entry
from app.imports.csvfile import ImportFailed
from app.imports.services import import_hours
from app.models.auth import Role
from app.models.expenses import ClaimStatus, LineStatus
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person, Stage
from app.models.training import Recommendation, TrainingRecord
from app.training.services import TrainingError, recommend, record_check, record_training

from .conftest import page
from .factories import make_claim, make_hours, make_person, make_user

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)


@pytest.fixture
def fay(world):
    """An area facilitator for North Kent whose account is linked to her own person record."""
    person = make_person(provider=world.provider, area=world.north, first_name="Fay", last_name="Facilitator",
                         stage=Stage.EMPLOYEE)
    user = make_user(Role.AREA_FACILITATOR, provider=world.provider, area=world.north, person=person)
    db.session.commit()
    return user


@pytest.fixture
def hana(world):
    """An HR officer linked to her own person record (she claims expenses too)."""
    person = make_person(provider=world.provider, area=world.south, first_name="Hana", last_name="HR",
                         stage=Stage.EMPLOYEE)
    user = make_user(Role.HR, provider=world.provider, person=person)
    db.session.commit()
    return user


def _queue_ids(client) -> set[str]:
    return {box["value"] for box in page(client.get("/approvals/hours")).select("input[name=entry]")}


def test_facilitator_cannot_approve_own_hours_and_hr_can(world, fay, sign_in, client):
    own = make_hours(fay.person, worked_on=date(2026, 1, 6), status="submitted")
    db.session.commit()
    sign_in(fay)
    assert str(own.id) not in _queue_ids(client)
    client.post("/approvals/hours", data={"entry": [str(own.id), str(world.entry.id)]})
    assert db.session.get(HoursEntry, own.id).status == HoursStatus.SUBMITTED
    assert db.session.get(HoursEntry, world.entry.id).status == HoursStatus.APPROVED
    assert client.get(f"/hours/{own.id}/reject").status_code == 403
    assert "You cannot approve your own hours" in client.get(f"/hours/{own.id}").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(world.user(Role.HR))
    assert str(own.id) in _queue_ids(client)
    client.post("/approvals/hours", data={"entry": str(own.id)})
    assert db.session.get(HoursEntry, own.id).status == HoursStatus.APPROVED


def test_services_refuse_own_hours_whatever_the_caller(world, fay):
    own = make_hours(fay.person, worked_on=date(2026, 1, 6), status="submitted")
    assert approve_entries([own], actor=fay, now=NOW) == 0
    with pytest.raises(HoursError, match="your own hours"):
        reject_entry(own, reason="no", actor=fay, now=NOW)
    assert not can(fay, "approve_hours", own)
    assert can(world.user(Role.HR), "approve_hours", own)
    ids = set(db.session.scalars(db.select(Person.id).where(scope("approve_hours", fay))))
    assert fay.person_id not in ids and world.me.id in ids


@time_machine.travel(date(2026, 1, 20))
def test_register_saves_the_recorders_own_line_as_submitted(world, fay, sign_in, client):
    sign_in(fay)
    from tests.factories import activity

    group = activity("Peer support group")
    db.session.commit()
    response = client.post("/hours/register", data={
        "save": "1", "area_id": str(world.north.id), "activity_id": str(group.id),
        "worked_on": ["19", "1", "2026"],
        f"worked-{fay.person_id}": "y", f"hours-{fay.person_id}": "2",
        f"worked-{world.neighbour.id}": "y", f"hours-{world.neighbour.id}": "2"}, follow_redirects=True)
    assert "Your own hours were sent for approval by someone else" in response.get_data(as_text=True)
    statuses = dict(db.session.execute(db.select(HoursEntry.person_id, HoursEntry.status)
                                       .where(HoursEntry.worked_on == date(2026, 1, 19))).all())
    assert statuses == {fay.person_id: HoursStatus.SUBMITTED, world.neighbour.id: HoursStatus.APPROVED}


@time_machine.travel(date(2026, 1, 20))
def test_register_refuses_a_second_entry_for_the_same_person_day_and_activity(world, fay, sign_in, client):
    make_hours(world.neighbour, worked_on=date(2026, 1, 19), status="approved")
    db.session.commit()
    from tests.factories import activity

    sign_in(fay)
    response = client.post("/hours/register", data={
        "save": "1", "area_id": str(world.north.id), "activity_id": str(activity("Peer support group").id),
        "worked_on": ["19", "1", "2026"],
        f"worked-{world.neighbour.id}": "y", f"hours-{world.neighbour.id}": "2"})
    assert "already has Peer support group hours on 19 January 2026" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(HoursEntry).where(
        HoursEntry.person_id == world.neighbour.id, HoursEntry.worked_on == date(2026, 1, 19))) == 1


def test_facilitator_cannot_decide_own_claim_and_it_reaches_hr(world, fay, sign_in, client):
    claim = make_claim(fay.person, lines=[{"category": "Parking", "amount": 25000}])
    db.session.commit()
    line_id = claim.lines[0].id
    sign_in(fay)
    assert f"/expenses/{claim.id}" not in client.get("/approvals/expenses").get_data(as_text=True)
    assert client.post(f"/expenses/items/{line_id}/decide", data={"approve": "y"}).status_code == 403
    assert "You cannot approve your own expenses" in client.get(f"/expenses/{claim.id}").get_data(as_text=True)
    with pytest.raises(ExpenseError, match="your own expenses"):
        decide_line(claim.lines[0], approve=True, reason=None, actor=fay, now=NOW)
    assert db.session.get(type(claim), claim.id).lines[0].status == LineStatus.PENDING
    client.post("/sign-out")
    sign_in(world.user(Role.HR))
    assert f"/expenses/{claim.id}" in client.get("/approvals/expenses").get_data(as_text=True)


def test_hr_cannot_pay_their_own_claim(world, hana, sign_in, client):
    claim = make_claim(hana.person, status="approved")
    db.session.commit()
    sign_in(hana)
    listed = {box["value"] for box in page(client.get("/payments")).select("input[name=claim]")}
    assert str(claim.id) not in listed
    with pytest.raises(ExpenseError, match="your own expenses"):
        mark_paid([claim], paid_on=date(2026, 1, 20), reference="X", actor=hana,
                  provider_id=world.provider.id, as_batch=False)
    assert db.session.get(type(claim), claim.id).status == ClaimStatus.APPROVED


def test_nobody_records_their_own_training_checks_or_recommendation(world, fay, hana, sign_in, client):
    with pytest.raises(TrainingError, match="your own training"):
        record_training(fay.person, world.course, completed_on=date(2026, 1, 5), result="passed",
                        cost_pence=None, actor=fay, today=date(2026, 1, 20))
    with pytest.raises(TrainingError, match="your own checks"):
        record_check(hana.person, kind="dbs", checked_on=date(2026, 1, 5), actor=hana, today=date(2026, 1, 20))
    with pytest.raises(TrainingError, match="recommend yourself"):
        recommend(fay.person, Stage.EMPLOYEE, on=date(2026, 1, 5), note=None, actor=fay)
    sign_in(fay)
    assert client.get(f"/people/{fay.person_id}/training/new").status_code == 403
    assert client.post(f"/people/{fay.person_id}/recommend").status_code == 403
    client.post("/sign-out")
    sign_in(hana)
    assert client.get(f"/people/{hana.person_id}/checks/new").status_code == 403
    assert client.get(f"/people/{hana.person_id}/progress").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(TrainingRecord).where(
        TrainingRecord.person_id == fay.person_id)) == 0
    assert db.session.scalar(db.select(Recommendation).where(Recommendation.person_id == fay.person_id)) is None


def test_an_import_cannot_approve_the_importers_own_hours(world, hana):
    text = ("person_ref,date,hours,activity,area,status\n"
            f"{hana.person.ref},2026-01-05,2,Peer support group,South Kent,approved\n")
    with pytest.raises(ImportFailed) as failed:
        import_hours(text, provider=world.provider, actor=hana, today=date(2026, 1, 20), now=NOW)
    assert "your own hours" in " ".join(message for _, message in failed.value.report.errors)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(HoursEntry).where(
        HoursEntry.person_id == hana.person_id)) == 0


def test_a_record_with_the_facilitators_email_added_later_is_theirs_at_the_next_request(world, sign_in, client):
    """An account made under Accounts, before the facilitator's own record is imported: who the
    account is (kept until the data changes) takes the record in at the next request, so its
    hours leave the facilitator's queue and are refused, and reach HR."""
    from app.access.scopes import acting_people

    user = make_user(Role.AREA_FACILITATOR, provider=world.provider, area=world.north)
    db.session.commit()
    sign_in(user)
    before = _queue_ids(client)
    assert before  # the queue was worked out, and who the account is kept, before the import
    own = make_person(provider=world.provider, area=world.north, first_name="Una", last_name="Linked",
                      email=user.email.upper(), stage=Stage.EMPLOYEE)
    entry = make_hours(own, worked_on=date(2026, 1, 6), status="submitted")
    db.session.commit()
    assert str(entry.id) not in _queue_ids(client)
    client.post("/approvals/hours", data={"entry": str(entry.id)})
    assert db.session.get(HoursEntry, entry.id).status == HoursStatus.SUBMITTED
    assert own.id in acting_people(user)
    client.post("/sign-out")
    sign_in(world.user(Role.HR))
    assert str(entry.id) in _queue_ids(client)
