"""The budget monitor: budget, actual, committed, forecast and variance per line,
per area and per month, for a contract year.

Hours are summed in SQL. Salaried contracts are priced in Python from one
query's rows, because pricing a contract pro rata across pay awards is date
arithmetic per contract (a provider has tens of contracts, not thousands).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, extract, func, literal, or_, select
from sqlalchemy.orm import selectinload

from app import generation, periods
from app.establishment.costs import (
    contract_cost,
    frozen_rules,
    frozen_terms,
    on_cost_rules,
    pence,
    sessional_cost_on,
    terms_on,
)
from app.establishment.payroll import after_employment_allowance
from app.establishment.services import (
    YearFacts,
    area_budgets,
    budget_row,
    contract_years_for,
    load_contract_year,
    year_containing,
)
from app.extensions import db
from app.hours.rules import fte_used
from app.models.establishment import (
    BudgetLine,
    BudgetLineKind,
    Contract,
    ContractYear,
    CostMonth,
    EmploymentAllowance,
    Grade,
    Post,
    fte_of_weekly_hours,
)
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person

from .payroll import with_payroll
from .sources import LINE_SOURCES, NON_PAY_SOURCES, NonPaySource, run_rate_projection


def month_end(month: date) -> date:
    return periods.month_end(month)


@dataclass(frozen=True)
class LineName:
    """What the monitor shows of a budget line beside its figures: plain, so it can be kept."""

    id: int
    name: str
    kind: BudgetLineKind


@dataclass
class LineFigures:
    line: BudgetLine | LineName
    budget: int
    actual: int = 0
    committed: int = 0
    by_month: dict[date, int] = field(default_factory=dict)
    # The same forecast priced at the pay points the budget was set at (pay lines only).
    forecast_at_budget_prices: int | None = None

    @property
    def forecast(self) -> int:
        return self.actual + self.committed

    @property
    def variance(self) -> int:
        """Budget minus forecast: negative means a forecast overspend."""
        return self.budget - self.forecast

    @property
    def volume_variance(self) -> int:
        """What FTE and hours different from budget cost (or save), at the budget's prices."""
        at_budget = self.forecast if self.forecast_at_budget_prices is None else self.forecast_at_budget_prices
        return self.budget - at_budget

    @property
    def price_variance(self) -> int:
        """What pay awards and on-cost changes since the budget was set cost: negative is dearer."""
        return self.variance - self.volume_variance

    @property
    def pct_used(self) -> Decimal | None:
        if not self.budget:
            return None
        return (Decimal(self.actual) * 100 / self.budget).quantize(Decimal("0.1"))


@dataclass
class Monitor:
    contract_year: ContractYear | YearFacts
    today: date
    area_id: int | None
    lines: list[LineFigures]
    months: list[date]
    funding: int
    # The months whose pay actuals are payroll's figures; elsewhere they are Pathway's estimate.
    payroll_months: set[date] = field(default_factory=set)
    # Employment Allowance set against each month's employer NI, from April until used up.
    allowance: dict[date, int] = field(default_factory=dict)
    # Why some contracts' months cannot be priced (no pay point or rate on the day), from the ledger.
    unpriced: list[str] = field(default_factory=list)

    @property
    def allowance_actual(self) -> int:
        return sum(v for month, v in self.allowance.items() if month <= self.today)

    @property
    def allowance_committed(self) -> int:
        return sum(v for month, v in self.allowance.items() if month > self.today)

    def total(self, attribute: str) -> int:
        lines = sum(getattr(line, attribute) for line in self.lines)
        relief = {"actual": self.allowance_actual, "committed": self.allowance_committed,
                  "forecast": self.allowance_actual + self.allowance_committed,
                  "variance": -(self.allowance_actual + self.allowance_committed)}.get(attribute, 0)
        return lines - relief

    def month_total(self, month: date) -> int:
        relief = self.allowance.get(month, 0) if month <= self.today else 0
        return sum(line.by_month.get(month, 0) for line in self.lines) - relief

    @property
    def even_profile(self) -> int:
        return self.total("budget") // len(self.months)


def _in_area(post: Post, area_id: int | None) -> bool:
    return area_id is None or post.area_id == area_id


def _contracts(posts: list[Post], start: date, end: date) -> list[Contract]:
    if not posts:
        return []
    return list(db.session.scalars(
        select(Contract)
        .where(Contract.post_id.in_([p.id for p in posts]), Contract.starts_on <= end,
               or_(Contract.ends_on.is_(None), Contract.ends_on >= start))
        .options(*PRICING_LOADS)
    ))


# What pricing a contract reads, loaded with it in a few queries rather than one a contract.
PRICING_LOADS = (selectinload(Contract.post).selectinload(Post.grade).selectinload(Grade.pay_points),
                 selectinload(Contract.post).selectinload(Post.grade).selectinload(Grade.points),
                 selectinload(Contract.post).selectinload(Post.grade).selectinload(Grade.hourly_rates),
                 selectinload(Contract.post).selectinload(Post.provider),
                 selectinload(Contract.placements), selectinload(Contract.person))


def sessional_minutes(contracts: list[Contract], start: date, end: date):
    """Approved minutes worked under each sessional contract, by month and pay period."""
    sessional = [c for c in contracts if c.is_sessional]
    if not sessional:
        return []
    cuts = sorted({p.effective_from for c in sessional for p in [*c.post.grade.pay_points, *c.post.grade.hourly_rates]
                   if start < p.effective_from <= end})
    # Which pay period (0 = before the first cut) each entry falls in, so a
    # mid-month pay award prices the days either side of it correctly.
    period = case(*[(HoursEntry.worked_on >= cut, index)
                    for index, cut in reversed(list(enumerate(cuts, start=1)))],
                  else_=0) if cuts else literal(0)
    query = (
        select(Contract.id, extract("year", HoursEntry.worked_on).label("y"),
               extract("month", HoursEntry.worked_on).label("m"), period.label("p"),
               func.sum(HoursEntry.minutes))
        .join(Contract, and_(Contract.person_id == HoursEntry.person_id,
                             Contract.starts_on <= HoursEntry.worked_on,
                             or_(Contract.ends_on.is_(None), Contract.ends_on >= HoursEntry.worked_on)))
        .where(Contract.id.in_([c.id for c in sessional]), HoursEntry.status == HoursStatus.APPROVED,
               # the people too, so the (person, date) index narrows the hours scanned
               HoursEntry.person_id.in_({c.person_id for c in sessional}),
               HoursEntry.worked_on.between(start, end))
        .group_by(Contract.id, "y", "m", "p")
    )
    by_id = {c.id: c for c in sessional}
    rows = []
    for contract_id, year, month, index, minutes in db.session.execute(query):
        contract = by_id[contract_id]
        month_start = date(int(year), int(month), 1)
        priced_on = max(month_start, cuts[int(index) - 1]) if index else month_start
        rows.append((contract, month_start, priced_on, int(minutes)))
    return rows


def ledger_costs(provider_id: int, months: list[date]) -> dict[tuple[int, date], int]:
    """Each contract's cost in each month from the cost ledger (app.establishment.ledger): pay,
    holiday pay, employer NI and pension as payroll works them, in pence."""
    if not months:
        return {}
    return {(contract_id, month): int(pence_total) for contract_id, month, pence_total in db.session.execute(
        select(CostMonth.contract_id, CostMonth.month, CostMonth.total_pence)
        .where(CostMonth.provider_id == provider_id, CostMonth.month.between(months[0], months[-1])))}


def paid_months(months: list[date], today: date) -> list[date]:
    """The months payroll has paid by ``today``: those that have ended. The month under way is
    still to be paid (committed), as payroll pays at the month's end."""
    return [month for month in months if month_end(month) <= today]


def _price_pay_line(figures: LineFigures, contracts: list[Contract], sessional_rows, *,
                    year: ContractYear, today: date, months: list[date], actuals: dict, ledger: dict) -> None:
    """Fill actual by month (payroll's figures where imported, the ledger elsewhere) and committed
    (the ledger's months still to be paid) for one pay line from its contracts, and the same
    forecast at the pay points the budget was priced at (so price and volume can be told apart)."""
    paid = set(paid_months(months, today))
    to_date = min(today, year.ends_on)
    at_budget = 0
    rules = on_cost_rules(year.provider_id)
    budget_rules = frozen_rules(rules, year.pay_basis_on)
    sessional_so_far = 0
    for contract in contracts:
        left = contract.person.left_on
        for month in months:
            if month in paid:
                cost = actuals.get((contract.id, month), 0)
                figures.by_month[month] = figures.by_month.get(month, 0) + cost
            else:
                cost = ledger.get((contract.id, month), 0)
                if not contract.is_sessional or month <= today:
                    figures.committed += cost
            if contract.is_sessional and month <= today:
                sessional_so_far += cost
            first, last = max(month, year.starts_on), min(month_end(month), to_date)
            if first <= last:
                at_budget += pence(contract_cost(contract, first, last, left_on=left, rules=budget_rules,
                                                 points=frozen_terms(contract, year.pay_basis_on, first)))
        if today < year.ends_on and not contract.is_sessional and (contract.ends_on is None
                                                                    or contract.ends_on > today):
            start = max(today + timedelta(days=1), contract.starts_on)
            at_budget += pence(contract_cost(contract, start, year.ends_on, left_on=left, rules=budget_rules,
                                             points=frozen_terms(contract, year.pay_basis_on, start)))
    sessional_at_budget = 0
    for contract, _month, _priced_on, minutes in sessional_rows:  # with holiday pay, as the ledger has it
        holiday = 1 + Decimal(contract.post.provider.holiday_accrual_bp) / 10000
        sessional_at_budget += pence(sessional_cost_on(minutes, contract.post.grade, year.pay_basis_on,
                                                    terms_on(rules, year.pay_basis_on)) * holiday)
    # Sessional hours have no contract to commit: project them at the run rate so far.
    figures.committed += run_rate_projection(sessional_so_far, year, today)
    figures.actual = sum(figures.by_month.values())
    figures.forecast_at_budget_prices = (at_budget + sessional_at_budget
                                         + run_rate_projection(sessional_at_budget, year, today))


def build_monitor(year: ContractYear | YearFacts, *, today: date, area_id: int | None = None) -> Monitor:
    """Budget against actual, committed and forecast for each line of a contract year. Its
    figures are kept for the data as it stands (``app.generation``), as plain numbers: asked
    again before anything changes, nothing is read or priced again."""
    kept = generation.kept(("monitor", year.id, today, area_id),
                           lambda: _plain(_build_monitor(load_contract_year(year.id), today, area_id)))
    lines = [LineFigures(line=line, **{**numbers, "by_month": dict(numbers["by_month"])})
             for line, numbers in kept["lines"]]
    return Monitor(year, today, area_id, lines, list(kept["months"]), kept["funding"], set(kept["payroll_months"]),
                   dict(kept["allowance"]), list(kept["unpriced"]))


def _plain(monitor: Monitor) -> dict:
    """A monitor's figures without its records, to keep between requests."""
    return {"lines": [(LineName(f.line.id, f.line.name, f.line.kind),
                       {"budget": f.budget, "actual": f.actual, "committed": f.committed,
                        "by_month": dict(f.by_month), "forecast_at_budget_prices": f.forecast_at_budget_prices})
                      for f in monitor.lines],
            "months": tuple(monitor.months), "funding": monitor.funding,
            "payroll_months": frozenset(monitor.payroll_months), "allowance": dict(monitor.allowance),
            "unpriced": tuple(monitor.unpriced)}


def _build_monitor(year: ContractYear, today: date, area_id: int | None) -> Monitor:
    months = periods.months_between(year.starts_on, year.ends_on)
    all_posts = [p for line in year.budget_lines for p in line.posts if not p.is_volunteer]
    # Every contract of the year, so a person's payroll is shared across all their contracts
    # before an area's are picked out.
    everyone = _contracts(all_posts, year.starts_on, year.ends_on)
    sessional_all = sessional_minutes(everyone, year.starts_on, min(today, year.ends_on))
    ledger = ledger_costs(year.provider_id, months)
    actuals, payroll_months = with_payroll(ledger, everyone, provider_id=year.provider_id,
                                           months=paid_months(months, today))
    contracts = [c for c in everyone if _in_area(c.post, area_id)]
    sessional = [row for row in sessional_all if _in_area(row[0].post, area_id)]
    lines = []
    by_line = [source(year, today, area_id) for source in LINE_SOURCES]
    for line in year.budget_lines:
        posts = [p for p in line.posts if _in_area(p, area_id)]
        if area_id is not None and not posts:
            continue
        figures = LineFigures(line=line, budget=_line_budget(line, year, area_id))
        if line.kind == BudgetLineKind.PAY:
            post_ids = {p.id for p in posts}
            _price_pay_line(figures, [c for c in contracts if c.post_id in post_ids],
                            [r for r in sessional if r[0].post_id in post_ids],
                            year=year, today=today, months=months, actuals=actuals, ledger=ledger)
        elif line.kind in NON_PAY_SOURCES:
            _fill_non_pay(figures, NON_PAY_SOURCES[line.kind], year, today, area_id)
        for found in by_line:
            spent, committed = found.get(line.id, ({}, 0))
            for month, amount in spent.items():
                figures.by_month[month] = figures.by_month.get(month, 0) + amount
            figures.actual += sum(spent.values())
            figures.committed += committed
        lines.append(figures)
    funding = sum(f.amount_pence for f in year.funding)
    allowance = employment_allowance(year, months) if area_id is None else {}
    return Monitor(year, today, area_id, lines, months, funding, payroll_months, allowance,
                   unpriced_reasons(year.provider_id, months))


def unpriced_reasons(provider_id: int, months: list[date]) -> list[str]:
    """Each distinct reason the ledger could not price a contract's month in these months."""
    if not months:
        return []
    return list(db.session.scalars(
        select(CostMonth.unpriced).where(CostMonth.provider_id == provider_id, CostMonth.unpriced.is_not(None),
                                         CostMonth.month.between(months[0], months[-1]))
        .distinct().order_by(CostMonth.unpriced)))


def employment_allowance(year: ContractYear, months: list[date]) -> dict[date, int]:
    """The provider's Employment Allowance for the tax year the contract year starts in, set
    against each month's employer NI (the ledger's, worked per person per month as payroll does)
    from the first month until it is used up. Nothing where its on-costs are a flat percentage."""
    allowance = db.session.scalar(select(EmploymentAllowance.amount_pence).where(
        EmploymentAllowance.provider_id == year.provider_id, EmploymentAllowance.tax_year == year.starts_on.year))
    if not allowance or not months:
        return {}
    by_month = dict(db.session.execute(
        select(CostMonth.month, func.sum(CostMonth.ni_pence))
        .where(CostMonth.provider_id == year.provider_id, CostMonth.month.between(months[0], months[-1]))
        .group_by(CostMonth.month)).all())
    ni = [int(by_month.get(month) or 0) for month in months]
    return {month: before - after for month, before, after in zip(months, ni, after_employment_allowance(
        ni, allowance), strict=True) if before != after}


def _line_budget(line: BudgetLine, year: ContractYear, area_id) -> int:
    """The line's budget, or an area's share of it (the areas add up to the line to the penny)."""
    if area_id is None or not line.posts:
        return budget_row(line, year.pay_basis_on).annual_pence
    return area_budgets(line, year.pay_basis_on).get(area_id, 0)


def _fill_non_pay(figures: LineFigures, source: NonPaySource, year: ContractYear, today: date,
                  area_id: int | None) -> None:
    spent, committed = source(year, today, area_id)
    figures.by_month = dict(spent)
    figures.actual = sum(spent.values())
    figures.committed = committed


def year_for_provider(provider_id: int, year_id: int | None, today: date,
                      years: list[ContractYear] | None = None) -> ContractYear | None:
    """The year asked for, or the one ``today`` falls in, among a provider's ``years``. Its lines,
    posts and grades are loaded when they are read: a monitor kept for the data as it stands
    reads only the lines' names (``build_monitor`` loads the rest when it works the year out)."""
    years = contract_years_for(provider_id) if years is None else years
    return next((y for y in years if y.id == year_id), None) if year_id else year_containing(years, today)


@dataclass(frozen=True)
class FteRow:
    group: str
    budgeted_fte: Decimal
    minutes: int
    fte_used: Decimal

    @property
    def difference(self) -> Decimal:
        return self.fte_used - self.budgeted_fte

    @property
    def status(self) -> str:
        if not self.budgeted_fte:
            return "no budget"
        ratio = self.fte_used / self.budgeted_fte
        return "over" if ratio > Decimal("1.05") else "under" if ratio < Decimal("0.85") else "on track"


def fte_report(provider_id: int, start: date, end: date, *, area_id: int | None = None) -> list[FteRow]:
    """Approved hours as FTE against budgeted FTE, per post group (post title), in SQL."""
    post_filter = [Post.provider_id == provider_id]
    if area_id is not None:
        post_filter.append(Post.area_id == area_id)
    budgets = dict(db.session.execute(
        select(Post.title, func.sum(Post.budgeted_fte)).where(*post_filter).group_by(Post.title)).all())
    hours_filter = [HoursEntry.status == HoursStatus.APPROVED, HoursEntry.worked_on.between(start, end),
                    Person.provider_id == provider_id]
    if area_id is not None:
        hours_filter.append(HoursEntry.area_id == area_id)
    worked = {title or "No post recorded": minutes for title, minutes in db.session.execute(
        select(Post.title, func.sum(HoursEntry.minutes))
        .join(Person, Person.id == HoursEntry.person_id)
        .outerjoin(Contract, and_(Contract.person_id == HoursEntry.person_id,
                                  Contract.starts_on <= HoursEntry.worked_on,
                                  or_(Contract.ends_on.is_(None), Contract.ends_on >= HoursEntry.worked_on)))
        .outerjoin(Post, Post.id == Contract.post_id)
        .where(*hours_filter)
        .group_by(Post.title))}
    groups = sorted(set(budgets) | set(worked))
    return [FteRow(group=g, budgeted_fte=Decimal(str(budgets.get(g) or 0)),
                   minutes=int(worked.get(g) or 0), fte_used=fte_used(int(worked.get(g) or 0), start, end))
            for g in groups]


def person_fte(person_id: int, start: date, end: date) -> tuple[Decimal, int]:
    """Contracted FTE on the last day and approved minutes worked in the period."""
    contracted = select(func.coalesce(func.sum(Contract.weekly_hours), 0)).where(
        Contract.person_id == person_id, Contract.starts_on <= end,
        or_(Contract.ends_on.is_(None), Contract.ends_on >= end)).scalar_subquery()
    worked = select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
        HoursEntry.person_id == person_id, HoursEntry.status == HoursStatus.APPROVED,
        HoursEntry.worked_on.between(start, end)).scalar_subquery()
    hours, minutes = db.session.execute(select(contracted, worked)).one()  # one statement
    return fte_of_weekly_hours(hours), int(minutes)
