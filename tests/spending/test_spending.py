"""Non-pay spending: HR records an invoice against a budget line, someone else in HR approves
it, and it shows in the budget monitor, the workforce return and (sent back) nowhere. A
course's invoice is kept but counted once, through its training records."""

import io
from datetime import date

import pytest

from app.budget.services import build_monitor
from app.establishment.services import load_contract_year
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.establishment import BudgetLine, BudgetLineKind
from app.models.spending import Spend, SpendStatus
from app.returns.services import build_return

from ..conftest import error_messages, sign_in_with
from ..factories import make_contract_year, make_course, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


@pytest.fixture
def year(world):
    year = make_contract_year(world.provider, start_year=2025)
    year.budget_lines.append(BudgetLine(kind=BudgetLineKind.TRAINING, name="Training & Development",
                                        amount_pence=3_000_000, sort_order=2))
    db.session.commit()
    return year


def _room_hire(year):
    return next(line for line in year.budget_lines if line.name == "Room hire")


def _record(client, line, **overrides):
    data = {"budget_line_id": str(line.id), "spent_on": _day(date(2025, 6, 12)), "supplier": "Sittingbourne Library",
            "description": "Room for the Tuesday group", "amount": "£85.00", "area_id": "", "course_id": "",
            "receipt": (io.BytesIO(PNG), "invoice.png"), **overrides}
    return client.post("/spending/new", data=data, content_type="multipart/form-data")


def test_recorded_then_approved_by_someone_else_it_counts_in_the_monitor_and_return(app, world, sign_in, client,
                                                                                     year):
    sign_in(world.user(Role.HR))
    assert _record(client, _room_hire(year)).status_code == 302
    spend = db.session.scalar(db.select(Spend))
    assert (spend.amount_pence, spend.status, spend.receipt.content_type) == (8500, SpendStatus.SUBMITTED, "image/png")
    assert client.get(f"/spending/{spend.id}/invoice").data == PNG
    # The one who recorded it cannot approve it.
    assert client.post(f"/spending/{spend.id}/decide", data={"decision": "approve"}).status_code == 403
    monitor = build_monitor(load_contract_year(year.id), today=date(2025, 9, 30))
    [line] = [f for f in monitor.lines if f.line.name == "Room hire"]
    assert (line.actual, line.committed) == (0, 8500)  # waiting for approval: committed, not spent

    colleague = make_user(Role.HR, provider=world.provider)
    db.session.commit()
    other = app.test_client()
    sign_in_with(other, colleague)
    assert other.post(f"/spending/{spend.id}/decide", data={"decision": "approve"}).status_code == 302
    assert db.session.get(Spend, spend.id).status == SpendStatus.APPROVED
    monitor = build_monitor(load_contract_year(year.id), today=date(2025, 9, 30))
    [line] = [f for f in monitor.lines if f.line.name == "Room hire"]
    assert (line.actual, line.committed, line.by_month[date(2025, 6, 1)]) == (8500, 0, 8500)
    figures = build_return(start=date(2025, 4, 1), end=date(2025, 6, 30), provider=world.provider)
    assert figures.value("non_pay_cost", "Room hire") == 85.0
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_type == "Spend",
                                                         AuditEvent.action == "approve")).actor_id == colleague.id


def test_sent_back_needs_a_reason_and_then_counts_nowhere(app, world, sign_in, client, year):
    sign_in(world.user(Role.HR))
    _record(client, _room_hire(year))
    spend = db.session.scalar(db.select(Spend))
    colleague = make_user(Role.HR, provider=world.provider)
    db.session.commit()
    other = app.test_client()
    sign_in_with(other, colleague)
    no_reason = other.post(f"/spending/{spend.id}/decide", data={"decision": "reject"})
    assert error_messages(no_reason) == ["Say why you are sending it back"]
    other.post(f"/spending/{spend.id}/decide", data={"decision": "reject", "reason": "Wrong library"})
    assert db.session.get(Spend, spend.id).status == SpendStatus.REJECTED
    monitor = build_monitor(load_contract_year(year.id), today=date(2025, 9, 30))
    [line] = [f for f in monitor.lines if f.line.name == "Room hire"]
    assert (line.actual, line.committed) == (0, 0)


def test_a_courses_invoice_is_kept_but_counted_once(app, world, sign_in, client, year):
    course = make_course("EarlyBird licence", cost_pence=45_000)
    db.session.commit()
    training = next(line for line in year.budget_lines if line.kind == BudgetLineKind.TRAINING)
    sign_in(world.user(Role.HR))
    assert _record(client, training, course_id=str(course.id), amount="450").status_code == 302
    spend = db.session.scalar(db.select(Spend))
    spend.status = SpendStatus.APPROVED
    db.session.commit()
    monitor = build_monitor(load_contract_year(year.id), today=date(2025, 9, 30))
    [line] = [f for f in monitor.lines if f.line.kind == BudgetLineKind.TRAINING]
    assert line.actual == 0  # no training records here: the invoice is not counted as well
    figures = build_return(start=date(2025, 4, 1), end=date(2025, 6, 30), provider=world.provider)
    assert not figures.value("non_pay_cost", "Training & Development")


@pytest.mark.parametrize("overrides,message", [
    ({"spent_on": _day(date(2026, 6, 1))}, "Room hire is a 2025/26 line: the date must be between "
                                           "1 April 2025 and 31 March 2026"),
    ({"amount": "lots"}, "Amount must be an amount in pounds, like 27,500 or 3.50"),
    ({"receipt": (io.BytesIO(b"MZ not an invoice"), "invoice.exe")},
     "The receipt must be a PDF, JPEG, PNG or HEIC file"),
    ({"supplier": ""}, "Enter the supplier"),
])
def test_spending_that_breaks_a_rule_is_refused_by_the_field(world, sign_in, client, year, overrides, message):
    sign_in(world.user(Role.HR))
    response = _record(client, _room_hire(year), **overrides)
    assert message in error_messages(response)
    assert db.session.scalar(db.select(Spend)) is None


@pytest.mark.parametrize("role", [Role.AREA_FACILITATOR, Role.ADMIN, Role.COORDINATOR, Role.VOLUNTEER])
def test_only_hr_records_spending(world, sign_in, client, year, role):
    sign_in(world.user(role))
    assert _record(client, _room_hire(year)).status_code == 403
    assert db.session.scalar(db.select(Spend)) is None
