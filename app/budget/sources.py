"""Where the budget monitor's non-pay figures come from: volunteer expenses (paid is spent,
approved-not-paid is committed, and the rest of the year is projected at the rate so far),
training by the month it was completed, and spending recorded straight against a line.
Each reads its own tables in SQL; the monitor asks each in turn."""

from collections.abc import Callable
from datetime import date

from sqlalchemy import extract, func, select

from app.extensions import db
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear
from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus
from app.models.people import Person
from app.models.spending import Spend, SpendStatus
from app.models.training import TrainingRecord

# (year, today, area_id) -> ({month start: pence spent}, pence committed to the year end).
NonPaySource = Callable[[ContractYear, date, int | None], tuple[dict[date, int], int]]
# (year, today, area_id) -> {line id: ({month start: pence spent}, pence committed)}.
LineSource = Callable[[ContractYear, date, int | None], dict[int, tuple[dict[date, int], int]]]


def run_rate_projection(so_far: int, year: ContractYear, today: date) -> int:
    """Spend so far carried on at the same daily rate to the year end."""
    to_date = min(today, year.ends_on)
    elapsed = (to_date - year.starts_on).days + 1
    remaining = (year.ends_on - to_date).days
    if so_far <= 0 or elapsed <= 0 or remaining <= 0:
        return 0
    return round(so_far * remaining / elapsed)


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


def training_spend(year: ContractYear, today: date, area_id: int | None) -> tuple[dict[date, int], int]:
    query = (select(extract("year", TrainingRecord.completed_on), extract("month", TrainingRecord.completed_on),
                    func.sum(TrainingRecord.cost_pence))
             .join(Person, Person.id == TrainingRecord.person_id)
             .where(Person.provider_id == year.provider_id,
                    TrainingRecord.completed_on.between(year.starts_on, min(today, year.ends_on)))
             .group_by(extract("year", TrainingRecord.completed_on), extract("month", TrainingRecord.completed_on)))
    if area_id is not None:
        query = query.where(Person.area_id == area_id)
    spent = {date(int(y), int(m), 1): int(pence) for y, m, pence in db.session.execute(query) if pence}
    # Training is booked as it happens: nothing is counted as committed ahead of time.
    return spent, 0


def counted():
    """SQL condition: spending that counts (not sent back, not a course's invoice)."""
    return (Spend.status != SpendStatus.REJECTED) & Spend.course_id.is_(None)


def spend_by_line(year: ContractYear, today: date, area_id: int | None) -> dict[int, tuple[dict[date, int], int]]:
    query = (select(Spend.budget_line_id, Spend.status, extract("year", Spend.spent_on),
                    extract("month", Spend.spent_on), func.sum(Spend.amount_pence))
             .join(BudgetLine, BudgetLine.id == Spend.budget_line_id)
             .where(BudgetLine.contract_year_id == year.id, counted(), Spend.spent_on <= today)
             .group_by(Spend.budget_line_id, Spend.status, extract("year", Spend.spent_on),
                       extract("month", Spend.spent_on)))
    if area_id is not None:
        query = query.where(Spend.area_id == area_id)
    found: dict[int, tuple[dict[date, int], int]] = {}
    for line_id, status, y, m, pence in db.session.execute(query):
        spent, committed = found.get(line_id, ({}, 0))
        if status == SpendStatus.APPROVED:
            month = date(int(y), int(m), 1)
            spent[month] = spent.get(month, 0) + int(pence)
        else:
            committed += int(pence)
        found[line_id] = (spent, committed)
    return found


NON_PAY_SOURCES: dict[BudgetLineKind, NonPaySource] = {
    BudgetLineKind.VOLUNTEER_EXPENSES: volunteer_expenses,
    BudgetLineKind.TRAINING: training_spend,
}
LINE_SOURCES: tuple[LineSource, ...] = (spend_by_line,)
