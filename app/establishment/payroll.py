"""Monthly pay periods worked out as payroll works them, for one person and one month.

- A salary is paid a twelfth a month. A part month (starting, leaving) is prorated by calendar
  days in the month, or by working days (Monday to Friday) where the provider's payroll does
  that.
- Sessional pay is the month's approved hours at the hourly rate, plus holiday pay accrued on
  it (12.07% of pay by default: 5.6 weeks' leave over the 46.4 weeks worked).
- Employer National Insurance is worked per person per pay period against the period's
  threshold, a twelfth of the year's, in full even in a part month, as HMRC's monthly tables do.
- Employer pension is a percentage of all pay, or of qualifying earnings (pay between the
  band's lower and upper limits for the period), and only for people enrolled: those whose pay
  passes the auto-enrolment trigger for the period, unless they have opted out.
- Employment Allowance reduces a provider's employer NI from the first month of the tax year
  until it is used up.

Money is Decimal pence until each figure of a period is rounded to the penny, as a payslip is.
"""

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

ALL_PAY, QUALIFYING = "all", "qualifying"
CALENDAR_DAYS, WORKING_DAYS = "calendar", "working"


def penny(value: Decimal) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class PayrollTerms:
    """The statutory figures and the provider's choices for a pay period, a year's amounts in pence."""

    ni_rate_bp: int = 1500
    ni_threshold_pence: int = 500_000
    pension_rate_bp: int = 0
    pension_basis: str = ALL_PAY
    qualifying_lower_pence: int = 624_000
    qualifying_upper_pence: int = 5_027_000
    enrolment_trigger_pence: int = 1_000_000
    proration: str = CALENDAR_DAYS
    holiday_accrual_bp: int = 1207


@dataclass(frozen=True)
class MonthCost:
    """One person's pay period, each figure in pence as payroll rounds it."""

    pay: int
    holiday_pay: int
    employer_ni: int
    employer_pension: int

    @property
    def total(self) -> int:
        return self.pay + self.holiday_pay + self.employer_ni + self.employer_pension


def _working_days(first: date, last: date) -> int:
    return sum(1 for n in range((last - first).days + 1) if (first + timedelta(days=n)).weekday() < 5)


def month_share(month: date, first: date, last: date, proration: str = CALENDAR_DAYS) -> Decimal:
    """The share of a month's salary for employment from ``first`` to ``last`` within it."""
    start, end = date(month.year, month.month, 1), date(month.year, month.month, monthrange(month.year,
                                                                                            month.month)[1])
    first, last = max(first, start), min(last, end)
    if last < first:
        return Decimal(0)
    if (first, last) == (start, end):
        return Decimal(1)
    if proration == WORKING_DAYS:
        return Decimal(_working_days(first, last)) / _working_days(start, end)
    return Decimal((last - first).days + 1) / ((end - start).days + 1)


def monthly_salary(annual_pence: int | Decimal, month: date, first: date, last: date,
                   proration: str = CALENDAR_DAYS) -> int:
    """A twelfth of a year's salary, prorated for a part month, to the penny."""
    return penny(Decimal(annual_pence) / 12 * month_share(month, first, last, proration))


def employer_ni(pay_pence: int, terms: PayrollTerms) -> int:
    """Employer NI on a month's pay above the monthly threshold (a twelfth of the year's, in full
    even in a part month)."""
    above = Decimal(pay_pence) - Decimal(terms.ni_threshold_pence) / 12
    return penny(max(Decimal(0), above) * terms.ni_rate_bp / 10000)


def is_enrolled(pay_pence: int, terms: PayrollTerms, *, opted_out: bool) -> bool:
    """Enrolled in the pension for the period: pay passes the period's auto-enrolment trigger,
    and the person has not opted out."""
    return not opted_out and Decimal(pay_pence) > Decimal(terms.enrolment_trigger_pence) / 12


def employer_pension(pay_pence: int, terms: PayrollTerms, *, enrolled: bool) -> int:
    """Employer pension for an enrolled person: a percentage of all pay, or of qualifying earnings
    (pay between the period's lower and upper limits)."""
    if not enrolled or not terms.pension_rate_bp:
        return 0
    if terms.pension_basis == QUALIFYING:
        lower, upper = Decimal(terms.qualifying_lower_pence) / 12, Decimal(terms.qualifying_upper_pence) / 12
        base = max(Decimal(0), min(Decimal(pay_pence), upper) - lower)
    else:
        base = Decimal(pay_pence)
    return penny(base * terms.pension_rate_bp / 10000)


def salaried_month(annual_pence: int | Decimal, month: date, first: date, last: date, terms: PayrollTerms, *,
                   opted_out: bool = False) -> MonthCost:
    """A salaried person's pay period: the month's salary (prorated for a part month), employer NI
    and pension on it."""
    pay = monthly_salary(annual_pence, month, first, last, terms.proration)
    return MonthCost(pay, 0, employer_ni(pay, terms),
                     employer_pension(pay, terms, enrolled=is_enrolled(pay, terms, opted_out=opted_out)))


def sessional_pay(minutes: int, pence_per_hour: int | Decimal, holiday_accrual_bp: int) -> tuple[int, int]:
    """A month's approved hours at the rate, and the holiday pay accrued on it, to the penny."""
    pay = penny(Decimal(minutes) / 60 * Decimal(pence_per_hour))
    return pay, penny(Decimal(pay) * holiday_accrual_bp / 10000)


def sessional_month(minutes: int, pence_per_hour: int | Decimal, terms: PayrollTerms, *,
                    opted_out: bool = False) -> MonthCost:
    """A sessional person's pay period: approved hours at the rate, holiday pay accrued on it,
    and employer NI and pension on the two together."""
    pay, holiday = sessional_pay(minutes, pence_per_hour, terms.holiday_accrual_bp)
    gross = pay + holiday
    return MonthCost(pay, holiday, employer_ni(gross, terms),
                     employer_pension(gross, terms, enrolled=is_enrolled(gross, terms, opted_out=opted_out)))


def after_employment_allowance(ni_by_month: Sequence[int], allowance_pence: int) -> list[int]:
    """A tax year's employer NI month by month, in order from April, after Employment Allowance:
    each month's NI is set against what is left of the allowance until it is used up."""
    left, after = allowance_pence, []
    for ni in ni_by_month:
        used = min(left, ni)
        left -= used
        after.append(ni - used)
    return after
