"""Pay and non-pay cost, and budget, by budget line for any period, for the return.

Batched across providers: the contract years, the cost ledger's months, expenses and training
are each one query, however many providers there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, bindparam, func, select

from app.establishment.costs import pence
from app.establishment.line_prices import KeptLine, kept_lines
from app.extensions import db
from app.hours.summary import quarter_months
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear, CostMonth
from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person
from app.models.spending import Spend, SpendStatus
from app.models.training import TrainingRecord
from app.periods import months_in
from app.statements import END, IDS, PROVIDER, START, built_once, params

Costs = dict[str, dict[int | None, dict[str, float]]]  # measure -> area -> line name -> GBP


@dataclass
class _Year:
    id: int
    provider_id: int
    starts_on: date
    ends_on: date
    budget_lines: list[KeptLine] = field(default_factory=list)


@built_once
def _year_rows(every: bool):
    query = select(ContractYear.id, ContractYear.provider_id, ContractYear.starts_on, ContractYear.ends_on).where(
        ContractYear.starts_on <= END, ContractYear.ends_on >= START)
    return query if every else query.where(ContractYear.provider_id == PROVIDER)


@built_once
def _year_ids(every: bool):
    return _year_rows(every).with_only_columns(ContractYear.id)


def _years(provider_id: int | None, start: date, end: date) -> list[_Year]:
    """The contract years the period touches, with each line's budget as kept on it
    (``line_prices``) and a pay line's posts, as plain rows (three queries, however many providers)."""
    every, values = provider_id is None, params(provider_id, start=start, end=end)
    years = {row.id: _Year(*row) for row in db.session.execute(_year_rows(every), values)}
    for line in kept_lines(_year_ids(every), values):
        years[line.contract_year_id].budget_lines.append(line)
    return list(years.values())


def _add(costs: Costs, measure: str, area: int | None, line: str, pence_value: float) -> None:
    costs[measure][area][line] = costs[measure][area].get(line, 0) + pence_value / 100


def _window(year: _Year, start: date, end: date) -> tuple[date, date]:
    return max(start, year.starts_on), min(end, year.ends_on)


def _pay(costs: Costs, years: list[_Year], start: date, end: date) -> None:
    """Pay cost from the cost ledger (app.establishment.ledger): whole months summed in SQL, the
    part months at either edge of the period in proportion (salaried pay by days, sessional pay
    by the minutes worked in the part), each on the line of the contract year the month falls in,
    so any period, across 1 April or not, is the sum of its parts."""
    line_of: dict[tuple[int, int], list[tuple[_Year, KeptLine]]] = defaultdict(list)
    for year in years:
        for line in year.budget_lines:
            if line.kind == BudgetLineKind.PAY:
                for post_id in line.post_ids:
                    line_of[(year.provider_id, post_id)].append((year, line))
    if not line_of:
        return
    whole, edges = quarter_months(start, end)
    provider_ids = sorted({provider_id for provider_id, _post in line_of})
    if whole:
        first, last = _month_start(whole[0]), _month_start(whole[-1])
        # Months are told apart only where a contract year begins or ends among them: otherwise
        # every month falls in the year the first does, and each post's months are one row.
        by_month = any(first < year.starts_on <= last or first <= year.ends_on < last for year in years)
        for provider_id, post_id, area_id, on, pence_total in db.session.execute(
                _whole_months(by_month), {"ids": provider_ids, "first_month": first, "last_month": last}):
            _add_on_line(costs, line_of, (provider_id, post_id), area_id, on, float(pence_total or 0))
    for edge_first, edge_last in edges:
        _part_month(costs, line_of, provider_ids, edge_first, edge_last)


@built_once
def _whole_months(by_month: bool):
    first = bindparam("first_month", type_=Date)
    month = CostMonth.month if by_month else first.label("month")
    return (select(CostMonth.provider_id, CostMonth.post_id, CostMonth.area_id, month, func.sum(CostMonth.total_pence))
            .where(CostMonth.provider_id.in_(IDS), CostMonth.month.between(first, bindparam("last_month", type_=Date)))
            .group_by(CostMonth.provider_id, CostMonth.post_id, CostMonth.area_id,
                      *([CostMonth.month] if by_month else [])))


@built_once
def _month_rows():
    return (select(CostMonth.provider_id, CostMonth.post_id, CostMonth.area_id, CostMonth.person_id,
                   CostMonth.is_sessional, CostMonth.first_day, CostMonth.last_day, CostMonth.minutes,
                   CostMonth.total_pence)
            .where(CostMonth.provider_id.in_(IDS), CostMonth.month == bindparam("month", type_=Date),
                   CostMonth.first_day <= END, CostMonth.last_day >= START))


@built_once
def _worked_by_day():
    return (select(HoursEntry.person_id, HoursEntry.worked_on, func.sum(HoursEntry.minutes))
            .where(HoursEntry.person_id.in_(IDS), HoursEntry.status == HoursStatus.APPROVED,
                   HoursEntry.worked_on.between(START, END))
            .group_by(HoursEntry.person_id, HoursEntry.worked_on))


def _month_start(key: int) -> date:
    return date(key // 100, key % 100, 1)


def _add_on_line(costs: Costs, line_of: dict, key: tuple[int, int], area_id: int | None, day: date,
                 pence_value: float) -> None:
    line = next((line for year, line in line_of.get(key, []) if year.starts_on <= day <= year.ends_on), None)
    if line is not None:  # otherwise worked outside every contract year that budgets the post
        _add(costs, "pay_cost", area_id, line.name, pence_value)


def _part_month(costs: Costs, line_of: dict, provider_ids: list[int], first: date, last: date) -> None:
    """The ledger's rows for the month holding [first, last], in proportion to the part."""
    rows = db.session.execute(_month_rows(), {"ids": provider_ids, "month": date(first.year, first.month, 1),
                                              "start": first, "end": last}).all()
    sessional = [row for row in rows if row.is_sessional and row.minutes]
    worked: dict[int, list[tuple[date, int]]] = defaultdict(list)
    if sessional:
        for person_id, day, minutes in db.session.execute(
                _worked_by_day(), {"ids": sorted({row.person_id for row in sessional}), "start": first, "end": last}):
            worked[person_id].append((day, int(minutes)))
    for row in rows:
        if row.is_sessional:
            if not row.minutes:
                continue
            inside = sum(m for day, m in worked.get(row.person_id, []) if row.first_day <= day <= row.last_day)
            share = inside / row.minutes
        else:
            overlap = (min(last, row.last_day) - max(first, row.first_day)).days + 1
            share = overlap / ((row.last_day - row.first_day).days + 1)
        _add_on_line(costs, line_of, (row.provider_id, row.post_id), row.area_id, max(first, row.first_day),
                     float(row[-1] or 0) * share)


ExpenseRows = list[tuple[int, int | None, ClaimStatus, int]]  # provider, area, claim status, pence


def expense_totals(provider_id: int | None, first: date, last: date) -> ExpenseRows:
    """Approved expense lines spent between two days, on claims approved or paid, in pence by
    provider, area and the claim's status: the return's expenses and its non-pay cost read one
    query. The lines are summed by claim first, from the index alone, so only the period's claims
    are looked up (joining every line to every claim hashed all the claims ever made)."""
    return [(provider, area, status, int(pence or 0)) for provider, area, status, pence in db.session.execute(
        _expense_totals(provider_id is None), params(provider_id, start=first, end=last))]


@built_once
def _expense_totals(every: bool):
    by_claim = (select(ExpenseLine.claim_id, func.sum(ExpenseLine.amount_pence).label("pence"))
                .where(ExpenseLine.status == LineStatus.APPROVED, ExpenseLine.spent_on.between(START, END))
                .group_by(ExpenseLine.claim_id).subquery())
    query = (select(Person.provider_id, Person.area_id, ExpenseClaim.status, func.sum(by_claim.c.pence))
             .join(ExpenseClaim, ExpenseClaim.id == by_claim.c.claim_id)
             .join(Person, Person.id == ExpenseClaim.person_id)
             .where(ExpenseClaim.status.in_([ClaimStatus.APPROVED, ClaimStatus.PAID]))
             .group_by(Person.provider_id, Person.area_id, ExpenseClaim.status))
    return query if every else query.where(Person.provider_id == PROVIDER)


def _spend_by_provider_area(kind: BudgetLineKind, provider_ids: list[int], first: date, last: date,
                            expenses: ExpenseRows | None = None):
    if kind == BudgetLineKind.VOLUNTEER_EXPENSES:
        totals: dict[tuple, int] = defaultdict(int)
        wanted = set(provider_ids)
        for provider, area, _status, pence_total in (expense_totals(None, first, last) if expenses is None
                                                     else expenses):
            if provider in wanted:
                totals[(provider, area)] += pence_total
        return [(provider, area, total) for (provider, area), total in totals.items()]
    if kind != BudgetLineKind.TRAINING:
        return []
    return db.session.execute(_training_spend(), {"ids": provider_ids, "start": first, "end": last}).all()


@built_once
def _training_spend():
    return (select(Person.provider_id, Person.area_id, func.sum(TrainingRecord.cost_pence))
            .join(Person, Person.id == TrainingRecord.person_id)
            .where(TrainingRecord.completed_on.between(START, END), Person.provider_id.in_(IDS))
            .group_by(Person.provider_id, Person.area_id))


def _non_pay(costs: Costs, years: list[_Year], start: date, end: date, expenses: ExpenseRows | None) -> None:
    by_window: dict[tuple, list[_Year]] = defaultdict(list)
    for year in years:
        by_window[_window(year, start, end)].append(year)
    for (first, last), group in by_window.items():
        for kind in (BudgetLineKind.VOLUNTEER_EXPENSES, BudgetLineKind.TRAINING):
            names = {y.provider_id: line.name for y in group for line in y.budget_lines if line.kind == kind}
            if not names:
                continue
            known = expenses if (first, last) == (start, end) else None
            for provider_id, area, total in _spend_by_provider_area(kind, list(names), first, last, known):
                _add(costs, "non_pay_cost", area, names[provider_id], int(total or 0))
        _invoices(costs, group, first, last)


def _invoices(costs: Costs, years: list[_Year], first: date, last: date) -> None:
    """Approved non-pay spending charged to the years' lines (a course's invoice is counted through training)."""
    rows = db.session.execute(_invoiced(), {"ids": [y.id for y in years], "start": first, "end": last})
    for area, name, total in rows:
        _add(costs, "non_pay_cost", area, name, int(total or 0))


@built_once
def _invoiced():
    return (select(Spend.area_id, BudgetLine.name, func.sum(Spend.amount_pence))
            .join(BudgetLine, BudgetLine.id == Spend.budget_line_id)
            .where(BudgetLine.contract_year_id.in_(IDS), Spend.status == SpendStatus.APPROVED,
                   Spend.course_id.is_(None), Spend.spent_on.between(START, END))
            .group_by(Spend.area_id, BudgetLine.name))


def line_costs(provider_id: int | None, start: date, end: date, *, expenses: ExpenseRows | None = None) -> Costs:
    """Cost and pro-rata budget by line and area for the period, across the contract years it touches:
    the budget a twelfth a month (a part month by its days), as the ledger prices pay. ``expenses``:
    the period's ``expense_totals`` if already read."""
    costs: Costs = defaultdict(lambda: defaultdict(dict))
    years = _years(provider_id, start, end)
    for year in years:
        first, last = _window(year, start, end)
        share = months_in(first, last) / months_in(year.starts_on, year.ends_on)
        for line in year.budget_lines:
            _add(costs, "budget", None, line.name, float(pence(Decimal(line.annual_pence) * share)))
    _pay(costs, years, start, end)
    _non_pay(costs, years, start, end, expenses)
    return costs
