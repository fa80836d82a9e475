"""The finished journeys in a real browser, checked with axe on every page: a parent sees hours
sent back on their home page and in the email a real SMTP server received, corrects them,
logs a week in one form and withdraws a claim; a facilitator approves a whole claim; HR
submits a return after a confirmation step."""

from datetime import date, timedelta

from sqlalchemy import select

from app.demo import load_demo
from app.extensions import db
from app.models.auth import User
from app.models.expenses import ClaimStatus, ExpenseClaim
from app.models.hours import HoursEntry, HoursStatus
from app.models.returns import ReturnSubmission

from ..conftest import text_of
from ..factories import make_claim, make_hours

LAST_MONDAY = date.today() - timedelta(days=date.today().weekday() + 7)


def _fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def test_sent_back_corrected_a_week_logged_a_claim_withdrawn_and_approved_whole_and_a_return_confirmed(
        app, smtp, journey):
    load_demo(today=date.today())
    volunteer = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
    person = volunteer.person
    wrong = make_hours(person, worked_on=LAST_MONDAY - timedelta(days=14), hours="2", status="submitted")
    to_withdraw = make_claim(person, lines=[{"description": "Bus to the hall", "category": "Public transport",
                                             "amount": 420}])
    to_approve = make_claim(person, lines=[{"description": "Car park", "amount": 350},
                                           {"description": "Car park again", "amount": 250}])
    db.session.commit()

    # The facilitator sends the hours back with a reason.
    f = journey("finished-facilitator")
    f.sign_in("facilitator@example.org")
    f.goto(f"/hours/{wrong.id}/reject", "reject hours")
    f.page.fill("#reason", "The group met on the Tuesday: change the date")
    f.click("button:has-text('Reject hours')")
    assert _fresh(HoursEntry, wrong.id).status == HoursStatus.REJECTED
    [email] = [m for m in smtp if m["To"] == person.email and m["Subject"] == "Your hours were sent back"]
    assert "The group met on the Tuesday: change the date" in text_of(email)

    # The parent, on a phone, sees it first on their home page and corrects it.
    v = journey("finished-parent", width=375)
    v.sign_in("volunteer@example.org")
    assert "sent back: The group met on the Tuesday: change the date" in v.page.inner_text("main")
    v.click("text=Correct it and send it again")
    v.check("the entry sent back")
    v.click("text=Correct and resubmit")
    v.page.fill("#worked_on-day", str((LAST_MONDAY - timedelta(days=13)).day))
    v.page.fill("#worked_on-month", str((LAST_MONDAY - timedelta(days=13)).month))
    v.page.fill("#worked_on-year", str((LAST_MONDAY - timedelta(days=13)).year))
    v.click("[name=submit]")
    v.check("corrected and sent again")
    corrected = _fresh(HoursEntry, wrong.id)
    assert (corrected.status, corrected.worked_on) == (HoursStatus.SUBMITTED, LAST_MONDAY - timedelta(days=13))

    # A week in one form.
    v.goto(f"/people/{person.id}/hours/week?week={LAST_MONDAY}", "log a week")
    v.page.fill(f"#hours-{LAST_MONDAY}", "2.5")
    v.page.select_option(f"#activity-{LAST_MONDAY}", label="Peer support group")
    v.page.fill(f"#hours-{LAST_MONDAY + timedelta(days=3)}", "1.5")
    v.page.select_option(f"#activity-{LAST_MONDAY + timedelta(days=3)}", label="Peer support group")
    v.click("button:has-text('Send the week for approval')")
    v.check("week sent")
    assert "2 days of hours sent for approval" in v.page.inner_text("main")
    db.session.expire_all()
    week = db.session.scalars(select(HoursEntry.minutes).where(
        HoursEntry.person_id == person.id, HoursEntry.worked_on.in_([LAST_MONDAY, LAST_MONDAY + timedelta(days=3)]),
        HoursEntry.status == HoursStatus.SUBMITTED, HoursEntry.minutes.in_([150, 90]))).all()
    assert sorted(week) == [90, 150]

    # A claim withdrawn before anyone decided it.
    v.goto(f"/expenses/{to_withdraw.id}", "a claim to withdraw")
    v.click("button:has-text('Withdraw the claim')")
    v.check("claim withdrawn")
    assert _fresh(ExpenseClaim, to_withdraw.id).status == ClaimStatus.DRAFT

    # The facilitator approves a whole claim in one action.
    f.goto(f"/expenses/{to_approve.id}", "a claim to approve")
    f.click("button:has-text('Approve all 2 items')")
    f.check("claim approved")
    assert _fresh(ExpenseClaim, to_approve.id).status == ClaimStatus.APPROVED

    # HR submits a return, after a confirmation step.
    h = journey("finished-hr")
    h.sign_in("hr@example.org")
    h.goto("/returns/?from=2026-04-01&to=2026-06-30", "the return")
    h.click("text=Submit this return to the council")
    h.check("confirm submitting")
    assert "Submit the workforce return to the council?" in h.page.inner_text("main")
    assert db.session.scalar(select(ReturnSubmission).where(ReturnSubmission.period_start == date(2026, 4, 1),
                                                            ReturnSubmission.provider_id == volunteer.provider_id)) \
        is None
    h.click("button:has-text('Yes, submit the return')")
    h.check("return submitted")
    db.session.expire_all()
    assert db.session.scalar(select(ReturnSubmission).where(ReturnSubmission.period_start == date(2026, 4, 1),
                                                            ReturnSubmission.provider_id == volunteer.provider_id))
