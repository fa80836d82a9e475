"""Monthly pay periods as payroll works them, each example written out by hand in pence.

Employer NI is 15% above £5,000 a year (2025/26 and 2026/27): a monthly threshold of £416.67.
"""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.establishment.payroll import (
    QUALIFYING,
    WORKING_DAYS,
    PayrollTerms,
    after_employment_allowance,
    employer_ni,
    month_share,
    monthly_salary,
    salaried_month,
    sessional_month,
)
from app.periods import month_end

NI_ONLY = PayrollTerms(ni_rate_bp=1500, ni_threshold_pence=500_000)
MONTHLY_THRESHOLD = 500_000 / 12  # 41,666.67 pence


def test_a_full_month_is_a_twelfth():
    assert monthly_salary(2_400_000, date(2027, 2, 1), date(2026, 4, 1), date(2027, 3, 31)) == 200_000


def test_a_starter_on_15_january_with_the_full_threshold_in_their_part_month():
    """£24,000 a year from 15 January: 2,000.00 x 17/31 = 1,096.77. Employer NI on it against the
    whole month's threshold: (1,096.77 - 416.67) x 15% = 102.02 (not the 17/31 share of it)."""
    month = salaried_month(2_400_000, date(2027, 1, 1), date(2027, 1, 15), date(2027, 3, 31), NI_ONLY)
    assert month.pay == 109_677
    assert month.employer_ni == round((109_677 - MONTHLY_THRESHOLD) * 0.15) == 10_202
    assert month.employer_ni != round((109_677 - MONTHLY_THRESHOLD * 17 / 31) * 0.15)


def test_a_leaver_on_20_august_by_calendar_days_and_by_working_days():
    """£24,000 a year, last day 20 August 2026: 2,000.00 x 20/31 = 1,290.32 by calendar days.
    August 2026 has 21 working days (it starts on a Saturday) and the leaver worked 14 of them:
    2,000.00 x 14/21 = 1,333.33."""
    assert salaried_month(2_400_000, date(2026, 8, 1), date(2026, 4, 1), date(2026, 8, 20), NI_ONLY).pay == 129_032
    by_working_days = PayrollTerms(proration=WORKING_DAYS)
    assert salaried_month(2_400_000, date(2026, 8, 1), date(2026, 4, 1), date(2026, 8, 20),
                          by_working_days).pay == 133_333


def test_a_sessional_month_with_holiday_pay():
    """30 hours at £13.50 = 405.00; holiday pay 12.07% = 48.88; employer NI on 453.88:
    (453.88 - 416.67) x 15% = 5.58. Below the £833.33 monthly trigger: not enrolled, no pension."""
    terms = PayrollTerms(pension_rate_bp=300)
    month = sessional_month(30 * 60, 1350, terms)
    assert (month.pay, month.holiday_pay, month.employer_ni, month.employer_pension) == (40_500, 4_888, 558, 0)
    assert month.total == 40_500 + 4_888 + 558


def test_pension_on_qualifying_earnings():
    """£2,000.00 a month with 3% on qualifying earnings: the lower limit is £6,240 a year, £520.00
    a month, so 3% of 1,480.00 = 44.40. On all pay it would be 60.00."""
    qualifying = PayrollTerms(pension_rate_bp=300, pension_basis=QUALIFYING)
    assert salaried_month(2_400_000, date(2027, 2, 1), date(2026, 4, 1), date(2027, 3, 31),
                          qualifying).employer_pension == 4_440
    assert salaried_month(2_400_000, date(2027, 2, 1), date(2026, 4, 1), date(2027, 3, 31),
                          PayrollTerms(pension_rate_bp=300)).employer_pension == 6_000


def test_qualifying_earnings_stop_at_the_upper_limit():
    """£60,000 a year is £5,000.00 a month; qualifying earnings are 4,189.17 - 520.00 = 3,669.17;
    3% of that is 110.08."""
    qualifying = PayrollTerms(pension_rate_bp=300, pension_basis=QUALIFYING)
    assert salaried_month(6_000_000, date(2027, 2, 1), date(2026, 4, 1), date(2027, 3, 31),
                          qualifying).employer_pension == 11_008


def test_someone_who_opted_out_has_no_employer_pension():
    terms = PayrollTerms(pension_rate_bp=2000)
    month = salaried_month(2_400_000, date(2027, 2, 1), date(2026, 4, 1), date(2027, 3, 31), terms, opted_out=True)
    assert month.employer_pension == 0 and month.employer_ni == employer_ni(200_000, terms)


def test_employment_allowance_used_up_in_month_three():
    """£1,000.00 of allowance against £400.00 of employer NI a month: April and May pay none,
    June pays 200.00 (the last 200.00 of the allowance used), July on pays it all."""
    assert after_employment_allowance([40_000, 40_000, 40_000, 40_000], 100_000) == [0, 0, 20_000, 40_000]
    assert after_employment_allowance([40_000, 40_000], 0) == [40_000, 40_000]


def test_a_year_of_twelfths_is_the_salary():
    months = [date(2026, m, 1) for m in range(4, 13)] + [date(2027, m, 1) for m in range(1, 4)]
    # 2,412,345 / 12 = 201,028.75, paid as 201,028.75 rounded to 201,029 each month.
    assert sum(monthly_salary(2_412_345, m, date(2026, 4, 1), date(2027, 3, 31)) for m in months) == 12 * 201_029


@given(st.lists(st.integers(min_value=0, max_value=500_000), min_size=1, max_size=12),
       st.integers(min_value=0, max_value=2_000_000))
def test_employment_allowance_is_used_from_the_first_month_and_never_more_than_the_ni(ni, allowance):
    after = after_employment_allowance(ni, allowance)
    assert sum(after) == max(0, sum(ni) - allowance)
    assert all(0 <= a <= b for a, b in zip(after, ni, strict=True))
    # Used in order: once a month pays NI again, every later month pays it all.
    first_paying = next((i for i, (a, b) in enumerate(zip(after, ni, strict=True)) if a), len(ni))
    assert after[first_paying + 1:] == ni[first_paying + 1:]


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=0, max_value=30),
       st.sampled_from(["calendar", "working"]))
def test_a_month_split_on_any_day_adds_up_to_the_whole_month(day, offset, proration):
    month = date(day.year, day.month, 1)
    split = min(month + timedelta(days=offset), month_end_of(month))
    whole = month_share(month, month, month_end_of(month), proration)
    if split == month:
        parts = month_share(month, month, month_end_of(month), proration)
    else:
        parts = (month_share(month, month, split - timedelta(days=1), proration)
                 + month_share(month, split, month_end_of(month), proration))
    assert whole == 1 and abs(parts - 1) < Decimal("1e-20")


def month_end_of(month: date) -> date:
    return month_end(month)
