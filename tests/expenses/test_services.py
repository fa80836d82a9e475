from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.budget.services import build_monitor
from app.establishment.services import load_contract_year
from app.expenses.receipts import ReceiptError, store_receipt
from app.expenses.services import (
    ExpenseError,
    add_line,
    adjust_paid_line,
    create_claim,
    decide_line,
    mark_paid,
    submit_claim,
)
from app.extensions import db
from app.models.auth import Role
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear
from app.models.expenses import ClaimStatus, ExpenseClaim, LineStatus, Receipt, Vehicle

from ..factories import PNG, category, make_area, make_claim, make_person, make_provider, make_user

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
def people():
    provider, area = make_provider(), make_area("North Kent")
    person = make_person(provider=provider, area=area, joined_on=date(2024, 1, 1))
    parent = make_user(Role.VOLUNTEER, provider=provider, person=person)
    facilitator = make_user(Role.AREA_FACILITATOR, provider=provider, area=area)
    hr = make_user(Role.HR, provider=provider)
    return person, parent, facilitator, hr


def _mileage(claim, actor, miles, day, vehicle=Vehicle.CAR):
    return add_line(claim, category=category("Mileage"), spent_on=day, description="Group visit",
                    amount_pence=None, miles=Decimal(miles), vehicle=vehicle, journey_from="Home",
                    journey_to="Hall", receipt=None, actor=actor, today=TODAY)


def test_a_journey_crossing_10000_miles_is_split(people):
    person, parent, _, _ = people
    make_claim(person, status="approved", lines=[{"category": "Mileage", "amount": 449_550,
                                                   "miles": Decimal("9990"), "vehicle": Vehicle.CAR,
                                                   "spent_on": date(2026, 5, 1)}])
    claim = create_claim(person, actor=parent)
    line = _mileage(claim, parent, "20", date(2026, 6, 1))
    assert line.amount_pence == 10 * 45 + 10 * 25
    second = _mileage(claim, parent, "10", date(2026, 6, 2))
    assert second.amount_pence == 250


def test_miles_start_again_in_a_new_tax_year(people):
    person, parent, _, _ = people
    make_claim(person, status="paid", lines=[{"category": "Mileage", "amount": 450_000,
                                               "miles": Decimal("10000"), "vehicle": Vehicle.CAR,
                                               "spent_on": date(2026, 4, 5)}])
    claim = create_claim(person, actor=parent)
    assert _mileage(claim, parent, "10", date(2026, 4, 5)).amount_pence == 250  # old tax year
    assert _mileage(claim, parent, "10", date(2026, 4, 6)).amount_pence == 450  # new tax year


def test_rejected_and_draft_miles_do_not_count(people):
    person, parent, _, _ = people
    make_claim(person, status="draft", lines=[{"category": "Mileage", "amount": 0,
                                                "miles": Decimal("9999"), "vehicle": Vehicle.CAR}])
    claim = create_claim(person, actor=parent)
    assert _mileage(claim, parent, "10", date(2026, 6, 1)).amount_pence == 450


def test_later_mileage_is_repriced_when_an_earlier_claim_is_rejected(people):
    """838.2 miles this tax year; claim A of 9,171.8 miles takes the year past 10,000, so
    claim B's 2 x 20 miles are priced at 25p. When A is rejected, B is re-priced at 45p
    a mile (£18.00) before anyone approves it."""
    person, parent, facilitator, _ = people
    make_claim(person, status="paid", lines=[{"category": "Mileage", "amount": 37_719, "miles": Decimal("838.2"),
                                               "vehicle": Vehicle.CAR, "spent_on": date(2026, 5, 1)}])
    claim_a = create_claim(person, actor=parent)
    _mileage(claim_a, parent, "9171.8", date(2026, 6, 1))
    submit_claim(claim_a, actor=parent, now=NOW)
    claim_b = create_claim(person, actor=parent)
    _mileage(claim_b, parent, "20", date(2026, 7, 1))
    _mileage(claim_b, parent, "20", date(2026, 7, 8))
    submit_claim(claim_b, actor=parent, now=NOW)
    assert sum(line.amount_pence for line in claim_b.lines) == 40 * 25
    decide_line(claim_a.lines[0], approve=False, reason="Not a business journey", actor=facilitator, now=NOW)
    db.session.expire_all()
    claim_b = db.session.get(ExpenseClaim, claim_b.id)
    assert [line.amount_pence for line in claim_b.lines] == [900, 900]
    assert claim_b.total_pence == 1800


def test_a_line_that_needs_a_receipt_cannot_be_added_without_one(people):
    person, parent, _, _ = people
    claim = create_claim(person, actor=parent)
    with pytest.raises(ExpenseError) as error:
        add_line(claim, category=category("Parking"), spent_on=date(2026, 6, 1), description="Car park",
                 amount_pence=350, miles=None, vehicle=None, journey_from=None, journey_to=None,
                 receipt=None, actor=parent, today=TODAY)
    assert error.value.problems == {"receipt": "Add a photo or scan of the receipt"}


def test_submit_refuses_a_line_missing_its_receipt(people):
    person, parent, _, _ = people
    claim = make_claim(person, status="draft")
    claim.lines[0].receipt = None
    with pytest.raises(ExpenseError, match="Parking: Car park on 5 January needs a receipt"):
        submit_claim(claim, actor=parent, now=NOW)
    assert claim.status == ClaimStatus.DRAFT


@pytest.mark.parametrize("data,message", [
    (PNG * 1, None),
    (b"%PDF-1.7\n" + b"x" * 100, None),
    (b"<html><script>alert(1)</script></html>", "The receipt must be a PDF, JPEG, PNG or HEIC file"),
    (b"", "The selected file is empty"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024), "The receipt must be smaller than 10MB"),
])
def test_receipts_are_checked_by_content(people, data, message):
    _, parent, _, _ = people
    before = db.session.scalar(select(func.count(Receipt.id)))
    files_before = set(Path(current_app.config["RECEIPT_DIR"]).iterdir())
    if message is None:
        receipt = store_receipt(data, "../../etc/passwd.pdf", actor=parent)
        assert receipt.original_name == "etc_passwd.pdf"
        assert (Path(current_app.config["RECEIPT_DIR"]) / receipt.stored_name).read_bytes() == data
    else:
        with pytest.raises(ReceiptError, match=message):
            store_receipt(data, "receipt.pdf", actor=parent)
        assert db.session.scalar(select(func.count(Receipt.id))) == before
        assert set(Path(current_app.config["RECEIPT_DIR"]).iterdir()) == files_before


def test_approve_each_line_then_pay_then_locked(people):
    person, parent, facilitator, hr = people
    claim = make_claim(person, lines=[{"amount": 350}, {"amount": 1200, "description": "Materials"}])
    decide_line(claim.lines[0], approve=True, reason=None, actor=facilitator, now=NOW)
    assert claim.status == ClaimStatus.SUBMITTED
    with pytest.raises(ExpenseError):
        decide_line(claim.lines[1], approve=False, reason="", actor=facilitator, now=NOW)
    decide_line(claim.lines[1], approve=False, reason="Not a real cost", actor=facilitator, now=NOW)
    assert claim.status == ClaimStatus.APPROVED and claim.approved_pence == 350
    batch = mark_paid([claim], paid_on=date(2026, 11, 20), reference="BACS-17", actor=hr,
                      provider_id=person.provider_id, as_batch=True)
    assert (claim.status, claim.batch, batch.reference) == (ClaimStatus.PAID, batch, "BACS-17")
    with pytest.raises(ExpenseError):
        add_line(claim, category=category("Parking"), spent_on=date(2026, 6, 1), description="More",
                 amount_pence=100, miles=None, vehicle=None, journey_from=None, journey_to=None,
                 receipt=None, actor=parent, today=TODAY)
    with pytest.raises(ExpenseError):
        decide_line(claim.lines[0], approve=False, reason="Changed my mind", actor=facilitator, now=NOW)
    with pytest.raises(ExpenseError):
        mark_paid([claim], paid_on=date(2026, 11, 21), reference="AGAIN", actor=hr,
                  provider_id=person.provider_id, as_batch=False)


def test_a_paid_mistake_is_put_right_by_an_adjusting_line(people):
    person, _, _, hr = people
    claim = make_claim(person, status="paid", lines=[{"amount": 1000}])
    adjustment = adjust_paid_line(claim.lines[0], amount_pence=-250, reason="Receipt said £7.50",
                                  actor=hr, now=NOW)
    assert (adjustment.amount_pence, adjustment.adjusts_id, adjustment.status) == (
        -250, claim.lines[0].id, LineStatus.APPROVED)
    assert adjustment.claim.status == ClaimStatus.APPROVED and adjustment.claim.id != claim.id
    assert claim.lines[0].amount_pence == 1000  # the paid line is untouched


def test_budget_monitor_counts_paid_as_spent_and_approved_as_committed(people):
    person, _, _, _ = people
    year = ContractYear(provider_id=person.provider_id, label="2026/27", starts_on=date(2026, 4, 1),
                        ends_on=date(2027, 3, 31), pay_basis_on=date(2026, 4, 1))
    year.budget_lines.append(BudgetLine(kind=BudgetLineKind.VOLUNTEER_EXPENSES, name="Parent Volunteers",
                                        amount_pence=1_200_000, sort_order=1))
    db.session.add(year)
    make_claim(person, status="paid", lines=[{"amount": 4000, "spent_on": date(2026, 5, 10)}])
    make_claim(person, status="approved", lines=[{"amount": 1500, "spent_on": date(2026, 9, 1)}])
    make_claim(person, status="submitted", lines=[{"amount": 9999, "spent_on": date(2026, 9, 2)}])
    db.session.commit()
    line = build_monitor(load_contract_year(year.id), today=date(2026, 9, 30)).lines[0]
    assert line.by_month == {date(2026, 5, 1): 4000}
    # Committed: 1,500 approved, plus (4,000 + 1,500) over 183 days carried on for 182 more.
    assert line.committed == 1500 + round(5500 * 182 / 183)
    assert line.budget == 1_200_000


def test_claims_count_in_the_database(people):
    person, parent, _, _ = people
    create_claim(person, actor=parent)
    assert db.session.scalar(select(func.count(ExpenseClaim.id))) == 1


def test_worker_status_warnings_use_the_stage_held_when_the_money_was_spent(people):
    """A co-facilitator since March is warned about February (spent as a volunteer), not April."""
    from app.expenses.queries import flags_for
    from app.models.people import Stage, StageChange

    person, _, _, hr = people
    person.stage = Stage.CO_FACILITATOR
    person.stage_changes.append(StageChange(changed_on=date(2026, 3, 1), from_stage=Stage.VOLUNTEER,
                                            to_stage=Stage.CO_FACILITATOR, reason="Moved on"))
    claim = make_claim(person, lines=[
        {"category": "Parking", "amount": 20_000, "spent_on": date(2026, 2, 10)},
        {"category": "Parking", "amount": 20_000, "spent_on": date(2026, 4, 10)}])
    flags = flags_for([claim], limit_pence=15_000, today=TODAY)
    months = " ".join(flags.get(f"claim-{claim.id}", []))
    assert "February 2026" in months and "April 2026" not in months
