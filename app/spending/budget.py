"""Non-pay spending on the budget monitor and the return: approved is spent, waiting for
approval is committed. A course's invoice is counted through its training records instead."""

from datetime import date

from sqlalchemy import extract, func, select

from app.budget.services import LINE_SOURCES
from app.extensions import db
from app.models.establishment import BudgetLine, ContractYear
from app.models.spending import Spend, SpendStatus


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


LINE_SOURCES.append(spend_by_line)
