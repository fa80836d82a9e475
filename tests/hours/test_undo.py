"""A parent withdraws what nobody has decided yet; an approver takes back an approval within
24 hours, before anything is built on it; a whole claim is approved in one action."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus
from app.models.hours import HoursEntry, HoursStatus
from app.models.returns import ReturnSubmission

from ..factories import make_claim, make_hours


def _entry(entry_id):
    db.session.expire_all()
    return db.session.get(HoursEntry, entry_id)


def test_a_parent_withdraws_submitted_hours_and_changes_them(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    page = client.get(f"/hours/{world.entry.id}").get_data(as_text=True)
    assert "Withdraw to change them" in page
    assert client.post(f"/hours/{world.entry.id}/withdraw").status_code == 302
    entry = _entry(world.entry.id)
    assert (entry.status, entry.submitted_at) == (HoursStatus.DRAFT, None)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "withdraw"))


def test_decided_hours_cannot_be_withdrawn(world, sign_in):
    approved = make_hours(world.me, worked_on=date(2026, 1, 6), status="approved")
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/hours/{approved.id}/withdraw", follow_redirects=True)
    assert "Only hours waiting for approval can be withdrawn" in response.get_data(as_text=True)
    assert _entry(approved.id).status == HoursStatus.APPROVED


def test_an_approver_undoes_an_approval_within_24_hours(world, sign_in):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    client.post("/approvals/hours", data={"entry": [str(world.entry.id)]})
    assert _entry(world.entry.id).status == HoursStatus.APPROVED
    assert "Undo approval" in client.get(f"/hours/{world.entry.id}").get_data(as_text=True)
    assert client.post(f"/hours/{world.entry.id}/undo-approval").status_code == 302
    entry = _entry(world.entry.id)
    assert (entry.status, entry.decided_at) == (HoursStatus.SUBMITTED, None)
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "undo_approve")).startswith(
        "Undid the approval of 2 hours")


def test_an_approval_older_than_24_hours_or_in_a_submitted_return_stays(world, sign_in):
    old = make_hours(world.me, worked_on=date(2026, 1, 7), status="approved",
                     decided_at=datetime.now(UTC) - timedelta(hours=25))
    frozen = make_hours(world.me, worked_on=date(2026, 5, 7), status="approved",
                        decided_at=datetime.now(UTC) - timedelta(hours=1))
    db.session.add(ReturnSubmission(provider_id=world.provider.id, period_start=date(2026, 4, 1),
                                    period_end=date(2026, 6, 30), version=2, submitted_by_label="HR",
                                    submitted_at=datetime.now(UTC), figures=[]))
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    for entry, reason in ((old, "in the 24 hours after it"), (frozen, "in a workforce return submitted since")):
        assert "Undo approval" not in client.get(f"/hours/{entry.id}").get_data(as_text=True)
        response = client.post(f"/hours/{entry.id}/undo-approval", follow_redirects=True)
        assert reason in response.get_data(as_text=True)
        assert _entry(entry.id).status == HoursStatus.APPROVED


def test_nobody_undoes_the_approval_of_their_own_hours(world, sign_in):
    """The parent cannot reach the approver's action at all."""
    client = sign_in(world.user(Role.VOLUNTEER))
    assert client.post(f"/hours/{world.entry.id}/undo-approval").status_code == 403


def test_a_facilitator_approves_a_whole_claim_in_one_action(world, sign_in):
    claim = make_claim(world.me, lines=[{"description": "Bus"}, {"description": "Parking"},
                                        {"description": "Train"}])
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    assert "Approve all 3 items" in client.get(f"/expenses/{claim.id}").get_data(as_text=True)
    response = client.post(f"/expenses/{claim.id}/approve-all", follow_redirects=True)
    assert "3 items approved" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ExpenseClaim, claim.id).status == ClaimStatus.APPROVED
    assert set(db.session.scalars(select(ExpenseLine.status).where(ExpenseLine.claim_id == claim.id))) == {
        LineStatus.APPROVED}


def test_a_decision_on_a_claim_item_is_undone_within_24_hours(world, sign_in):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    line = world.claim.lines[0]
    client.post(f"/expenses/items/{line.id}/decide", data={"reject": "Reject", "reason": "No ticket"})
    assert client.post(f"/expenses/items/{line.id}/undo").status_code == 302
    db.session.expire_all()
    line = db.session.get(ExpenseLine, line.id)
    assert (line.status, line.decision_reason) == (LineStatus.PENDING, None)
    assert db.session.get(ExpenseClaim, world.claim.id).status == ClaimStatus.SUBMITTED


def test_a_parent_withdraws_a_claim_nobody_has_started_deciding(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    assert "Withdraw the claim" in client.get(f"/expenses/{world.claim.id}").get_data(as_text=True)
    assert client.post(f"/expenses/{world.claim.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(ExpenseClaim, world.claim.id).status == ClaimStatus.DRAFT


def test_an_approver_approves_a_persons_week_in_one_action(world, sign_in):
    monday = date(2026, 1, 5)
    other = make_hours(world.me, worked_on=monday + timedelta(days=2), hours="1.5", status="submitted")
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    week = client.get(f"/people/{world.me.id}/hours?week={monday}").get_data(as_text=True)
    assert "Approve Vera's week: 2 entries, 3.5 hours" in week
    response = client.post("/approvals/hours", data={
        "entry": [str(world.entry.id), str(other.id)], "next": f"/people/{world.me.id}/hours?week={monday}"})
    assert response.headers["Location"] == f"/people/{world.me.id}/hours?week={monday}"
    assert {_entry(world.entry.id).status, _entry(other.id).status} == {HoursStatus.APPROVED}
