"""Recording a session on the screen: each facilitator's hours go for approval (a
facilitator's own to someone else), a programme facilitator without the licence course is
flagged, and no table or form holds a family's name."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect

from app.delivery.forms import SessionForm
from app.extensions import db
from app.models.auth import Role
from app.models.delivery import Cohort, DeliverySession, Offer
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Stage
from app.models.training import TrainingResult
from app.training.services import record_training

from ..conftest import error_messages
from ..factories import make_course, make_person, make_user


def _offer(name: str) -> Offer:
    return db.session.scalar(db.select(Offer).where(Offer.name == name))


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


@pytest.fixture
def team(world):
    """The facilitator's own person record, and a co-facilitator parent, in North Kent."""
    me = make_person(provider=world.provider, area=world.north, stage=Stage.EMPLOYEE, first_name="Fay",
                     last_name="Facilitator")
    facilitator = world.user(Role.AREA_FACILITATOR)
    facilitator.person_id = me.id
    parent = make_person(provider=world.provider, area=world.north, stage=Stage.CO_FACILITATOR, first_name="Pia",
                         last_name="Parent")
    db.session.commit()
    return me, parent


def _record(client, world, people, **overrides):
    data = {"offer_id": str(_offer("Peer support group").id), "area_id": str(world.north.id), "cohort_id": "",
            "delivered_on": _day(date(2026, 11, 24)), "starts_at": "6.30pm", "ends_at": "8pm", "mode": "face_to_face",
            "venue": "Sittingbourne Library", "facilitators": [str(p.id) for p in people],
            "leads": [str(people[-1].id)], "families_attended": "9", "families_new": "3",
            "families_phase_one": "2", "families_pre_diagnosis": "1", **overrides}
    return client.post("/delivery/sessions/new", data=data)


def test_a_facilitator_records_a_session_and_the_hours_go_for_approval(app, world, sign_in, client, team):
    me, parent = team
    sign_in(world.user(Role.AREA_FACILITATOR))
    assert _record(client, world, [me, parent]).status_code == 302
    session = db.session.scalar(db.select(DeliverySession))
    assert (session.families_attended, session.families_new, session.out_of_hours, session.minutes) == (9, 3, True, 90)
    entries = {e.person_id: e for e in db.session.scalars(db.select(HoursEntry).where(
        HoursEntry.note.contains("session")))}
    assert set(entries) == {me.id, parent.id}
    assert {(e.minutes, e.status) for e in entries.values()} == {(90, HoursStatus.SUBMITTED)}
    # The facilitator approves the parent's hours but not their own.
    client.post("/approvals/hours", data={"entry": [str(e.id) for e in entries.values()]})
    assert db.session.get(HoursEntry, entries[parent.id].id).status == HoursStatus.APPROVED
    assert db.session.get(HoursEntry, entries[me.id].id).status == HoursStatus.SUBMITTED
    hr = app.test_client()
    from ..conftest import sign_in_with

    sign_in_with(hr, world.user(Role.HR))
    hr.post("/approvals/hours", data={"entry": [str(entries[me.id].id)]})
    assert db.session.get(HoursEntry, entries[me.id].id).status == HoursStatus.APPROVED


@pytest.mark.parametrize("overrides,field_message", [
    ({"families_new": "12"}, "This cannot be more than the families who came"),
    ({"ends_at": "6pm"}, "The end must be after the start"),
    ({"starts_at": "half six"}, "Enter the start time like 9.30am or 18:00"),
    ({"facilitators": []}, "Choose who facilitated the session"),
])
def test_a_session_that_does_not_add_up_is_refused_by_the_field(world, sign_in, client, team, overrides,
                                                                 field_message):
    sign_in(world.user(Role.AREA_FACILITATOR))
    response = _record(client, world, list(team), **overrides)
    assert field_message in error_messages(response)
    assert db.session.scalar(db.select(DeliverySession)) is None
    assert db.session.scalar(db.select(HoursEntry).where(HoursEntry.note.contains("session"))) is None


def test_a_programme_session_without_the_licence_course_is_flagged_not_refused(world, sign_in, client, team):
    me, parent = team
    licence = make_course("EarlyBird licence", validity_months=None)
    cohort = Cohort(provider_id=world.provider.id, offer_id=_offer("Evidence-based programme").id,
                    area_id=world.north.id, name="EarlyBird autumn", programme="EarlyBird",
                    required_course_id=licence.id, starts_on=date(2026, 11, 3), sessions_planned=6)
    db.session.add(cohort)
    record_training(me, licence, completed_on=date(2026, 1, 10), result=TrainingResult.PASSED, cost_pence=0,
                    actor=world.user(Role.HR), today=date(2026, 11, 29))
    db.session.commit()
    sign_in(world.user(Role.AREA_FACILITATOR))
    no_cohort = _record(client, world, [me, parent], offer_id=str(_offer("Evidence-based programme").id))
    assert "A programme session belongs to a cohort: choose it, or add the cohort first" in error_messages(no_cohort)
    response = _record(client, world, [me, parent], offer_id=str(_offer("Evidence-based programme").id),
                       cohort_id=str(cohort.id), starts_at="10am", ends_at="12.30pm")
    assert response.status_code == 302
    session = db.session.scalar(db.select(DeliverySession))
    assert session.flag == "Pia Parent had no current EarlyBird licence on 24 November 2026"
    assert "Flagged" in client.get("/delivery/sessions").get_data(as_text=True)


def test_no_table_or_form_holds_a_familys_name(app):
    """Families are counts: no column anywhere names or identifies a child or family."""
    forbidden = ("child", "family_name", "families_name", "parent_name", "family_ref", "family_id", "child_id",
                 "dob", "birth", "nhs", "address", "postcode")
    columns = [f"{table}.{column['name']}" for table in inspect(db.engine).get_table_names()
               for column in inspect(db.engine).get_columns(table)]
    assert [c for c in columns if any(word in c.split(".")[1] for word in forbidden)] == []
    families = {c["name"]: str(c["type"]).upper() for c in inspect(db.engine).get_columns("delivery_session")
                if c["name"].startswith("families")}
    assert families and set(families.values()) == {"INTEGER"}  # numbers, never text
    with app.test_request_context():
        fields = [name for name in SessionForm().data]
    assert [f for f in fields if "name" in f or "child" in f] == []


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ADMIN, Role.COORDINATOR])
def test_only_facilitators_and_hr_record_sessions(world, sign_in, client, team, role):
    sign_in(world.user(role))
    assert _record(client, world, list(team)).status_code == 403


def test_a_facilitator_sees_only_their_areas_sessions(world, sign_in, client, team):
    south = make_person(provider=world.provider, area=world.south, stage=Stage.CO_FACILITATOR)
    db.session.commit()
    from app.delivery.services import record_session

    record_session(provider_id=world.provider.id, offer=_offer("Workshop"), area=world.south,
                   delivered_on=date(2026, 11, 20), starts_at=datetime(2026, 1, 1, 10).time(),
                   ends_at=datetime(2026, 1, 1, 11).time(), mode="online", venue=None, out_of_hours=None,
                   facilitators=[(south, True)], families_attended=4, families_new=4, families_phase_one=0,
                   families_pre_diagnosis=0, cohort=None, actor=make_user(Role.HR, provider=world.provider),
                   today=date(2026, 11, 29), now=datetime.now(UTC))
    db.session.commit()
    other = db.session.scalar(db.select(DeliverySession))
    sign_in(world.user(Role.AREA_FACILITATOR))
    assert client.get(f"/delivery/sessions/{other.id}").status_code == 404
    assert "South Kent" not in client.get("/delivery/sessions").get_data(as_text=True)


def test_a_co_facilitator_records_a_session_they_led(app, world, team):
    from ..conftest import sign_in_with

    me, parent = team
    account = make_user(Role.VOLUNTEER, provider=world.provider, person=parent)
    db.session.commit()
    client = app.test_client()
    sign_in_with(client, account)
    assert "Record a session you led" in client.get("/").get_data(as_text=True)
    not_led = _record(client, world, [me, parent], leads=[str(me.id)])
    assert error_messages(not_led) == ["Record a session you led or co-led: tick yourself in both lists"]
    assert _record(client, world, [me, parent], leads=[str(parent.id)]).headers["Location"] == "/"
    entry = db.session.scalar(db.select(HoursEntry).where(HoursEntry.person_id == parent.id,
                                                          HoursEntry.note.contains("session")))
    assert entry.status == HoursStatus.SUBMITTED  # for someone else to approve
    assert client.get("/delivery/sessions").status_code == 403  # the delivery figures are staff's


def test_a_cohort_is_added_on_the_screen_and_the_delivery_csv_counts_its_session(world, sign_in, client, team):
    import csv
    import io

    me, parent = team
    sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post("/delivery/cohorts/new", data={
        "name": "Cygnet spring", "programme": "Cygnet", "area_id": str(world.north.id), "required_course_id": "",
        "starts_on": _day(date(2026, 11, 3)), "sessions_planned": "6"})
    assert response.status_code == 302
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.name == "Cygnet spring"))
    assert (cohort.provider_id, cohort.sessions_planned) == (world.provider.id, 6)
    _record(client, world, [me, parent], offer_id=str(_offer("Evidence-based programme").id),
            cohort_id=str(cohort.id), starts_at="10am", ends_at="12pm", families_new="9")
    rows = {r["offer"]: r for r in csv.DictReader(io.StringIO(client.get(
        "/delivery/delivery.csv?from=2026-11-01&to=2026-11-29").get_data(as_text=True)))}
    programme = rows["Evidence-based programme"]
    assert (programme["sessions_delivered"], programme["families_reached"], rows["Total"]["sessions_delivered"]) == (
        "1", "9", "1")


def test_the_delivery_page_names_the_areas_its_figures_cover(world, sign_in, client):
    from ..conftest import page

    sign_in(world.user(Role.HR))
    every = page(client.get("/delivery/?from=2026-11-01&to=2026-11-29")).find(
        "p", string=lambda text: text and text.startswith("1 November 2026 to 29 November 2026"))
    assert "North Kent" in every.text and "South Kent" in every.text
    one = page(client.get(f"/delivery/?from=2026-11-01&to=2026-11-29&area={world.south.id}")).find(
        "p", string=lambda text: text and text.startswith("1 November 2026 to 29 November 2026"))
    assert one.text == "1 November 2026 to 29 November 2026: South Kent."
