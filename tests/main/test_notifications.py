"""Parents are told, by email where they have one and always on their home page, when hours or a
claim item are sent back (with the reason), a claim is paid, and a certificate issued. The
emails go through a real SMTP server on a loopback port."""

from datetime import date

from app.extensions import db
from app.models.auth import Role, User

from ..conftest import text_of


def _to(received, address):
    return [m for m in received if m["To"] == address]


def test_hours_sent_back_are_emailed_with_the_reason_and_a_link(world, sign_in, smtp):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post(f"/hours/{world.entry.id}/reject", data={"reason": "The group was on the 6th"})
    assert response.status_code == 302
    [message] = _to(smtp, world.me.email)
    assert message["Subject"] == "Your hours were sent back"
    body = text_of(message)
    assert "Hello Vera" in body and "The group was on the 6th" in body
    assert f"/hours/{world.entry.id}" in body and "2 hours of" in body


def test_a_claim_item_not_approved_is_emailed(world, sign_in, smtp):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    line = world.claim.lines[0]
    client.post(f"/expenses/items/{line.id}/decide", data={"reject": "Reject", "reason": "No ticket attached"})
    [message] = _to(smtp, world.me.email)
    assert message["Subject"] == "An item on your expense claim was not approved"
    assert "No ticket attached" in text_of(message)


def test_a_paid_claim_is_emailed_with_how_much_and_when(world, sign_in, smtp):
    from datetime import UTC, datetime

    from app.expenses.services import decide_line

    decide_line(world.claim.lines[0], approve=True, reason=None, actor=world.user(Role.AREA_FACILITATOR),
                now=datetime.now(UTC))
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    response = client.post("/payments", data={
        "claim": [str(world.claim.id)], "paid_on": ["20", "11", "2026"], "reference": "BACS-77"})
    assert response.status_code == 302
    [message] = _to(smtp, world.me.email)
    assert message["Subject"].startswith("Your expenses claim of £") and "has been paid" in message["Subject"]
    assert "was paid on 20 November 2026, reference BACS-77" in text_of(message)


def test_a_certificate_issued_is_emailed(world, sign_in, smtp):
    from ..factories import make_user

    client = sign_in(world.user(Role.HR))
    # Someone never invited to sign in is not emailed links they cannot open.
    response = client.post(f"/people/{world.south_person.id}/training/new", data={
        "course_id": str(world.course.id), "completed_on": ["3", "11", "2026"], "result": "passed", "cost": ""})
    assert response.status_code == 302 and _to(smtp, world.south_person.email) == []
    make_user(Role.VOLUNTEER, provider=world.provider, person=world.neighbour, email=world.neighbour.email)
    db.session.commit()
    response = client.post(f"/people/{world.neighbour.id}/training/new", data={
        "course_id": str(world.course.id), "completed_on": ["3", "11", "2026"], "result": "passed", "cost": ""})
    assert response.status_code == 302
    [message] = _to(smtp, world.neighbour.email)
    assert message["Subject"] == "You have a new certificate: Completed Safeguarding children (level 1)"
    assert "/certificates/" in text_of(message)


def test_a_parent_who_turned_emails_off_gets_none_but_still_sees_it_at_home(world, sign_in, smtp, client):
    parent = sign_in(world.user(Role.VOLUNTEER))
    page = parent.get("/account/notifications").get_data(as_text=True)
    assert 'value="yes" checked' in page
    assert parent.post("/account/notifications", data={"email": "no"}).status_code == 302
    assert db.session.get(User, world.user(Role.VOLUNTEER).id).email_notifications is False
    parent.post("/sign-out")
    facilitator = sign_in(world.user(Role.AREA_FACILITATOR))
    facilitator.post(f"/hours/{world.entry.id}/reject", data={"reason": "Wrong day"})
    assert _to(smtp, world.me.email) == []
    facilitator.post("/sign-out")
    home = sign_in(world.user(Role.VOLUNTEER)).get("/").get_data(as_text=True)
    assert "were sent back: Wrong day" in home


def test_nothing_is_sent_when_the_change_is_not_saved(world, sign_in, smtp):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post(f"/hours/{world.entry.id}/reject", data={"reason": ""})
    assert response.status_code == 200 and smtp == []
    assert date.today()  # the entry is still waiting


def test_staff_get_a_weekly_summary_of_what_waits_for_them(world, app, smtp):
    from app.main.todo import weekly_summaries

    assert weekly_summaries(today=date.today()) >= 2
    facilitator = [m for m in smtp if m["To"] == world.user(Role.AREA_FACILITATOR).email]
    assert facilitator and "1 entry of hours waiting for approval" in text_of(facilitator[0])
    assert "/approvals/hours" in text_of(facilitator[0])
    assert not [m for m in smtp if m["To"] == world.user(Role.VOLUNTEER).email]  # parents are told case by case
