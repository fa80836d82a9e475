"""Pay and non-pay cost, and budget, by budget line for any period, for the return.

Batched across providers: the contract years, their contracts, sessional hours,
expenses and training are each one query, however many providers there are.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.budget.services import sessional_minutes
from app.establishment.costs import on_cost_rules, pence, placed_rates, salaried_cost, sessional_cost_on, terms_on
from app.establishment.services import budget_row
from app.extensions import db
from app.models.establishment import (
    FULL_TIME_HOURS,
    BudgetLine,
    BudgetLineKind,
    Contract,
    ContractYear,
    Grade,
    PointPlacement,
    Post,
)
from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus
from app.models.people import Person, Provider
from app.models.spending import Spend, SpendStatus
from app.models.training import TrainingRecord

Costs = dict[str, dict[int | None, dict[str, float]]]  # measure -> area -> line name -> GBP


def _years(provider_id: int | None, start: date, end: date) -> list[ContractYear]:
    query = (select(ContractYear).where(ContractYear.starts_on <= end, ContractYear.ends_on >= start)
             .options(selectinload(ContractYear.budget_lines).selectinload(BudgetLine.posts)
                      .selectinload(Post.grade).selectinload(Grade.pay_points),
                      selectinload(ContractYear.budget_lines).selectinload(BudgetLine.posts)
                      .selectinload(Post.grade).selectinload(Grade.points)))
    if provider_id is not None:
        query = query.where(ContractYear.provider_id == provider_id)
    return list(db.session.scalars(query))


def _add(costs: Costs, measure: str, area: int | None, line: str, pence_value: float) -> None:
    costs[measure][area][line] = costs[measure][area].get(line, 0) + pence_value / 100


def _window(year: ContractYear, start: date, end: date) -> tuple[date, date]:
    return max(start, year.starts_on), min(end, year.ends_on)


def _pay(costs: Costs, years: list[ContractYear], start: date, end: date) -> None:
    """Salaried contracts priced from plain rows (thousands of them); sessional ones from hours.
    A period across contract years prices each contract within each year it touches, on that
    year's line, so the whole is the sum of its parts."""
    lines_of: dict[tuple, list[tuple[ContractYear, BudgetLine]]] = defaultdict(list)
    for year in years:
        for line in year.budget_lines:
            if line.kind == BudgetLineKind.PAY:
                for post in line.posts:
                    lines_of[(year.provider_id, post.id)].append((year, line))
    posts = {post.id: post for year in years for line in year.budget_lines for post in line.posts}
    if lines_of:
        _salaried_pay(costs, lines_of, posts, start, end)
        _sessional_pay(costs, lines_of, posts, start, end)


def _salaried_pay(costs: Costs, lines_of: dict, posts: dict, start: date, end: date) -> None:
    rows = db.session.execute(
        select(Contract.post_id, Contract.weekly_hours, Contract.starts_on, Contract.ends_on, Contract.is_sessional,
               Person.left_on, Person.id).join(Person, Person.id == Contract.person_id)
        .where(Contract.post_id.in_(list(posts)), Contract.starts_on <= end,
               or_(Contract.ends_on.is_(None), Contract.ends_on >= start))).all()
    placements = _placements({person_id for *_, person_id in rows})
    increments = dict(db.session.execute(select(Provider.id, Provider.increment_on).where(
        Provider.id.in_({post.provider_id for post in posts.values()}))).all())
    priced: dict[tuple, Decimal] = {}  # many contracts share the same terms: price each once
    for post_id, hours, starts_on, ends_on, sessional, left_on, person_id in rows:
        post = posts[post_id]
        if sessional or post.grade is None:
            continue
        placed = post.grade.points and any(p.grade_id == post.grade_id for p in placements.get(person_id, ()))
        for year, line in lines_of.get((post.provider_id, post_id), []):
            first, last = _window(year, start, end)
            first, last = max(first, starts_on), min(d for d in (last, ends_on, left_on) if d is not None)
            if last < first:
                continue
            key = (post.provider_id, post.grade_id, hours, first, last, person_id if placed else None)
            if key not in priced:
                rates = (placed_rates(post.grade, placements[person_id], increments[post.provider_id], first, last)
                         if placed else post.grade.pay_points)
                priced[key] = salaried_cost(rates, Decimal(str(hours)) / FULL_TIME_HOURS, first, last,
                                            on_cost_rules(post.provider_id))
            _add(costs, "pay_cost", post.area_id, line.name, float(priced[key]))


def _placements(person_ids: set[int]) -> dict[int, list[PointPlacement]]:
    """Each person's placements on grade points, in one query."""
    found: dict[int, list[PointPlacement]] = defaultdict(list)
    if person_ids:
        for placement in db.session.scalars(select(PointPlacement).where(PointPlacement.person_id.in_(person_ids))
                                            .order_by(PointPlacement.effective_from)):
            found[placement.person_id].append(placement)
    return found


def _sessional_pay(costs: Costs, lines_of: dict, posts: dict, start: date, end: date) -> None:
    sessional = list(db.session.scalars(
        select(Contract).where(Contract.post_id.in_(list(posts)), Contract.is_sessional, Contract.starts_on <= end,
                               or_(Contract.ends_on.is_(None), Contract.ends_on >= start))
        .options(selectinload(Contract.post).selectinload(Post.grade).selectinload(Grade.pay_points))))
    for contract, _month, priced_on, minutes in sessional_minutes(sessional, start, end):
        line = next((line for year, line in lines_of.get((contract.post.provider_id, contract.post_id), [])
                     if year.starts_on <= priced_on <= year.ends_on), None)
        if line is None:
            continue  # worked outside every contract year that budgets the post
        cost = sessional_cost_on(minutes, contract.post.grade, priced_on,
                              terms_on(on_cost_rules(contract.post.provider_id), priced_on))
        _add(costs, "pay_cost", contract.post.area_id, line.name, float(cost))


def _spend_by_provider_area(kind: BudgetLineKind, provider_ids: list[int], first: date, last: date):
    if kind == BudgetLineKind.VOLUNTEER_EXPENSES:
        query = (select(Person.provider_id, Person.area_id, func.sum(ExpenseLine.amount_pence))
                 .join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
                 .join(Person, Person.id == ExpenseClaim.person_id)
                 .where(ExpenseLine.status == LineStatus.APPROVED,
                        ExpenseClaim.status.in_([ClaimStatus.APPROVED, ClaimStatus.PAID]),
                        ExpenseLine.spent_on.between(first, last)))
    elif kind == BudgetLineKind.TRAINING:
        query = (select(Person.provider_id, Person.area_id, func.sum(TrainingRecord.cost_pence))
                 .join(Person, Person.id == TrainingRecord.person_id)
                 .where(TrainingRecord.completed_on.between(first, last)))
    else:
        return []
    return db.session.execute(query.where(Person.provider_id.in_(provider_ids))
                              .group_by(Person.provider_id, Person.area_id)).all()


def _non_pay(costs: Costs, years: list[ContractYear], start: date, end: date) -> None:
    by_window: dict[tuple, list[ContractYear]] = defaultdict(list)
    for year in years:
        by_window[_window(year, start, end)].append(year)
    for (first, last), group in by_window.items():
        for kind in (BudgetLineKind.VOLUNTEER_EXPENSES, BudgetLineKind.TRAINING):
            names = {y.provider_id: line.name for y in group for line in y.budget_lines if line.kind == kind}
            if not names:
                continue
            for provider_id, area, total in _spend_by_provider_area(kind, list(names), first, last):
                _add(costs, "non_pay_cost", area, names[provider_id], int(total or 0))
        _invoices(costs, group, first, last)


def _invoices(costs: Costs, years: list[ContractYear], first: date, last: date) -> None:
    """Approved non-pay spending charged to the years' lines (a course's invoice is counted through training)."""
    rows = db.session.execute(
        select(Spend.area_id, BudgetLine.name, func.sum(Spend.amount_pence))
        .join(BudgetLine, BudgetLine.id == Spend.budget_line_id)
        .where(BudgetLine.contract_year_id.in_([y.id for y in years]), Spend.status == SpendStatus.APPROVED,
               Spend.course_id.is_(None), Spend.spent_on.between(first, last))
        .group_by(Spend.area_id, BudgetLine.name))
    for area, name, total in rows:
        _add(costs, "non_pay_cost", area, name, int(total or 0))


def line_costs(provider_id: int | None, start: date, end: date) -> Costs:
    """Cost and pro-rata budget by line and area for the period, across the contract years it touches."""
    costs: Costs = defaultdict(lambda: defaultdict(dict))
    years = _years(provider_id, start, end)
    for year in years:
        first, last = _window(year, start, end)
        share = Decimal((last - first).days + 1) / Decimal((year.ends_on - year.starts_on).days + 1)
        for line in year.budget_lines:
            annual = budget_row(line, year.pay_basis_on).annual_pence
            _add(costs, "budget", None, line.name, float(pence(Decimal(annual) * share)))
    _pay(costs, years, start, end)
    _non_pay(costs, years, start, end)
    return costs
