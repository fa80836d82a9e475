"""The establishment priced over the rest of the contract (and its extension), against each
year's funding: the cost pressure is pay inflation, so the question is which year the money
stops covering the posts.

Each year prices the provider's posts at the pay points known for that year; a year with no
award yet takes the latest known figures uplifted by an assumed award rate for each year
since. Non-pay lines carry on at the latest contract year's amounts. A year that has ended
shows its outturn (what it spent, from the budget monitor), so the projection agrees with
the years the provider has closed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.council.services import the_commission
from app.establishment.costs import financial_year_of, pence, terms_on
from app.establishment.services import (
    annual_post_cost_pence,
    contract_years_for,
    load_contract_year,
    on_cost_rules,
)
from app.extensions import db
from app.models.establishment import BudgetLineKind, Grade, Post

from .services import build_monitor

DEFAULT_AWARD_PCT = Decimal(3)


@dataclass(frozen=True)
class ProjectedYear:
    label: str
    starts_on: date
    pay_pence: int
    non_pay_pence: int
    funding_pence: int
    assumed: bool  # priced with an assumed award for at least one grade
    is_extension: bool = False
    closed: bool = False  # a year that has ended: its outturn, not its establishment priced

    @property
    def total_pence(self) -> int:
        return self.pay_pence + self.non_pay_pence

    @property
    def headroom_pence(self) -> int:
        return self.funding_pence - self.total_pence


@dataclass(frozen=True)
class Projection:
    years: list[ProjectedYear]
    award_pct: Decimal

    @property
    def first_short_year(self) -> ProjectedYear | None:
        """The first year still to come (or under way) whose funding no longer covers its establishment."""
        return next((y for y in self.years if y.headroom_pence < 0 and not y.closed), None)


def _mid_on(grade: Grade, day: date, rate: Decimal) -> tuple[Decimal, int, bool] | None:
    """(mid-point, on-cost basis points, assumed?) for a grade on ``day``."""
    point = grade.pay_point_on(day)
    if point is None:
        return None
    years_since = financial_year_of(day) - financial_year_of(point.effective_from)
    mid = Decimal(point.mid_pence) * (1 + rate) ** max(years_since, 0)
    return mid, point.on_cost_bp, years_since > 0


def _outturn(year, label: str, extension: bool, today: date) -> ProjectedYear:
    """A year that has ended, as it closed: what its lines spent, against its funding."""
    monitor = build_monitor(load_contract_year(year.id), today=today)
    pay = sum(line.actual for line in monitor.lines if line.line.kind == BudgetLineKind.PAY)
    return ProjectedYear(label, year.starts_on, pay, monitor.total("actual") - pay, monitor.funding, False,
                         extension, closed=True)


def _contract_years(provider_id: int) -> list[tuple[str, date, bool]]:
    """(label, start, extension?) for each year: the council's contract's years where it is set
    up, otherwise the provider's own contract years."""
    commission = the_commission()
    if commission is not None:
        return [(y.label, y.starts_on, y.is_extension) for y in commission.years]
    return [(y.label, y.starts_on, False) for y in contract_years_for(provider_id)]


def project(provider_id: int, *, award_pct: Decimal = DEFAULT_AWARD_PCT, today: date) -> Projection:
    rate = Decimal(award_pct) / 100
    own_years = {y.starts_on: y for y in contract_years_for(provider_id)}
    latest = load_contract_year(max(own_years.values(), key=lambda y: y.starts_on).id) if own_years else None
    non_pay = sum(line.amount_pence or 0 for line in latest.budget_lines
                  if line.kind != BudgetLineKind.PAY) if latest else 0
    funding_known = {start: sum(f.amount_pence for f in load_contract_year(year.id).funding)
                     for start, year in own_years.items()}
    posts = db.session.scalars(select(Post).where(Post.provider_id == provider_id, Post.grade_id.is_not(None))
                               .options(selectinload(Post.grade).selectinload(Grade.pay_points))).all()
    projected, funding, rules = [], 0, on_cost_rules(provider_id)
    for label, starts_on, extension in _contract_years(provider_id):
        if financial_year_of(starts_on) < financial_year_of(today) and starts_on not in own_years:
            continue  # years gone by that the provider never budgeted
        if starts_on in own_years and own_years[starts_on].ends_on < today:
            projected.append(_outturn(own_years[starts_on], label, extension, today))
            continue
        pay, assumed = Decimal(0), False
        for post in posts:
            in_force = (post.starts_on is None or post.starts_on <= starts_on) and (
                post.ends_on is None or post.ends_on >= starts_on)
            priced = _mid_on(post.grade, starts_on, rate) if in_force else None
            if priced is None:
                continue
            mid, on_cost_bp, guessed = priced
            pay += annual_post_cost_pence(post.number_of_posts, post.budgeted_fte, mid, on_cost_bp,
                                          terms_on(rules, starts_on))
            assumed = assumed or guessed
        funding = funding_known.get(starts_on, funding)  # a year not yet funded carries the last known
        projected.append(ProjectedYear(label, starts_on, pence(pay), non_pay, funding, assumed, extension))
    return Projection(projected, Decimal(award_pct))
