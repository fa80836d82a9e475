"""Pay cost rules: contracts pro rata by days across pay awards, sessional hours.

Money is in pence, as Decimal until the final rounding.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.establishment.models import FULL_TIME_HOURS, Contract, PayPoint, fte_of_weekly_hours

WEEKS_IN_A_YEAR = Decimal("52.143")


def financial_year_of(day: date) -> int:
    return day.year if day >= date(day.year, 4, 1) else day.year - 1


def days_in_financial_year(year: int) -> int:
    return (date(year + 1, 4, 1) - date(year, 4, 1)).days


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


def point_on(points: Sequence[Rate | PayPoint], day: date) -> Rate | PayPoint | None:
    """The latest point effective by ``day`` (points sorted by date)."""
    current = None
    for point in points:
        if point.effective_from <= day:
            current = point
    return current


def _segments(points, start: date, end: date):
    """Split [start, end] where a pay point or a financial year changes."""
    cuts = {point.effective_from for point in points if start < point.effective_from <= end}
    year = financial_year_of(start)
    while date(year + 1, 4, 1) <= end:
        cuts.add(date(year + 1, 4, 1))
        year += 1
    bounds = [start, *sorted(cuts)]
    for index, seg_start in enumerate(bounds):
        seg_end = bounds[index + 1] - timedelta(days=1) if index + 1 < len(bounds) else end
        yield seg_start, seg_end


def salaried_cost(points: Sequence[Rate | PayPoint], fte: Decimal, start: date, end: date) -> Decimal:
    """Cost of ``fte`` at the mid-point over [start, end] with on-costs, pro rata by days.

    Each day is priced at the pay point in force that day, so a pay award
    changes costs only from its date.
    """
    if not points or end < start or not fte:
        return Decimal(0)
    total = Decimal(0)
    for seg_start, seg_end in _segments(points, start, end):
        point = point_on(points, seg_start)
        if point is None:
            continue
        days = Decimal((seg_end - seg_start).days + 1)
        share = days / days_in_financial_year(financial_year_of(seg_start))
        total += Decimal(point.mid_pence) * fte * (1 + point.on_cost_rate) * share
    return total


def contract_cost(contract: Contract, start: date, end: date, *, left_on: date | None = None,
                  points: Sequence[Rate | PayPoint] | None = None) -> Decimal:
    """A salaried contract's cost over a period, clipped to its dates and the person's leaving.

    ``points`` overrides the grade's pay points (to price at today's terms).
    """
    grade = contract.post.grade
    if contract.is_sessional or grade is None:
        return Decimal(0)
    first = max(start, contract.starts_on)
    last = min(d for d in (end, contract.ends_on, left_on) if d is not None)
    fte = fte_of_weekly_hours(contract.weekly_hours)
    return salaried_cost(grade.pay_points if points is None else points, fte, first, last)


def frozen_terms(contract: Contract, today: date, from_day: date) -> list[Rate]:
    """The contract's pay point in force today, applied from ``from_day`` on."""
    grade = contract.post.grade
    point = grade.pay_point_on(today) or grade.pay_point_on(from_day) if grade else None
    if point is None:
        return []
    return [Rate(min(from_day, point.effective_from), point.mid_pence, point.on_cost_bp)]


def hourly_rate(point: PayPoint) -> Decimal:
    """A sessional hour's cost before on-costs: annual / 52.143 / 37."""
    return Decimal(point.mid_pence) / WEEKS_IN_A_YEAR / FULL_TIME_HOURS


def sessional_cost(minutes: int, point: PayPoint | None) -> Decimal:
    """Approved sessional hours x the grade's hourly rate x (1 + on-costs)."""
    if point is None or not minutes:
        return Decimal(0)
    return Decimal(minutes) / 60 * hourly_rate(point) * (1 + point.on_cost_rate)
