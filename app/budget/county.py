"""The county budget: every provider's budget and forecast for a contract year, and the
council's own posts, added up against the contract's funding.

Working it out prices every provider's budget monitor (seconds a provider at scale), so the
co-ordinator's home page reads each provider's figures as last worked out in the background
(``work_out_forecasts``, every hour and on the co-ordinator's asking), never prices them."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, select

from app.council.services import the_commission
from app.establishment.costs import on_cost_rules, terms_on
from app.establishment.services import annual_post_cost_pence, budget_table, load_contract_year, round_to_pound
from app.extensions import db
from app.models.council import CommissionYear
from app.models.establishment import ContractYear, ProviderForecast
from app.models.people import Provider

from .services import build_monitor


@dataclass(frozen=True)
class ProviderBudget:
    provider: Provider
    contract_year_id: int
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
        rows.append(ProviderBudget(loaded.provider, loaded.id, table.total_pence, monitor.total("forecast"),
                                   table.funding_pence))
    return CountyBudget(year, rows, sum(f.amount_pence for f in year.funding), _council_pence(year))


def _council_pence(year: CommissionYear) -> int:
    return sum(round_to_pound(post_annual_cost_pence_for(post.grade, post.fte, year.starts_on))
               for post in year.commission.council_posts)


@dataclass(frozen=True)
class StoredCounty:
    """The county budget from each provider's figures as last worked out: ``county`` adds up
    those worked out; ``waiting`` names providers with a year not worked out since it was made."""

    county: CountyBudget
    waiting: list[str]
    worked_out_at: datetime | None  # the oldest of the figures shown


def stored_county_budget(year: CommissionYear) -> StoredCounty:
    """The county budget as last worked out (the council's own posts priced now): a few queries,
    however many providers."""
    rows, waiting, times = [], [], []
    for provider, contract_year_id, stored in db.session.execute(
            select(Provider, ContractYear.id, ProviderForecast)
            .join(Provider, Provider.id == ContractYear.provider_id)
            .outerjoin(ProviderForecast, ProviderForecast.contract_year_id == ContractYear.id)
            .where(ContractYear.starts_on == year.starts_on).order_by(ContractYear.provider_id)):
        if stored is None:
            waiting.append(provider.name)
            continue
        rows.append(ProviderBudget(provider, contract_year_id, stored.budget_pence, stored.forecast_pence,
                                   stored.funding_pence))
        times.append(stored.worked_out_at)
    county = CountyBudget(year, rows, sum(f.amount_pence for f in year.funding), _council_pence(year))
    return StoredCounty(county, waiting, min(times) if times else None)


def post_annual_cost_pence_for(grade, fte, on: date):
    """A council post's year at the council's pay scale and on-cost rules on ``on``."""
    point = grade.pay_point_on(on)
    if point is None:
        return Decimal(0)
    return annual_post_cost_pence(1, fte, point.mid_pence, point.on_cost_bp, terms_on(on_cost_rules(None), on))


def current_year(today: date) -> CommissionYear | None:
    """The year of the council's contract that ``today`` falls in."""
    commission = the_commission()
    return next((y for y in commission.years if y.starts_on <= today <= y.ends_on), None) if commission else None


def work_out_forecasts(year: CommissionYear, *, today: date, now: datetime) -> int:
    """Work out every provider's budget and forecast for the year and keep them, in place of
    those worked out before; returns how many providers."""
    county = county_budget(year, today=today)
    years = [row.contract_year_id for row in county.rows]
    if years:
        db.session.execute(delete(ProviderForecast).where(ProviderForecast.contract_year_id.in_(years)))
    db.session.add_all(ProviderForecast(contract_year_id=row.contract_year_id, provider_id=row.provider.id,
                                        budget_pence=row.budget_pence, forecast_pence=row.forecast_pence,
                                        funding_pence=row.funding_pence, worked_out_on=today, worked_out_at=now)
                       for row in county.rows)
    db.session.flush()
    return len(county.rows)


@dataclass(frozen=True)
class OverBudget:
    provider_id: int
    provider_name: str
    over_pence: int
    worked_out_at: datetime


def over_budget(year: CommissionYear) -> list[OverBudget]:
    """Providers whose forecast for the year, as last worked out, is over their budget, by name:
    one query, however many providers."""
    return [OverBudget(provider_id, name, int(forecast) - int(budget), at) for provider_id, name, forecast, budget, at
            in db.session.execute(
                select(Provider.id, Provider.name, ProviderForecast.forecast_pence, ProviderForecast.budget_pence,
                       ProviderForecast.worked_out_at)
                .join(Provider, Provider.id == ProviderForecast.provider_id)
                .join(ContractYear, ContractYear.id == ProviderForecast.contract_year_id)
                .where(ContractYear.starts_on == year.starts_on,
                       ProviderForecast.forecast_pence > ProviderForecast.budget_pence)
                .order_by(Provider.name, Provider.id))]
