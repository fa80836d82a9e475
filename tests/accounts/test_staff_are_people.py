"""Staff are people: a provider made the way a new one makes it (people by import, a facilitator
under Accounts, a parent by letter) keeps "not your own" whatever account someone acts through,
and a staff role that can approve, pay or grant waits for a second person to confirm it."""

import io
from datetime import date

import pyotp
from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role, User
from app.models.expenses import ExpenseLine, LineStatus
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person
from app.models.spending import Spend, SpendStatus

from ..conftest import error_messages, page, sign_in_with
from ..factories import make_claim, make_contract_year, make_hours, make_person

PEOPLE = (b"person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"
          b"NP001,Fiona,Field,fiona@home.example,North Kent,employee,2025-04-01,,yes\n"
          b"NP002,Pat,Parent,,North Kent,volunteer,2026-01-05,,yes\n")


def _import_people(client):
    response = client.post("/imports/", data={"kind": "people", "file": (io.BytesIO(PEOPLE), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, error_messages(response)


def _person(ref: str) -> Person:
    return db.session.scalar(select(Person).where(Person.ref == ref))


def test_a_facilitator_made_under_accounts_cannot_approve_their_own_and_hr_can(app, world, sign_in, client):
    _import_people(sign_in(world.user(Role.HR)))
    client.post("/sign-out")
    fiona, pat = _person("NP001"), _person("NP002")
    # The administrator makes the facilitator's account under Accounts, with a work address the
    # import never saw: the person matching by name is offered and chosen.
    sign_in(world.user(Role.ADMIN))
    account = {"name": "Fiona Field", "email": "fiona@provider.example", "role": "area_facilitator",
               "area_id": str(world.north.id)}
    offered = page(client.post("/accounts/new", data=account))
    assert "Fiona Field (NP001)" in offered.get_text()
    assert client.post("/accounts/new", data={**account, "person_id": str(fiona.id)}).status_code == 302
    # The parent is invited by a printed letter.
    letter = client.post(f"/people/{pat.id}/invite", data={"how": "letter"})
    assert letter.status_code == 200 and "Pathway" in letter.get_data(as_text=True)
    # "Invite" on the facilitator's own record offers a staff role.
    invite = client.get(f"/people/{fiona.id}/invite").get_data(as_text=True)
    assert "Give them a staff role instead" in invite
    client.post("/sign-out")

    facilitator = db.session.scalar(select(User).where(User.email == "fiona@provider.example"))
    assert (facilitator.person_id, facilitator.grant_confirmed) == (fiona.id, False)
    # HR confirms the role the administrator gave.
    sign_in(world.user(Role.HR))
    assert client.post(f"/accounts/{facilitator.id}/confirm").status_code == 302
    client.post("/sign-out")
    assert db.session.get(User, facilitator.id).grant_confirmed

    facilitator = db.session.get(User, facilitator.id)  # as if they had chosen a password and set up an app
    facilitator.password_hash, facilitator.two_step_method = world.user(Role.HR).password_hash, "app"
    facilitator.totp_secret = pyotp.random_base32()
    own_hours = make_hours(fiona, worked_on=date(2026, 3, 2), hours="3", status="submitted")
    own_claim = make_claim(fiona)
    pats = make_hours(pat, worked_on=date(2026, 3, 2), hours="2", status="submitted")
    db.session.commit()

    sign_in(facilitator)
    queue = client.get("/approvals/hours").get_data(as_text=True)
    assert f"/hours/{pats.id}" in queue and f"/hours/{own_hours.id}" not in queue
    client.post("/approvals/hours", data={"entry": [str(own_hours.id), str(pats.id)]})
    assert db.session.get(HoursEntry, own_hours.id).status == HoursStatus.SUBMITTED
    assert db.session.get(HoursEntry, pats.id).status == HoursStatus.APPROVED
    [line] = own_claim.lines
    assert client.post(f"/expenses/items/{line.id}/decide", data={"approve": "y"}).status_code == 403
    assert client.post(f"/hours/{own_hours.id}/reject", data={"reason": "x"}).status_code == 403
    client.post("/sign-out")
    assert db.session.get(ExpenseLine, line.id).status == LineStatus.PENDING

    # HR's queue has the facilitator's own hours.
    sign_in(world.user(Role.HR))
    assert f"/hours/{own_hours.id}" in client.get("/approvals/hours").get_data(as_text=True)


def test_an_account_never_linked_is_still_its_person_by_email(app, world, sign_in, client):
    """An account made before its person was imported, with the same address: the rule compares
    the email too, so nothing slips through before anyone links it."""
    fiona = make_person(provider=world.provider, area=world.north, first_name="Fiona", last_name="Field",
                        email=world.user(Role.AREA_FACILITATOR).email.upper())
    own_hours = make_hours(fiona, worked_on=date(2026, 3, 2), hours="3", status="submitted")
    db.session.commit()
    sign_in(world.user(Role.AREA_FACILITATOR))
    client.post("/approvals/hours", data={"entry": [str(own_hours.id)]})
    assert db.session.get(HoursEntry, own_hours.id).status == HoursStatus.SUBMITTED
    assert client.get(f"/hours/{own_hours.id}/reject").status_code == 403


def test_a_parent_invited_first_keeps_one_account_when_given_a_staff_role(app, world, sign_in, client):
    parent = make_person(provider=world.provider, area=world.north, first_name="Gill", last_name="Grant",
                         email="gill@example.org")
    db.session.commit()
    sign_in(world.user(Role.ADMIN))
    client.post(f"/people/{parent.id}/invite", data={"how": "email"})
    assert client.get(f"/people/{parent.id}/staff-role").status_code == 200
    response = client.post(f"/people/{parent.id}/staff-role", data={"role": "area_facilitator",
                                                                   "area_id": str(world.north.id)})
    assert response.status_code == 302
    [account] = db.session.scalars(select(User).where(User.email == "gill@example.org")).all()
    assert (account.role, account.person_id, account.grant_confirmed) == (Role.AREA_FACILITATOR, parent.id, False)


def test_a_second_hr_account_of_the_same_person_has_no_power_until_confirmed_and_still_is_them(
        app, world, sign_in, client):
    hr = world.user(Role.HR)
    me = make_person(provider=world.provider, area=world.north, first_name="Hana", last_name="Hughes",
                     email=hr.email)
    hr.person_id = me.id
    year = make_contract_year(world.provider, start_year=2025)
    line = next(line for line in year.budget_lines if line.name == "Room hire")
    spend = Spend(provider_id=world.provider.id, budget_line_id=line.id, spent_on=date(2025, 6, 12), supplier="Hall",
                  description="Room", amount_pence=8500, recorded_by_id=hr.id)
    db.session.add(spend)
    db.session.commit()
    # HR makes a second HR account for themselves, at another address they hold.
    sign_in(hr)
    data = {"name": "Hana Hughes", "email": "hana.second@example.org", "role": "hr", "person_id": str(me.id)}
    assert client.post("/accounts/new", data=data).status_code == 302
    second = db.session.scalar(select(User).where(User.email == "hana.second@example.org"))
    second.password_hash, second.two_step_method, second.totp_secret = hr.password_hash, "app", hr.totp_secret
    db.session.commit()
    # They cannot confirm it themselves, through either account.
    assert client.post(f"/accounts/{second.id}/confirm").status_code == 404
    client.post("/sign-out")
    other = app.test_client()
    sign_in_with(other, second)
    assert other.post(f"/spending/{spend.id}/decide", data={"decision": "approve"}).status_code == 403
    assert other.get("/people").status_code == 403
    assert "waiting for confirmation" in other.get("/").get_data(as_text=True)
    assert other.post(f"/accounts/{second.id}/confirm").status_code == 403
    # The administrator, a second person, confirms it: it has power now, but is still Hana.
    sign_in(world.user(Role.ADMIN))
    assert client.post(f"/accounts/{second.id}/confirm").status_code == 302
    assert db.session.get(User, second.id).grant_confirmed
    assert other.get("/people").status_code == 200
    assert other.post(f"/spending/{spend.id}/decide", data={"decision": "approve"}).status_code == 403
    assert db.session.get(Spend, spend.id).status == SpendStatus.SUBMITTED


def test_an_administrator_cannot_confirm_a_role_they_gave(app, world, sign_in, client):
    person = make_person(provider=world.provider, area=world.north, first_name="Ivy", last_name="Ingram",
                         email="ivy@example.org")
    db.session.commit()
    sign_in(world.user(Role.ADMIN))
    client.post(f"/people/{person.id}/staff-role", data={"role": "hr"})
    account = db.session.scalar(select(User).where(User.email == "ivy@example.org"))
    assert client.post(f"/accounts/{account.id}/confirm").status_code == 404
    assert not db.session.get(User, account.id).grant_confirmed
    # With another administrator or HR at the provider, the council's co-ordinator may not confirm it.
    client.post("/sign-out")
    sign_in(world.user(Role.COORDINATOR))
    assert client.post(f"/accounts/{account.id}/confirm").status_code == 404
