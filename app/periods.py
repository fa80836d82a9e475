"""Every date window Pathway uses, asked of a day passed in (never the clock, never at import):
a week (Monday to Sunday), last week, the four whole weeks before this one, a month, a financial
quarter, a contract year (1 April to 31 March) and a tax year (6 April to 5 April).

A test reads the rest of the code for window arithmetic (a weekday offset, 6 or 7 days on a
Monday, 1 April or 6 April built by hand) and fails where it finds any: this is its one home.
"""

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

Window = tuple[date, date]
DAYS_IN_WEEK = 7


def day_before(day: date) -> date:
    """The last day of whatever ends when something else starts on ``day``."""
    return day - timedelta(days=1)


def year_before(day: date) -> date:
    """The day a year (365 days) before ``day``: the start of a "last twelve months" window."""
    return day - timedelta(days=365)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def week_of(day: date) -> Window:
    """Monday to Sunday of ``day``'s week."""
    start = week_start(day)
    return start, start + timedelta(days=DAYS_IN_WEEK - 1)


def week_before(day: date) -> Window:
    """Monday to Sunday of the week before ``day``'s (with ``day`` today: last week)."""
    return week_of(week_start(day) - timedelta(days=DAYS_IN_WEEK))


def last_week(today: date) -> Window:
    return week_before(today)


def weeks_before(today: date, count: int) -> Window:
    """The ``count`` whole weeks before this week: from their first Monday to last Sunday."""
    start = week_start(today)
    return start - timedelta(days=DAYS_IN_WEEK * count), start - timedelta(days=1)


def following_week(day: date) -> date:
    """The Monday a week after ``day``'s Monday."""
    return week_start(day) + timedelta(days=DAYS_IN_WEEK)


def whole_weeks(start: date, end: date) -> list[date]:
    """The Mondays of the weeks lying wholly inside [start, end]."""
    first = start + timedelta(days=(DAYS_IN_WEEK - start.weekday()) % DAYS_IN_WEEK)
    mondays = []
    while first + timedelta(days=DAYS_IN_WEEK - 1) <= end:
        mondays.append(first)
        first += timedelta(days=DAYS_IN_WEEK)
    return mondays


def weeks_in_period(start: date, end: date) -> Decimal:
    """The weeks in [start, end] as a number, a part week in proportion: a quarter of 91 days is 13."""
    return Decimal((end - start).days + 1) / DAYS_IN_WEEK


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return date(day.year, day.month, monthrange(day.year, day.month)[1])


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from the one holding ``start`` to the one holding ``end``."""
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


@lru_cache(maxsize=4096)
def months_in(start: date, end: date) -> Decimal:
    """How many months [start, end] covers, a part month counted by its calendar days (1 to 15
    April is 0.5): a year's budget is spent a twelfth a month, as payroll pays it. Pure, and every
    provider's contract years are the same few windows, so each is worked out once a process."""
    total, first = Decimal(0), start
    while first <= end:
        last = min(month_end(first), end)
        total += Decimal((last - first).days + 1) / month_end(first).day
        first = last + timedelta(days=1)
    return total


def month_of(day: date) -> Window:
    return date(day.year, day.month, 1), month_end(day)


def contract_year_start(day: date) -> date:
    """The 1 April on or before ``day``: contract and financial years run 1 April to 31 March."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def contract_year_of(day: date) -> Window:
    start = contract_year_start(day)
    return start, date(start.year + 1, 3, 31)


def contract_year_starting(year: int) -> Window:
    """The contract year from 1 April ``year``."""
    return contract_year_of(date(year, 4, 1))


def quarter_of(day: date) -> Window:
    """The financial quarter holding ``day``: April to June, July to September, and so on."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    return start, month_end(date(day.year, first_month + 2, 1))


def quarter_before(start: date) -> Window:
    """The financial quarter before the one starting on ``start``."""
    return quarter_of(start - timedelta(days=1))


def quarter_number(start: date) -> int:
    """1 for April to June, up to 4 for January to March."""
    return (start.month - 4) % 12 // 3 + 1


def tax_year_start(day: date) -> date:
    """The 6 April on or before ``day``: the tax year runs 6 April to 5 April."""
    start = date(day.year, 4, 6)
    return start if day >= start else date(day.year - 1, 4, 6)


def tax_year_of(day: date) -> Window:
    start = tax_year_start(day)
    return start, date(start.year + 1, 4, 5)


def quick_picks(today: date) -> list[tuple[str, date, date]]:
    """The periods a return is usually asked for: the last four financial quarters and the last
    two contract years, as (label, first day, last day)."""
    picks = []
    start, end = quarter_of(today)
    for _ in range(4):
        year = contract_year_start(start).year
        picks.append((f"Q{quarter_number(start)} {year}/{(year + 1) % 100:02d}", start, end))
        start, end = quarter_before(start)
    first = contract_year_start(today).year
    for year in (first, first - 1):
        picks.append((f"Contract year {year}/{(year + 1) % 100:02d}", *contract_year_starting(year)))
    return picks
