from datetime import date
from decimal import Decimal

import pytest

from app.expenses.rules import (
    Rate,
    looks_like_flat_rate,
    mileage_pence,
    over_monthly_limit,
    tax_year_end,
    tax_year_start,
)

CAR = Rate(45, 10_000, 25)


@pytest.mark.parametrize("miles,so_far,pence", [
    (Decimal("20"), Decimal("0"), 900),
    (Decimal("20"), Decimal("9990"), 10 * 45 + 10 * 25),  # split at the threshold
    (Decimal("20"), Decimal("10000"), 500),
    (Decimal("20"), Decimal("12000"), 500),
    (Decimal("12.5"), Decimal("9995.5"), 403),  # 4.5 x 45 + 8 x 25 = 402.5 -> 403
])
def test_car_mileage_across_the_10000_mile_threshold(miles, so_far, pence):
    assert mileage_pence(miles, CAR, so_far) == pence


@pytest.mark.parametrize("rate,pence", [(Rate(24), 240), (Rate(20), 200), (Rate(5), 50)])
def test_other_vehicles_have_one_rate(rate, pence):
    assert mileage_pence(Decimal(10), rate, Decimal(50_000)) == pence


@pytest.mark.parametrize("day,start,end", [
    (date(2026, 4, 5), date(2025, 4, 6), date(2026, 4, 5)),
    (date(2026, 4, 6), date(2026, 4, 6), date(2027, 4, 5)),
    (date(2027, 1, 1), date(2026, 4, 6), date(2027, 4, 5)),
])
def test_tax_year_runs_6_april_to_5_april(day, start, end):
    assert (tax_year_start(day), tax_year_end(day)) == (start, end)


def test_flat_rate_warnings():
    assert looks_like_flat_rate(1000, has_receipt=False, repeats=1) == [
        "A round amount with no receipt can look like a flat-rate allowance"]
    assert looks_like_flat_rate(1000, has_receipt=True, repeats=1) == []
    assert looks_like_flat_rate(437, has_receipt=True, repeats=3) == [
        "The same amount has been claimed 3 times in the last 3 months"]
    assert over_monthly_limit(15_001, 15_000).startswith("Reimbursements this month come to £150.01")
    assert over_monthly_limit(15_000, 15_000) is None
