"""Expense rules as plain functions: HMRC mileage, tax years, worker-status flags."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.periods import tax_year_of, tax_year_start  # noqa: F401  (tax_year_start: where callers find it)


def tax_year_end(day: date) -> date:
    return tax_year_of(day)[1]


@dataclass(frozen=True)
class Rate:
    pence_per_mile: int
    threshold_miles: int | None = None
    pence_after_threshold: int | None = None


def mileage_pence(miles: Decimal, rate: Rate, miles_so_far: Decimal = Decimal(0)) -> int:
    """Miles x the HMRC rate; a journey that crosses the threshold is split at it.

    ``miles_so_far`` is the person's business miles already claimed in the tax year.
    """
    miles, so_far = Decimal(miles), Decimal(miles_so_far)
    if rate.threshold_miles is None:
        amount = miles * rate.pence_per_mile
    else:
        at_full = max(Decimal(0), min(miles, rate.threshold_miles - so_far))
        amount = at_full * rate.pence_per_mile + (miles - at_full) * rate.pence_after_threshold
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def looks_like_flat_rate(amount_pence: int, *, has_receipt: bool, repeats: int) -> list[str]:
    """Reasons a volunteer's non-mileage line may be an allowance rather than a real cost."""
    reasons = []
    if repeats >= 3:
        reasons.append(f"The same amount has been claimed {repeats} times in the last 3 months")
    if not has_receipt and amount_pence >= 1000 and amount_pence % 500 == 0:
        reasons.append("A round amount with no receipt can look like a flat-rate allowance")
    return reasons


def over_monthly_limit(month_total_pence: int, limit_pence: int) -> str | None:
    if month_total_pence > limit_pence:
        return (f"Reimbursements this month come to £{month_total_pence / 100:,.2f}, over the "
                f"£{limit_pence / 100:,.0f} that prompts a check on volunteer status")
    return None
