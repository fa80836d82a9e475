"""A person's contract outside moving on: HR gives someone a post and contract, changes their
hours from a date and ends it, on screens; the establishment's FTE follows, history stays."""

from datetime import date
from decimal import Decimal

import pytest

from app.establishment.services import establishment_fill
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.establishment import Contract

from ..conftest import error_messages, page
from ..factories import make_contract, make_person, make_post, make_user


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


@pytest.fixture
def post(world):
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Co-Facilitator",
                     posts=2, fte="1.0", volunteer=False)
    db.session.commit()
    return post


def _contracts(person) -> list[Contract]:
    return db.session.scalars(db.select(Contract).where(Contract.person_id == person.id)
                              .order_by(Contract.starts_on)).all()


def test_hr_gives_someone_a_post_changes_their_hours_and_ends_it(world, sign_in, client, post):
    person = world.me  # joined with no contract, as everyone added through "Add a person"
    sign_in(world.user(Role.HR))
    assert "Give them a post and contract" in client.get(f"/people/{person.id}").get_data(as_text=True)
    response = client.post(f"/people/{person.id}/contracts/new", data={
        "post_id": str(post.id), "basis": "salaried", "weekly_hours": "18.5", "starts_on": _day(date(2026, 4, 1))})
    assert response.status_code == 302
    [contract] = _contracts(person)
    assert (contract.weekly_hours, contract.is_sessional, contract.starts_on) == (Decimal("18.5"), False,
                                                                                 date(2026, 4, 1))
    [fill] = establishment_fill(world.provider.id, date(2026, 6, 1))
    assert (fill.people, fill.contracted_fte) == (1, Decimal("0.5"))

    client.post(f"/contracts/{contract.id}/hours", data={"basis": "salaried", "weekly_hours": "22.2",
                                                         "from_date": _day(date(2026, 9, 1))})
    first, second = _contracts(person)
    assert (first.ends_on, second.starts_on, second.weekly_hours) == (date(2026, 8, 31), date(2026, 9, 1),
                                                                      Decimal("22.2"))
    assert establishment_fill(world.provider.id, date(2026, 8, 31))[0].contracted_fte == Decimal("0.5")
    assert establishment_fill(world.provider.id, date(2026, 9, 1))[0].contracted_fte == Decimal("0.6")

    client.post(f"/contracts/{second.id}/end", data={"ends_on": _day(date(2026, 12, 31))})
    assert _contracts(person)[1].ends_on == date(2026, 12, 31)
    assert establishment_fill(world.provider.id, date(2027, 1, 1))[0].people == 0
    summaries = db.session.scalars(db.select(AuditEvent.summary).where(AuditEvent.entity_type == "Contract")).all()
    assert any("from 18.5 hours a week to 22.2 hours a week, from 1 September 2026" in s for s in summaries)
    assert any("last day 31 December 2026" in s for s in summaries)
    text = page(client.get(f"/people/{person.id}")).select_one("#contracts").find_next("table").get_text(" ")
    assert "1 April 2026" in text and "31 August 2026" in text and "1 September 2026" in text


def test_a_sessional_contract_needs_no_hours(world, sign_in, client, post):
    sign_in(world.user(Role.HR))
    client.post(f"/people/{world.me.id}/contracts/new", data={
        "post_id": str(post.id), "basis": "sessional", "weekly_hours": "", "starts_on": _day(date(2026, 4, 1))})
    [contract] = _contracts(world.me)
    assert (contract.is_sessional, contract.weekly_hours) == (True, 0)


@pytest.mark.parametrize("data,message", [
    ({"basis": "salaried", "weekly_hours": "", "starts_on": _day(date(2026, 4, 1))},
     "Enter the contracted hours a week, or choose sessional"),
    ({"basis": "salaried", "weekly_hours": "lots", "starts_on": _day(date(2026, 4, 1))},
     "Contracted hours a week must be a number, like 18.5"),
    ({"basis": "salaried", "weekly_hours": "60", "starts_on": _day(date(2026, 4, 1))},
     "Between 0.25 and 48 hours a week"),
    ({"basis": "salaried", "weekly_hours": "10", "starts_on": _day(date(2019, 4, 1))},
     "The contract must start on or after they joined"),
    ({"weekly_hours": "10", "starts_on": _day(date(2026, 4, 1))}, "Choose salaried or sessional"),
])
def test_a_contract_that_breaks_a_rule_is_refused_by_the_field(world, sign_in, client, post, data, message):
    sign_in(world.user(Role.HR))
    response = client.post(f"/people/{world.me.id}/contracts/new", data={"post_id": str(post.id), **data})
    assert response.status_code == 200
    assert any(m.startswith(message) for m in error_messages(response)), error_messages(response)
    assert _contracts(world.me) == []


def test_a_second_contract_at_the_same_time_is_refused(world, sign_in, client, post):
    make_contract(person=world.me, post=post, hours="9.25", starts_on=date(2026, 1, 1))
    db.session.commit()
    sign_in(world.user(Role.HR))
    response = client.post(f"/people/{world.me.id}/contracts/new", data={
        "post_id": str(post.id), "basis": "salaried", "weekly_hours": "10", "starts_on": _day(date(2026, 4, 1))})
    assert error_messages(response) == [
        "Vera Volunteer already has a contract from 1 January 2026. Change its hours or end it first"]
    assert len(_contracts(world.me)) == 1


def test_changing_hours_outside_the_contract_or_to_the_same_is_refused(world, sign_in, client, post):
    contract = make_contract(person=world.me, post=post, hours="9.25", starts_on=date(2026, 1, 1))
    db.session.commit()
    sign_in(world.user(Role.HR))
    early = client.post(f"/contracts/{contract.id}/hours", data={
        "basis": "salaried", "weekly_hours": "10", "from_date": _day(date(2025, 12, 1))})
    assert error_messages(early) == ["The change must be after the contract started, 1 January 2026"]
    same = client.post(f"/contracts/{contract.id}/hours", data={
        "basis": "salaried", "weekly_hours": "9.25", "from_date": _day(date(2026, 6, 1))})
    assert error_messages(same) == ["These are the hours they have now. Enter the new hours"]
    assert len(_contracts(world.me)) == 1 and _contracts(world.me)[0].ends_on is None


@pytest.mark.parametrize("role", [Role.AREA_FACILITATOR, Role.ADMIN, Role.COORDINATOR, Role.VOLUNTEER])
def test_only_hr_manages_contracts(world, sign_in, client, post, role):
    contract = make_contract(person=world.me, post=post, starts_on=date(2026, 1, 1))
    db.session.commit()
    sign_in(world.user(role))
    assert client.post(f"/contracts/{contract.id}/end", data={"ends_on": _day(date(2026, 2, 1))}).status_code == 403
    assert db.session.get(Contract, contract.id).ends_on is None


def test_hr_cannot_change_their_own_contract(world, sign_in, client, post):
    own = make_person(provider=world.provider, area=world.north, first_name="Hattie", last_name="Hr")
    hr = make_user(Role.HR, provider=world.provider, person=own)
    contract = make_contract(person=own, post=post, starts_on=date(2026, 1, 1))
    db.session.commit()
    sign_in(hr)
    assert client.get(f"/people/{own.id}/contracts/new").status_code == 403
    assert client.post(f"/contracts/{contract.id}/hours", data={
        "basis": "salaried", "weekly_hours": "37", "from_date": _day(date(2026, 6, 1))}).status_code == 403
    assert len(_contracts(own)) == 1


def test_a_volunteer_post_gives_a_volunteer_role_never_a_contract(world, sign_in, client):
    from app.models.establishment import VolunteerRole

    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Volunteer")
    db.session.commit()
    person = world.me
    sign_in(world.user(Role.HR))
    response = client.post(f"/people/{person.id}/contracts/new", data={
        "post_id": str(post.id), "basis": "salaried", "weekly_hours": "6", "starts_on": _day(date(2026, 4, 1))},
        follow_redirects=True)
    assert "volunteers as Parent Volunteer" in response.get_data(as_text=True)
    assert _contracts(person) == []
    [role] = db.session.scalars(db.select(VolunteerRole).where(VolunteerRole.person_id == person.id)).all()
    assert (role.expected_weekly_hours, role.starts_on) == (6, date(2026, 4, 1))
    shown = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Not contracted (about 6 expected)" in shown and f"/volunteer-roles/{role.id}/end" in shown
    establishment = page(client.get("/establishment/"))
    row = next(r for r in establishment.select("tbody tr") if r.td and r.td.get_text(strip=True).startswith(
        "Parent Volunteer"))
    assert "Not contracted" in row.get_text(" ", strip=True)  # filled, but never contracted FTE
    response = client.post(f"/volunteer-roles/{role.id}/end", data={"ends_on": _day(date(2026, 6, 30))})
    assert response.status_code == 302
    db.session.refresh(role)
    assert role.ends_on == date(2026, 6, 30)
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_type == "VolunteerRole",
                                                         AuditEvent.action == "update"))


def test_another_providers_hr_cannot_end_a_volunteer_role(world, sign_in, client):
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Volunteer")
    role = make_contract(person=world.me, post=post, hours="0", starts_on=date(2026, 4, 1))
    db.session.commit()
    sign_in(world.other_hr)
    assert client.get(f"/volunteer-roles/{role.id}/end").status_code == 404
    assert client.post(f"/volunteer-roles/{role.id}/end", data={"ends_on": _day(date(2026, 6, 30))}).status_code == 404
    client.post("/sign-out")
    sign_in(world.user(Role.AREA_FACILITATOR))
    assert client.get(f"/volunteer-roles/{role.id}/end").status_code == 403
