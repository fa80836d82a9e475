"""Volunteer expenses on the budget monitor: paid is spent, approved-not-paid is
committed, and the rest of the year is projected at the rate so far."""

from datetime import date

from sqlalchemy import extract, func, select

from app.budget.services import NON_PAY_SOURCES, run_rate_projection
from app.extensions import db
from app.models.establishment import BudgetLineKind, ContractYear
from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus
from app.models.people import Person


def volunteer_expenses(year: ContractYear, today: date, area_id: int | None) -> tuple[dict[date, int], int]:
    to_date = min(today, year.ends_on)
    query = (select(ExpenseClaim.status, extract("year", ExpenseLine.spent_on),
                    extract("month", ExpenseLine.spent_on), func.sum(ExpenseLine.amount_pence))
             .join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
             .join(Person, Person.id == ExpenseClaim.person_id)
             .where(Person.provider_id == year.provider_id, ExpenseLine.status == LineStatus.APPROVED,
                    ExpenseClaim.status.in_([ClaimStatus.APPROVED, ClaimStatus.PAID]),
                    ExpenseLine.spent_on.between(year.starts_on, to_date))
             .group_by(ExpenseClaim.status, extract("year", ExpenseLine.spent_on),
                       extract("month", ExpenseLine.spent_on)))
    if area_id is not None:
        query = query.where(Person.area_id == area_id)
    paid: dict[date, int] = {}
    approved = 0
    for status, y, m, pence in db.session.execute(query):
        if status == ClaimStatus.PAID:
            month = date(int(y), int(m), 1)
            paid[month] = paid.get(month, 0) + int(pence)
        else:
            approved += int(pence)
    committed = approved + run_rate_projection(sum(paid.values()) + approved, year, today)
    return paid, committed


NON_PAY_SOURCES[BudgetLineKind.VOLUNTEER_EXPENSES] = volunteer_expenses
