"""Importing historic expense lines: one claim per person and status, mileage priced
by the HMRC rules in date order, lines marked as imported without a receipt."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.expenses.rules import tax_year_start
from app.expenses.services import ExpenseError, rate_on, reprice_mileage
from app.extensions import db
from app.models.expenses import ClaimStatus, ExpenseCategory, ExpenseClaim, ExpenseLine, LineStatus, Vehicle
from app.models.people import Person, Provider

from .csvfile import ImportFailed, ImportReport, read_rows
from .services import _audit_import, _date

EXPENSE_COLUMNS = ["person_ref", "date", "category", "amount", "miles", "vehicle", "status"]
STATUSES = {"submitted": ClaimStatus.SUBMITTED, "approved": ClaimStatus.APPROVED, "paid": ClaimStatus.PAID,
            "rejected": ClaimStatus.REJECTED}
LINE_STATUSES = {ClaimStatus.SUBMITTED: LineStatus.PENDING, ClaimStatus.REJECTED: LineStatus.REJECTED}


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _money_problems(row: dict, category) -> list[str]:
    if category is None:
        return []
    if category.is_mileage:
        miles = _decimal(row["miles"])
        problems = [] if miles is not None and 0 < miles <= 1000 else [
            f"miles {row['miles']!r} must be a number of miles more than 0 and up to 1,000"]
        if row["vehicle"] not in {v.value for v in Vehicle}:
            problems.append("vehicle must be car, motorcycle, bicycle or passenger")
        if row["amount"]:
            problems.append("amount must be empty for mileage: it is worked out from the miles")
        return problems
    amount = _decimal(row["amount"])
    problems = [] if amount is not None and 0 < amount <= 1000 and amount == round(amount, 2) else [
        f"amount {row['amount']!r} must be between 0.01 and 1000, in pounds and pence"]
    if row["miles"] or row["vehicle"]:
        problems.append("miles and vehicle are only for mileage")
    return problems


def _row_problems(row: dict, person, category, spent_on, today: date) -> list[str]:
    problems = [message for failed, message in (
        (person is None, f"person_ref {row['person_ref']!r} is not a person at this provider"),
        (category is None, f"category {row['category']!r} is not one of the categories in Pathway"),
        (spent_on is None, f"date {row['date']!r} is not a date like 01/04/2026 or 2026-04-01"),
        (spent_on is not None and spent_on > today, "date is in the future"),
        (row["status"] not in STATUSES, "status must be submitted, approved, paid or rejected"),
    ) if failed]
    if person is not None and spent_on is not None and not person.is_active_on(spent_on):
        # The screen's rule: a claim is for a day they were on the pathway.
        problems.append(f"date must be on or after the day they joined, {person.joined_on:%d/%m/%Y}"
                        + (f", and by the day they left, {person.left_on:%d/%m/%Y}" if person.left_on else ""))
    return problems + _money_problems(row, category) + _rate_problems(row, category, spent_on)


def _rate_problems(row: dict, category, spent_on) -> list[str]:
    if category is None or not category.is_mileage or spent_on is None or row["vehicle"] not in {
            v.value for v in Vehicle}:
        return []
    try:
        rate_on(Vehicle(row["vehicle"]), spent_on)
    except ExpenseError:
        return [f"there is no mileage rate for {row['vehicle']} on {spent_on:%d/%m/%Y}: "
                "the council co-ordinator adds rates under Rates"]
    return []


def import_expenses(text: str, *, provider: Provider, actor, today: date, now: datetime) -> ImportReport:
    """Add historic expense lines from a CSV; all or nothing.

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("expenses")
    rows = read_rows(text, EXPENSE_COLUMNS, report)
    people = {p.ref: p for p in db.session.scalars(select(Person).where(Person.provider_id == provider.id))}
    categories = {c.name.lower(): c for c in db.session.scalars(select(ExpenseCategory))}
    parsed = []
    for line, row in rows:
        person, category = people.get(row["person_ref"]), categories.get(row["category"].lower())
        spent_on = _date(row["date"])
        problems = _row_problems(row, person, category, spent_on, today)
        for problem in problems:
            report.error(line, problem)
        if not problems:
            parsed.append((person, category, spent_on, row))
    if not report.ok:
        raise ImportFailed(report)
    claims = _build_claims(parsed, actor, now)
    db.session.add_all(claims.values())
    db.session.flush()
    _price_mileage(claims.values(), actor=actor, now=now)
    report.created = len(parsed)
    _audit_import(actor, provider, report)
    return report


def _price_mileage(claims, *, actor, now: datetime) -> None:
    """Price the new mileage by the screens' rule, each person's tax year in date order with
    what is already there (so a file's row order, or what came first, never changes a price)."""
    new_lines: dict[tuple, list[int]] = defaultdict(list)
    for claim in claims:
        for line in claim.lines:
            if line.miles is not None:
                new_lines[(claim.person_id, tax_year_start(line.spent_on))].append(line.id)
    for (person_id, year_start), line_ids in sorted(new_lines.items()):
        reprice_mileage(person_id, year_start, open_line_ids=line_ids, actor=actor, now=now)


def _build_claims(parsed, actor, now: datetime) -> dict:
    claims: dict[tuple, ExpenseClaim] = {}
    for person, category, spent_on, row in sorted(parsed, key=lambda p: p[2]):
        status = STATUSES[row["status"]]
        key = (person.id, status)
        if key not in claims:
            claims[key] = ExpenseClaim(person_id=person.id, status=status, is_on_behalf=True,
                                       entered_by_id=actor.id if actor else None, submitted_at=now,
                                       payment_reference="Imported" if status == ClaimStatus.PAID else None)
        claim = claims[key]
        line_status = LINE_STATUSES.get(status, LineStatus.APPROVED)
        line = ExpenseLine(category_id=category.id, spent_on=spent_on, imported_without_receipt=True,
                           description=f"Imported: {category.name}", status=line_status,
                           decision_reason="Rejected before Pathway (imported)" if status == ClaimStatus.REJECTED
                           else None)
        if category.is_mileage:
            line.miles, line.vehicle = Decimal(row["miles"]), Vehicle(row["vehicle"])
            line.amount_pence = 0  # priced once every line is in (_price_mileage)
        else:
            line.amount_pence = int(Decimal(row["amount"]) * 100)
        claim.lines.append(line)
        if status == ClaimStatus.PAID:
            claim.paid_on = max(claim.paid_on or spent_on, spent_on)
    return claims
