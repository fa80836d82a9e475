"""Accounts for real people: staff accounts, parents invited by email or by letter, forgotten
passwords, and leavers switched off. Mail goes to a real SMTP server on a loopback port."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from app.accounts.services import switch_off_leavers
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role, User
from app.models.hours import HoursEntry
from app.models.mail import OutboxMessage

from ..conftest import error_messages, page, text_of
from ..factories import PASSWORD, activity, make_person, make_user

NEW_PASSWORD = "five brown owls at dusk"


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", text_of(message)).group(1)


def test_an_administrator_creates_a_staff_account_and_the_invitation_arrives(world, sign_in, client, smtp):
    person = make_person(provider=world.provider, area=world.south, first_name="Fern", last_name="Facilitator")
    db.session.commit()
    sign_in(world.user(Role.ADMIN))
    data = {"name": "Fern Facilitator", "email": "fern@example.org", "role": "area_facilitator",
            "area_id": str(world.south.id)}
    offered = client.post("/accounts/new", data=data)  # the matching person is offered, not yet chosen
    assert "Select the person this account is for" in error_messages(offered)
    response = client.post("/accounts/new", data={**data, "person_id": str(person.id)})
    assert response.status_code == 302
    fern = db.session.scalar(db.select(User).where(User.email == "fern@example.org"))
    assert (fern.role, fern.area_id, fern.provider_id) == (Role.AREA_FACILITATOR, world.south.id, world.provider.id)
    assert (fern.person_id, fern.grant_confirmed) == (person.id, False)
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_type == "User",
                                                         AuditEvent.entity_id == fern.id)).actor_id
    [message] = [m for m in smtp if m["To"] == "fern@example.org"]
    # Every grant is told to the provider's other administrators and HR.
    [told] = [m for m in smtp if m["To"] == world.user(Role.HR).email]
    assert "has been given the role Area facilitator" in told["Subject"]
    assert message["To"] == "fern@example.org" and "invited" in message["Subject"]
    assert message.get_body(preferencelist=("html",)) is not None
    assert f"{world.provider.name}, through Pathway" in text_of(message)
    client.post("/sign-out")
    assert client.post(_link(message), data={"password": NEW_PASSWORD}).status_code == 302
    # A new member of staff sets up their second step before any page opens.
    assert client.post("/sign-in", data={"email": "fern@example.org", "password": NEW_PASSWORD}).headers[
        "Location"].endswith("/sign-in/set-up-second-step")
    assert client.post(_link(message), data={"password": "another long password"}).status_code == 200  # used


def test_a_parent_invited_by_email_sets_a_password_and_logs_hours(world, sign_in, client, smtp):
    parent = make_person(provider=world.provider, area=world.north, first_name="Pat", last_name="Parent",
                         email="pat@example.org")
    db.session.commit()
    sign_in(world.user(Role.AREA_FACILITATOR))
    assert "Not invited" in client.get(f"/people/{parent.id}").get_data(as_text=True)
    client.post(f"/people/{parent.id}/invite", data={"how": "email"})
    assert "Invited on" in client.get(f"/people/{parent.id}").get_data(as_text=True)
    client.post("/sign-out")
    [message] = smtp
    client.post(_link(message), data={"password": NEW_PASSWORD})
    assert client.post("/sign-in", data={"email": "pat@example.org", "password": NEW_PASSWORD}).status_code == 302
    today = date.today()
    client.post(f"/people/{parent.id}/hours/new", data={
        "worked_on": [str(today.day), str(today.month), str(today.year)], "hours": "2",
        "activity_id": str(activity("Peer support group").id), "area_id": str(world.north.id)})
    assert db.session.scalar(db.select(HoursEntry).where(HoursEntry.person_id == parent.id)).minutes == 120


def test_a_parent_without_email_gets_a_letter_code_and_signs_in_with_their_reference(world, sign_in, client):
    parent = make_person(provider=world.provider, area=world.north, first_name="Lee", last_name="Letter", email=None)
    db.session.commit()
    sign_in(world.user(Role.HR))
    assert error_messages(client.post(f"/people/{parent.id}/invite", data={"how": "email"})) == [
        "Lee Letter has no email address: print a letter instead"]
    letter = page(client.post(f"/people/{parent.id}/invite", data={"how": "letter"})).get_text(" ")
    code = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", letter).group(1)
    assert parent.ref in letter
    client.post("/sign-out")
    wrong = client.post("/account/letter-code", data={"code": "AAAA-AAAA", "password": NEW_PASSWORD})
    assert "That code is not right" in error_messages(wrong)[0]
    client.post("/account/letter-code", data={"code": code.lower().replace("-", " "), "password": NEW_PASSWORD})
    assert client.post("/sign-in", data={"email": parent.ref, "password": NEW_PASSWORD}).status_code == 302
    client.post("/sign-out")
    again = client.post("/account/letter-code", data={"code": code, "password": "yet another long one"})
    assert "That code is not right" in error_messages(again)[0]  # single use


def test_forgotten_password_reset_by_email_is_single_use_and_signs_out_other_sessions(app, world, client, smtp):
    user = world.user(Role.HR)
    laptop = app.test_client()
    laptop.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    known = client.post("/forgot-password", data={"email": user.email})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.org"})
    assert page(known).select_one("main").get_text(" ", strip=True).replace(user.email, "X") == \
        page(unknown).select_one("main").get_text(" ", strip=True).replace("nobody@example.org", "X")
    [message] = smtp
    assert client.post(_link(message), data={"password": NEW_PASSWORD}).status_code == 302
    assert laptop.get("/").status_code == 302  # signed out everywhere
    assert client.post("/sign-in", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert "expired or has been used" in client.get(_link(message)).get_data(as_text=True)


def test_a_reset_link_expires_after_an_hour(world, client, smtp):
    user = world.user(Role.HR)
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False) as clock:
        client.post("/forgot-password", data={"email": user.email})
        clock.shift(timedelta(minutes=61))
        response = client.post(_link(smtp[0]), data={"password": NEW_PASSWORD})
    assert "expired or has been used" in response.get_data(as_text=True)


def test_without_a_mail_server_messages_are_kept_for_administrators(world, sign_in, client):
    hal = make_person(provider=world.provider, area=world.south, first_name="Hal", last_name="Hr",
                      email="hal@example.org")
    db.session.commit()
    sign_in(world.user(Role.ADMIN))
    client.post("/accounts/new", data={"name": "Hal HR", "email": "hal@example.org", "role": "hr",
                                       "person_id": str(hal.id)})
    kept = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to == "hal@example.org"))
    # Kept for reading, but never with a link that sets a password: an administrator must not be
    # able to take a colleague's account from the outbox.
    token = kept.body.split("/account/set-password/")[1].split()[0]
    page_text = client.get("/admin/outbox").get_data(as_text=True)
    assert "/account/set-password/(hidden)" in page_text and token not in page_text


def test_the_outbox_never_shows_a_colleagues_sign_in_code(world, sign_in, client):
    from app.auth import two_step

    colleague = world.user(Role.HR)
    colleague.two_step_method = "email"
    two_step.send_email_code(colleague, now=datetime.now(UTC))
    db.session.commit()
    kept = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to == colleague.email))
    code = re.search(r"\d{6}", kept.subject).group(0)
    sign_in(world.user(Role.ADMIN))
    page_text = client.get("/admin/outbox").get_data(as_text=True)
    assert "sign-in code" in page_text and code not in page_text


def test_a_leavers_account_is_switched_off_by_the_daily_job(world, client):
    parent = make_person(provider=world.provider, area=world.north, left_on=date(2026, 11, 20))
    user = make_user(Role.VOLUNTEER, provider=world.provider, person=parent)
    db.session.commit()
    assert switch_off_leavers(today=date(2026, 11, 20), now=datetime.now(UTC)) == 0  # their last day
    with time_machine.travel(datetime(2026, 11, 21, 1, 10, tzinfo=UTC)):
        from app.accounts.tasks import switch_off_leavers_daily

        switch_off_leavers_daily.call_local()
    assert not db.session.get(User, user.id).is_enabled
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "disable"))
    assert client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize("role,status", [(Role.HR, 404), (Role.ADMIN, 404), (Role.COORDINATOR, 404)])
def test_nobody_manages_another_providers_accounts(world, sign_in, client, role, status):
    sign_in(world.user(role))
    assert client.get(f"/accounts/{world.other_hr.id}").status_code == status
    assert client.post(f"/accounts/{world.other_hr.id}/switch_off").status_code == status
    assert db.session.get(User, world.other_hr.id).is_enabled
    assert world.other_hr.email not in client.get("/accounts").get_data(as_text=True)


def test_nobody_switches_off_or_changes_their_own_account(world, sign_in, client):
    admin = world.user(Role.ADMIN)
    sign_in(admin)
    assert client.post(f"/accounts/{admin.id}/switch_off").status_code == 403
    assert client.post(f"/accounts/{admin.id}", data={"role": "hr"}).status_code == 403
    assert db.session.get(User, admin.id).is_enabled


def test_administrators_unlock_switch_off_and_change_roles(world, sign_in, client):
    facilitator = world.user(Role.AREA_FACILITATOR)
    facilitator.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    db.session.commit()
    sign_in(world.user(Role.ADMIN))
    names = [a.get_text(strip=True) for a in page(client.get("/accounts?status=locked")).select("tbody a")]
    assert names == [facilitator.name]
    client.post(f"/accounts/{facilitator.id}/unlock")
    client.post(f"/accounts/{facilitator.id}/switch_off")
    # A staff role belongs to a person: an unlinked account is linked first.
    refused = client.post(f"/accounts/{facilitator.id}", data={"role": "hr"})
    assert any("Link this account to its person first" in m for m in error_messages(refused))
    client.post(f"/accounts/{facilitator.id}/link", data={"ref": world.neighbour.ref})
    client.post(f"/accounts/{facilitator.id}", data={"role": "hr"})
    changed = db.session.get(User, facilitator.id)
    assert (changed.locked_until, changed.is_enabled, changed.role, changed.area_id) == (None, False, Role.HR, None)
    assert (changed.person_id, changed.grant_confirmed, changed.granted_by_id) == (
        world.neighbour.id, False, world.user(Role.ADMIN).id)
    actions = set(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.entity_id == facilitator.id,
                                                                         AuditEvent.entity_type == "User")))
    assert {"unlock", "disable", "update"} <= actions
