"""The county budget: every provider's budget and forecast for a contract year, and the
council's own posts, added up against the contract's funding."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.establishment.costs import on_cost_rules, terms_on
from app.establishment.services import annual_post_cost_pence, budget_table, load_contract_year, round_to_pound
from app.extensions import db
from app.models.council import CommissionYear
from app.models.establishment import ContractYear
from app.models.people import Provider

from .services import build_monitor


@dataclass(frozen=True)
class ProviderBudget:
    provider: Provider
    budget_pence: int
    forecast_pence: int
    funding_pence: int  # what the provider's own budget says it is funded


@dataclass(frozen=True)
class CountyBudget:
    year: CommissionYear
    rows: list[ProviderBudget]
    funding_pence: int  # the contract's funding for the year
    council_pence: int = 0  # the council's own posts, priced at its pay scale

    @property
    def budget_pence(self) -> int:
        return sum(r.budget_pence for r in self.rows) + self.council_pence

    @property
    def forecast_pence(self) -> int:
        return sum(r.forecast_pence for r in self.rows) + self.council_pence

    @property
    def headroom_pence(self) -> int:
        return self.funding_pence - self.budget_pence


def county_budget(year: CommissionYear, *, today: date) -> CountyBudget:
    """Every provider's budget and forecast for the contract year, added up against its funding.
    A provider's year is its contract year that starts the same day."""
    rows = []
    for provider_year in db.session.scalars(select(ContractYear).where(ContractYear.starts_on == year.starts_on)
                                            .order_by(ContractYear.provider_id)):
        loaded = load_contract_year(provider_year.id)
        table = budget_table(loaded)
        monitor = build_monitor(loaded, today=today)
        rows.append(ProviderBudget(loaded.provider, table.total_pence, monitor.total("forecast"),
                                   table.funding_pence))
    council = sum(round_to_pound(post_annual_cost_pence_for(post.grade, post.fte, year.starts_on))
                  for post in year.commission.council_posts)
    return CountyBudget(year, rows, sum(f.amount_pence for f in year.funding), council)


def post_annual_cost_pence_for(grade, fte, on: date):
    """A council post's year at the council's pay scale and on-cost rules on ``on``."""
    point = grade.pay_point_on(on)
    if point is None:
        return Decimal(0)
    return annual_post_cost_pence(1, fte, point.mid_pence, point.on_cost_bp, terms_on(on_cost_rules(None), on))
