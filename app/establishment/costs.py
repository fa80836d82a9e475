"""Pay cost rules: contracts pro rata by days across pay awards, sessional hours.

Money is in pence, as Decimal until the final rounding.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models.establishment import (
    FULL_TIME_HOURS,
    Contract,
    Grade,
    HourlyRate,
    OnCostRule,
    PayPoint,
    PointPlacement,
    fte_of_weekly_hours,
)
from app.periods import contract_year_start, contract_year_starting

from .payroll import (
    ALL_PAY,
    QUALIFYING,
    PayrollTerms,
)
from .points import change_days, is_placed
from .points import point_on as person_point_on

WEEKS_IN_A_YEAR = Decimal("52.143")


def financial_year_of(day: date) -> int:
    return contract_year_start(day).year


def days_in_financial_year(year: int) -> int:
    start, end = contract_year_starting(year)
    return (end - start).days + 1


def pence(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Rate:
    """A pay point's figures from a date; PayPoint rows have the same shape."""

    effective_from: date
    mid_pence: int
    on_cost_bp: int

    @property
    def on_cost_rate(self) -> Decimal:
        return Decimal(self.on_cost_bp) / 10000


@dataclass(frozen=True)
class OnCostTerms:
    """Statutory on-costs from a date: employer NI above a yearly threshold per person, and
    employer pension. ``None`` in a list of terms means each grade's flat percentage."""

    effective_from: date
    ni_rate_bp: int
    ni_threshold_pence: int
    pension_rate_bp: int
    pension_basis: str = ALL_PAY
    qualifying_lower_pence: int = 624_000
    qualifying_upper_pence: int = 5_027_000
    enrolment_trigger_pence: int = 1_000_000

    def pensionable(self, pay: Decimal, periods: int = 1) -> Decimal:
        """The pay pension is charged on, for pay over 1/``periods`` of a year: all of it, or the
        qualifying earnings between the band's limits; none below the auto-enrolment trigger."""
        if pay <= Decimal(self.enrolment_trigger_pence) / periods:
            return Decimal(0)
        if self.pension_basis != QUALIFYING:
            return pay
        lower, upper = Decimal(self.qualifying_lower_pence) / periods, Decimal(self.qualifying_upper_pence) / periods
        return max(Decimal(0), min(pay, upper) - lower)

    def for_payroll(self, *, proration: str, holiday_accrual_bp: int) -> PayrollTerms:
        return PayrollTerms(self.ni_rate_bp, self.ni_threshold_pence, self.pension_rate_bp, self.pension_basis,
                            self.qualifying_lower_pence, self.qualifying_upper_pence, self.enrolment_trigger_pence,
                            proration, holiday_accrual_bp)


# A provider's on-cost rules, oldest first: (from, terms or None for the flat percentage).
Rules = Sequence[tuple[date, OnCostTerms | None]]


def terms_on(rules: Rules, day: date) -> OnCostTerms | None:
    current = None
    for effective_from, terms in rules:
        if effective_from <= day:
            current = terms
    return current


def person_annual_cost(salary_pence: Decimal, on_cost_bp: int, terms: OnCostTerms | None) -> Decimal:
    """A year of one person's pay with on-costs: the flat percentage, or NI on pay above the
    threshold plus pension on all of it (so a half-time post pays proportionally less NI)."""
    if terms is None:
        return salary_pence * (1 + Decimal(on_cost_bp) / 10000)
    ni = max(Decimal(0), salary_pence - terms.ni_threshold_pence) * terms.ni_rate_bp / 10000
    return salary_pence + ni + terms.pensionable(salary_pence) * terms.pension_rate_bp / 10000


def on_cost_applied(point: PayPoint, terms: OnCostTerms | None) -> str:
    """The on-costs pricing applies to a pay point, in words: the grade's flat percentage, or
    what the statutory rule comes to for one full-time person at the mid-point."""
    if terms is None:
        return f"{Decimal(point.on_cost_bp) / 100:.1f}%"
    mid = Decimal(point.mid_pence)
    effective = (person_annual_cost(mid, point.on_cost_bp, terms) / mid - 1) * 100 if mid else Decimal(0)
    return (f"{effective:.1f}% full time at the mid-point: employer NI {Decimal(terms.ni_rate_bp) / 100:g}% "
            f"above £{terms.ni_threshold_pence / 100:,.0f} a year, pension {Decimal(terms.pension_rate_bp) / 100:g}%")


def point_on(points: Sequence[Rate | PayPoint], day: date) -> Rate | PayPoint | None:
    """The latest point effective by ``day`` (points sorted by date)."""
    current = None
    for point in points:
        if point.effective_from <= day:
            current = point
    return current


def _segments(points, start: date, end: date, rules: Rules = ()):
    """Split [start, end] where a pay point, an on-cost rule or a financial year changes."""
    cuts = {point.effective_from for point in points if start < point.effective_from <= end}
    cuts |= {effective_from for effective_from, _ in rules if start < effective_from <= end}
    year = financial_year_of(start)
    while (following := contract_year_starting(year + 1)[0]) <= end:
        cuts.add(following)
        year += 1
    bounds = [start, *sorted(cuts)]
    for index, seg_start in enumerate(bounds):
        seg_end = bounds[index + 1] - timedelta(days=1) if index + 1 < len(bounds) else end
        yield seg_start, seg_end


def salaried_cost(points: Sequence[Rate | PayPoint], fte: Decimal, start: date, end: date,
                  rules: Rules = ()) -> Decimal:
    """Cost of one person's ``fte`` at the mid-point over [start, end] with on-costs, pro rata by days.

    Each day is priced at the pay point and on-cost rule in force that day, so a pay award
    or a change in National Insurance changes costs only from its date.
    """
    if not points or end < start or not fte:
        return Decimal(0)
    total = Decimal(0)
    for seg_start, seg_end in _segments(points, start, end, rules):
        point = point_on(points, seg_start)
        if point is None:
            continue
        days = Decimal((seg_end - seg_start).days + 1)
        share = days / days_in_financial_year(financial_year_of(seg_start))
        annual = person_annual_cost(Decimal(point.mid_pence) * fte, point.on_cost_bp, terms_on(rules, seg_start))
        total += annual * share
    return total


def contract_cost(contract: Contract, start: date, end: date, *, left_on: date | None = None,
                  points: Sequence[Rate | PayPoint] | None = None, rules: Rules | None = None) -> Decimal:
    """A salaried contract's cost over a period, clipped to its dates and the person's leaving.

    ``points`` overrides the grade's pay points and ``rules`` the provider's on-cost rules
    (to price at today's terms, or at the budget's).
    """
    grade = contract.post.grade
    if contract.is_sessional or grade is None:
        return Decimal(0)
    first = max(start, contract.starts_on)
    last = min(d for d in (end, contract.ends_on, left_on) if d is not None)
    fte = fte_of_weekly_hours(contract.weekly_hours)
    if rules is None:
        rules = on_cost_rules(contract.post.provider_id)
    if points is None:
        points = (placed_rates(grade, contract.placements, contract.post.provider.increment_on, first, last)
                  if is_placed(contract) else grade.pay_points)
    return salaried_cost(points, fte, first, last, rules)


def salary_at(grade: Grade, placements: Sequence[PointPlacement], increment_on: str, *, point_day: date,
              price_day: date) -> int | None:
    """A year's pay at the point a person is on on ``point_day``, at the amounts in force on
    ``price_day`` (today's, or the budget's); None if they are not placed then."""
    point = person_point_on(grade, placements, point_day, increment_on)
    amounts = grade.points_on(price_day) or grade.points_on(point_day)
    if point is None or not amounts:
        return None
    below = [p for p in amounts if p <= point]
    return amounts[max(below)] if below else amounts[min(amounts)]


def placed_rates(grade: Grade, placements: Sequence[PointPlacement], increment_on: str, start: date,
                 end: date) -> list[Rate]:
    """A placed person's pay on a grade over [start, end] as dated rates: their point's amount
    (with increments and awards) from each day it changes, with the grade's flat on-cost; the
    grade's mid-point on any day before they were placed."""
    rates = []
    for day in sorted({start} | change_days(grade, placements, start, end, increment_on)):
        flat = grade.pay_point_on(day)
        salary = salary_at(grade, placements, increment_on, point_day=day, price_day=day)
        if salary is None and flat is not None:
            salary = flat.mid_pence
        if salary is not None:
            rates.append(Rate(day, salary, flat.on_cost_bp if flat else 0))
    return rates


def frozen_rules(rules: Rules, on: date) -> Rules:
    """The on-cost rule in force on ``on``, applied throughout."""
    return [(date.min, terms_on(rules, on))]


def frozen_terms(contract: Contract, today: date, from_day: date) -> list[Rate]:
    """The contract's pay in force today (the grade's mid-point, or the holder's point at today's
    amounts), applied from ``from_day`` on."""
    grade = contract.post.grade
    point = grade.pay_point_on(today) or grade.pay_point_on(from_day) if grade else None
    salary = salary_at(grade, contract.placements, contract.post.provider.increment_on, point_day=from_day,
                       price_day=today) if grade is not None and is_placed(contract) else None
    if point is None and salary is None:
        return []
    if salary is None:
        return [Rate(min(from_day, point.effective_from), point.mid_pence, point.on_cost_bp)]
    return [Rate(from_day, salary, point.on_cost_bp if point else 0)]


def hourly_rate(point: PayPoint) -> Decimal:
    """A sessional hour's cost before on-costs: annual / 52.143 / 37."""
    return Decimal(point.mid_pence) / WEEKS_IN_A_YEAR / FULL_TIME_HOURS


def sessional_cost(minutes: int, point: PayPoint | None, terms: OnCostTerms | None = None, *,
                   rate: HourlyRate | None = None) -> Decimal:
    """A month's approved sessional hours for one person x the grade's hourly rate (its own rate
    where it has one, else annual mid-point / 52.143 / 37), with on-costs: the flat percentage, or
    NI above a month's share of the threshold (payroll applies it per monthly pay period) plus
    pension."""
    if (point is None and rate is None) or not minutes:
        return Decimal(0)
    pay = Decimal(minutes) / 60 * (Decimal(rate.pence_per_hour) if rate is not None else hourly_rate(point))
    if terms is None:
        return pay * (1 + (point.on_cost_rate if point is not None else 0))
    ni = max(Decimal(0), pay - Decimal(terms.ni_threshold_pence) / 12) * terms.ni_rate_bp / 10000
    return pay + ni + terms.pensionable(pay, 12) * terms.pension_rate_bp / 10000


def sessional_cost_on(minutes: int, grade: Grade, day: date, terms: OnCostTerms | None) -> Decimal:
    """Sessional minutes on a grade, priced at the rate and on-costs in force on ``day``."""
    return sessional_cost(minutes, grade.pay_point_on(day), terms, rate=grade.hourly_rate_on(day))


def on_cost_rules(provider_id: int | None):
    """The provider's on-cost rules, oldest first, as (from, terms or None for flat): its own
    where it has any, otherwise the council's. Asked once per provider per request."""
    cache = g.setdefault("_on_cost_rules", {})
    if provider_id not in cache:
        cache[provider_id] = on_cost_rules_uncached(db.session, provider_id)
    return cache[provider_id]


def remember_on_cost_rules(provider_ids) -> None:
    """Read the rules of all these providers at once, for ``on_cost_rules`` to give this request
    (a page pricing every provider's posts asks one question, not one per provider)."""
    cache = g.setdefault("_on_cost_rules", {})
    missing = set(provider_ids) - set(cache)
    if missing:
        cache.update(on_cost_rules_of(db.session, missing))


def on_cost_rules_uncached(session, provider_id: int | None):
    """The provider's on-cost rules read afresh (as the ledger does, mid-transaction)."""
    return on_cost_rules_of(session, [provider_id])[provider_id]


def on_cost_rules_of(session, provider_ids) -> dict:
    """Each provider's on-cost rules read afresh, in one query however many providers."""
    provider_ids = set(provider_ids)
    own = {pid for pid in provider_ids if pid is not None}
    condition = OnCostRule.provider_id.is_(None)
    for start in range(0, len(own), 1000):
        condition |= OnCostRule.provider_id.in_(sorted(own)[start:start + 1000])
    rows = session.scalars(select(OnCostRule).where(condition).order_by(OnCostRule.effective_from)).all()
    council = [r for r in rows if r.provider_id is None]
    theirs: dict[int, list[OnCostRule]] = {}
    for rule in rows:
        if rule.provider_id is not None:
            theirs.setdefault(rule.provider_id, []).append(rule)
    return {pid: [(r.effective_from, _terms(r) if r.method == "statutory" else None)
                  for r in theirs.get(pid) or council] for pid in provider_ids}


def _terms(rule: OnCostRule) -> OnCostTerms:
    defaults = OnCostTerms(rule.effective_from, 0, 0, 0)
    return OnCostTerms(rule.effective_from, rule.ni_rate_bp, rule.ni_threshold_pence, rule.pension_rate_bp,
                       rule.pension_basis or ALL_PAY,
                       rule.qualifying_lower_pence or defaults.qualifying_lower_pence,
                       rule.qualifying_upper_pence or defaults.qualifying_upper_pence,
                       rule.enrolment_trigger_pence or defaults.enrolment_trigger_pence)


def forget_on_cost_rules() -> None:
    g.pop("_on_cost_rules", None)
