"""Read-side queries for expenses: a person's claims and tax-year totals, the
approval queue with its worker-status flags, claims waiting for payment."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import extract, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import scope
from app.extensions import db
from app.models.expenses import ClaimStatus, ExpenseCategory, ExpenseClaim, ExpenseLine, LineStatus, Vehicle
from app.models.people import Person, Stage

from .rules import looks_like_flat_rate, over_monthly_limit, tax_year_end, tax_year_start

COUNTED = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID]


def active_categories() -> list[ExpenseCategory]:
    return list(db.session.scalars(select(ExpenseCategory).where(ExpenseCategory.is_active)
                                   .order_by(ExpenseCategory.sort_order)))


def claims_for(person_id: int) -> list[ExpenseClaim]:
    return list(db.session.scalars(
        select(ExpenseClaim).where(ExpenseClaim.person_id == person_id)
        .options(selectinload(ExpenseClaim.lines).joinedload(ExpenseLine.category))
        .order_by(ExpenseClaim.created_at.desc(), ExpenseClaim.id.desc())))


def tax_year_totals(person_id: int, today: date) -> dict:
    """Claimed, approved and paid amounts and car miles in the current tax year, in SQL."""
    start, end = tax_year_start(today), tax_year_end(today)
    rows = db.session.execute(
        select(ExpenseClaim.status, ExpenseLine.status, func.sum(ExpenseLine.amount_pence),
               func.sum(ExpenseLine.miles).filter(ExpenseLine.vehicle == Vehicle.CAR))
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
        .where(ExpenseClaim.person_id == person_id, ExpenseLine.spent_on.between(start, end))
        .group_by(ExpenseClaim.status, ExpenseLine.status)).all()
    totals = {"start": start, "end": end, "claimed": 0, "approved": 0, "paid": 0, "car_miles": Decimal(0)}
    for claim_status, line_status, amount, miles in rows:
        if claim_status in COUNTED and line_status != LineStatus.REJECTED:
            totals["claimed"] += amount or 0
            totals["car_miles"] += Decimal(str(miles or 0))
        if line_status == LineStatus.APPROVED and claim_status in (ClaimStatus.APPROVED, ClaimStatus.PAID):
            totals["approved"] += amount or 0
        if line_status == LineStatus.APPROVED and claim_status == ClaimStatus.PAID:
            totals["paid"] += amount or 0
    return totals


def approval_queue(user):
    return (select(ExpenseClaim).join(Person, Person.id == ExpenseClaim.person_id)
            .where(ExpenseClaim.status == ClaimStatus.SUBMITTED, scope("decide_expense_lines", user))
            .options(joinedload(ExpenseClaim.person),
                     selectinload(ExpenseClaim.lines).joinedload(ExpenseLine.category),
                     selectinload(ExpenseClaim.lines).joinedload(ExpenseLine.receipt))
            .order_by(ExpenseClaim.submitted_at, ExpenseClaim.id))


def flags_for(claims: list[ExpenseClaim], *, limit_pence: int, today: date) -> dict[int, list[str]]:
    """Worker-status warnings for volunteers' lines, keyed by line id ('claim-N' for the claim).

    Two grouped queries whatever the number of claims.
    """
    # Worker-status warnings are about volunteering: the stage held when the money was spent.
    volunteers = {c.person_id for c in claims
                  if any(c.person.stage_on(line.spent_on) == Stage.VOLUNTEER for line in c.lines)}
    if not volunteers:
        return {}
    since = today - timedelta(days=92)
    repeats = {(p, cat, amt): n for p, cat, amt, n in db.session.execute(
        select(ExpenseClaim.person_id, ExpenseLine.category_id, ExpenseLine.amount_pence, func.count())
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
        .where(ExpenseClaim.person_id.in_(volunteers), ExpenseLine.spent_on >= since,
               ExpenseLine.miles.is_(None), ExpenseClaim.status.in_(COUNTED),
               ExpenseLine.status != LineStatus.REJECTED)
        .group_by(ExpenseClaim.person_id, ExpenseLine.category_id, ExpenseLine.amount_pence))}
    months = {(p, int(y), int(m)): total for p, y, m, total in db.session.execute(
        select(ExpenseClaim.person_id, extract("year", ExpenseLine.spent_on),
               extract("month", ExpenseLine.spent_on),
               func.sum(ExpenseLine.amount_pence))
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
        .where(ExpenseClaim.person_id.in_(volunteers), ExpenseClaim.status.in_(COUNTED),
               ExpenseLine.status != LineStatus.REJECTED)
        .group_by(ExpenseClaim.person_id, extract("year", ExpenseLine.spent_on),
                  extract("month", ExpenseLine.spent_on)))}
    flags: dict = defaultdict(list)
    for claim in claims:
        if claim.person_id not in volunteers:
            continue
        volunteering = [ln for ln in claim.lines if claim.person.stage_on(ln.spent_on) == Stage.VOLUNTEER]
        for line in volunteering:
            if line.miles is None:
                flags[line.id] += looks_like_flat_rate(
                    line.amount_pence, has_receipt=line.receipt_id is not None,
                    repeats=repeats.get((claim.person_id, line.category_id, line.amount_pence), 0))
        seen = set()
        for line in volunteering:
            key = (claim.person_id, line.spent_on.year, line.spent_on.month)
            message = over_monthly_limit(months.get(key, 0), limit_pence)
            if message and key not in seen:
                seen.add(key)
                flags[f"claim-{claim.id}"].append(f"{line.spent_on:%B %Y}: {message}")
    return dict(flags)


def payable_claims(user):
    return (select(ExpenseClaim).join(Person, Person.id == ExpenseClaim.person_id)
            .where(ExpenseClaim.status == ClaimStatus.APPROVED, scope("pay_expenses", user))
            .options(joinedload(ExpenseClaim.person), selectinload(ExpenseClaim.lines))
            .order_by(ExpenseClaim.submitted_at, ExpenseClaim.id))
