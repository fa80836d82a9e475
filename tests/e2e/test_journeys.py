"""Every role's main journey in a real browser, checked with axe on every page."""

import io
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.demo import load_demo
from app.extensions import db
from app.models.auth import User
from app.models.expenses import ClaimStatus, ExpenseClaim
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Stage

RECEIPT = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
                        "9c63f80f00000101000518d84e0000000049454e44ae426082")


def _volunteer():
    user = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
    return user.person


def _log_hours_by_keyboard(v, hours: str) -> None:
    v.tab_to("#hours")
    v.page.keyboard.type(hours)
    v.tab_to("input[name=activity_id]")
    v.page.keyboard.press("Space")
    v.tab_to("[name=submit]")
    v.press("Enter")


def volunteer_logs_hours_and_claims(journey, person):
    v = journey("volunteer", width=375)
    v.sign_in("volunteer@example.org")
    v.tab_to("a.govuk-button--start")
    v.press("Enter")
    v.check("log hours")
    _log_hours_by_keyboard(v, "2.5")
    assert "sent for approval" in v.page.inner_text("main")
    v.check("week after logging")
    v.goto(f"/people/{person.id}/hours/new", "log more hours")
    _log_hours_by_keyboard(v, "1")
    v.goto("/expenses", "my expenses")
    v.click("text=Start a new claim")
    v.check("add an item")
    v.page.check("label:has-text('Mileage')")
    v.page.fill("#description", "Peer support group at the library")
    v.page.fill("#journey_from", "Home")
    v.page.fill("#journey_to", "Sittingbourne Library")
    v.page.fill("#miles", "12")
    v.page.check("label:has-text('Car or van')")
    v.click("text=Add to claim")
    v.check("claim with mileage")
    v.click("text=Add an item")
    v.page.check("label:has-text('Parking')")
    v.page.fill("#description", "Library car park")
    v.page.fill("#amount", "3.40")
    v.page.set_input_files("#receipt", files=[{"name": "ticket.png", "mimeType": "image/png", "buffer": RECEIPT}])
    v.click("text=Add to claim")
    v.check("claim with parking")
    assert "£8.80" in v.page.inner_text("main")  # 12 miles at 45p, plus £3.40
    v.click("button:has-text('Submit claim')")
    v.check("claim submitted")
    v.goto(f"/people/{person.id}/pathway", "progress to co-facilitator")
    assert "Becoming a Parent Co-Facilitator" in v.page.inner_text("main")
    return v


def facilitator_approves_and_rejects(journey, person, keep_id: int, reject_id: int, claim_id: int):
    f = journey("facilitator")
    f.sign_in("facilitator@example.org")
    f.goto("/approvals/hours", "hours to approve")
    f.page.check(f"#entry-{keep_id}")
    f.click("text=Approve selected hours")
    f.check("hours approved")
    f.goto(f"/hours/{reject_id}/reject", "reject hours")
    f.page.fill("#reason", "There was no group that evening: which session was this?")
    f.click("button:has-text('Reject hours')")
    f.goto("/approvals/expenses", "claims to approve")
    f.click(f"a:has-text('Claim {claim_id}')")
    f.check("claim to decide")
    while f.page.locator("button[name=approve]").count():
        with f.page.expect_navigation():
            f.page.locator("button[name=approve]").first.click()
    f.check("claim approved")
    f.goto(f"/people/{person.id}/pathway", "pathway as facilitator")
    f.click("button:has-text('Record recommendation')")
    f.check("recommended")


def hr_trains_and_moves_on(journey, person):
    h = journey("hr")
    h.sign_in("hr@example.org")
    h.goto(f"/people/{person.id}/pathway", "pathway as HR")
    today = date.today()
    for course in h.page.locator(".govuk-task-list__item:has(.govuk-tag) .govuk-task-list__name").all_inner_texts():
        if course.startswith(("At least", "Enhanced DBS", "Recommendation", "Right to work")):
            continue
        h.goto(f"/people/{person.id}/training/new", "record training")
        h.page.select_option("#course_id", label=course)
        h.page.fill("#completed_on-day", str(today.day))
        h.page.fill("#completed_on-month", str(today.month))
        h.page.fill("#completed_on-year", str(today.year))
        h.page.check("label:has-text('Passed')")
        h.click("button:has-text('Record training')")
    h.goto(f"/people/{person.id}/checks/new", "record a check")
    h.page.check("label:has-text('Enhanced DBS check')")
    h.page.fill("#checked_on-day", str(today.day))
    h.page.fill("#checked_on-month", str(today.month))
    h.page.fill("#checked_on-year", str(today.year))
    h.page.check("label:has-text('For a paid role')")
    h.page.check("label:has-text('barred list')")  # regulated activity with children
    h.click("button:has-text('Record check')")
    h.goto(f"/people/{person.id}/checks/new", "record right to work")  # before any paid stage
    h.page.check("label:has-text('Right to work check')")
    h.page.fill("#checked_on-day", str(today.day))
    h.page.fill("#checked_on-month", str(today.month))
    h.page.fill("#checked_on-year", str(today.year))
    h.click("button:has-text('Record check')")
    h.check("checklist met")
    assert "Not met" not in h.page.inner_text(".govuk-task-list")
    h.click("text=Move to Parent Co-Facilitator")
    h.check("move on")
    h.click("button:has-text('Move to the next stage')")
    h.check("check before moving on")
    assert "What will happen" in h.page.inner_text("main")
    h.click("button:has-text('Yes, move')")
    h.check("moved on")
    link = h.page.locator("#certificates ~ ul a:has-text('Became a Parent Co-Facilitator')").first
    pdf = h.page.request.get(h.base + link.get_attribute("href")).body()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert person.first_name in text and "Parent Co-Facilitator" in text


def coordinator_downloads_the_return(journey):
    c = journey("coordinator")
    c.sign_in("coordinator@example.org")
    c.goto("/budget/", "budget monitor")
    assert "Budget monitor" in c.page.inner_text("main")
    c.goto("/returns/", "workforce return")
    csv_link = c.page.locator("a:has-text('CSV (one row a figure)')").get_attribute("href")
    csv_text = c.page.request.get(c.base + csv_link).text()
    assert csv_text.startswith("period_start,period_end,provider,area,measure,breakdown,value")
    for label, check in (("PDF report", lambda data: PdfReader(io.BytesIO(data)).pages),
                         ("Excel workbook", lambda data: load_workbook(io.BytesIO(data)).sheetnames)):
        c.goto("/returns/", "workforce return")
        c.click(f"button:has-text('{label}')")
        c.page.wait_for_selector("#job-download:not([hidden])", timeout=60000)
        c.check(f"{label} ready")
        href = c.page.locator("#job-download a").get_attribute("href")
        assert check(c.page.request.get(c.base + href).body())


def test_every_role_in_a_real_browser(app, journey):
    load_demo(today=date.today())
    db.session.commit()
    person = _volunteer()
    volunteer = volunteer_logs_hours_and_claims(journey, person)
    db.session.expire_all()
    mine = db.session.scalars(select(HoursEntry).where(HoursEntry.person_id == person.id,
                                                       HoursEntry.worked_on == date.today())
                              .order_by(HoursEntry.id)).all()
    assert [(e.minutes, e.status) for e in mine] == [(150, HoursStatus.SUBMITTED), (60, HoursStatus.SUBMITTED)]
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.person_id == person.id)
                              .order_by(ExpenseClaim.id.desc()))
    assert (claim.status, claim.total_pence) == (ClaimStatus.SUBMITTED, 880)
    facilitator_approves_and_rejects(journey, person, mine[0].id, mine[1].id, claim.id)
    db.session.expire_all()
    assert db.session.get(ExpenseClaim, claim.id).status == ClaimStatus.APPROVED
    volunteer.goto(f"/people/{person.id}/hours", "my week after decisions")
    assert "There was no group that evening" in volunteer.page.inner_text("main")
    hr_trains_and_moves_on(journey, person)
    db.session.expire_all()
    assert db.session.get(type(person), person.id).stage == Stage.CO_FACILITATOR
    coordinator_downloads_the_return(journey)


def test_the_accessibility_check_catches_a_real_problem(app, browser, server):
    from .conftest import Journey

    probe = Journey(browser, server, "axe-self-test")
    try:
        probe.page.goto(server + "/sign-in")
        probe.page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\">"
                            "<input type=\"text\">')")
        probe.check("planted problems")
        assert any("image-alt" in v for v in probe.violations)
        assert any("label" in v for v in probe.violations)
    finally:
        probe.close()
