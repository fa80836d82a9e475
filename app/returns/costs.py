"""Pay and non-pay cost, and budget, by budget line for any period, for the return."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.budget.costs import contract_cost, pence, sessional_cost
from app.budget.services import _contracts, _sessional_minutes
from app.establishment.models import BudgetLineKind, ContractYear
from app.establishment.services import budget_row, load_contract_year
from app.expenses.models import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus
from app.extensions import db
from app.people.models import Person
from app.training.models import TrainingRecord

Costs = dict[str, dict[int | None, dict[str, float]]]  # measure -> area -> line name -> GBP


def _years(provider_id: int | None, start: date, end: date) -> list[ContractYear]:
    query = select(ContractYear.id).where(ContractYear.starts_on <= end, ContractYear.ends_on >= start)
    if provider_id is not None:
        query = query.where(ContractYear.provider_id == provider_id)
    return [load_contract_year(year_id) for year_id in db.session.scalars(query)]


def _add(costs: Costs, measure: str, area: int | None, line: str, pence_value: float) -> None:
    costs[measure][area][line] = costs[measure][area].get(line, 0) + pence_value / 100


def _by_person_area(query_rows) -> dict[int, int]:
    return {area: int(total or 0) for area, total in query_rows}


def _pay(costs: Costs, year: ContractYear, line, first: date, last: date) -> None:
    contracts = _contracts(line.posts, first, last)
    for contract in contracts:
        cost = contract_cost(contract, first, last, left_on=contract.person.left_on)
        _add(costs, "pay_cost", contract.post.area_id, line.name, float(cost))
    for contract, _month, priced_on, minutes in _sessional_minutes(contracts, first, last):
        cost = sessional_cost(minutes, contract.post.grade.pay_point_on(priced_on))
        _add(costs, "pay_cost", contract.post.area_id, line.name, float(cost))


def _non_pay(costs: Costs, year: ContractYear, line, first: date, last: date) -> None:
    if line.kind == BudgetLineKind.VOLUNTEER_EXPENSES:
        rows = db.session.execute(
            select(Person.area_id, func.sum(ExpenseLine.amount_pence))
            .join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
            .join(Person, Person.id == ExpenseClaim.person_id)
            .where(Person.provider_id == year.provider_id, ExpenseLine.status == LineStatus.APPROVED,
                   ExpenseClaim.status.in_([ClaimStatus.APPROVED, ClaimStatus.PAID]),
                   ExpenseLine.spent_on.between(first, last)).group_by(Person.area_id))
    elif line.kind == BudgetLineKind.TRAINING:
        rows = db.session.execute(
            select(Person.area_id, func.sum(TrainingRecord.cost_pence))
            .join(Person, Person.id == TrainingRecord.person_id)
            .where(Person.provider_id == year.provider_id, TrainingRecord.completed_on.between(first, last))
            .group_by(Person.area_id))
    else:
        rows = []
    for area, total in _by_person_area(rows).items():
        _add(costs, "non_pay_cost", area, line.name, total)


def line_costs(provider_id: int | None, start: date, end: date) -> Costs:
    """Cost and pro-rata budget by line and area for the period, across the contract years it touches."""
    costs: Costs = defaultdict(lambda: defaultdict(dict))
    for year in _years(provider_id, start, end):
        first, last = max(start, year.starts_on), min(end, year.ends_on)
        share = Decimal((last - first).days + 1) / Decimal((year.ends_on - year.starts_on).days + 1)
        for line in year.budget_lines:
            annual = budget_row(line, year.pay_basis_on).annual_pence
            _add(costs, "budget", None, line.name, float(pence(Decimal(annual) * share)))
            if line.kind == BudgetLineKind.PAY:
                _pay(costs, year, line, first, last)
            else:
                _non_pay(costs, year, line, first, last)
    return costs


