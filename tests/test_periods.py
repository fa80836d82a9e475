"""Every date window comes from app/periods.py, asked of a day passed in; nothing else in the
code works one out, which this test checks by reading it."""

import re
from datetime import date
from pathlib import Path

import pytest

from app import periods

APP = Path(__file__).resolve().parents[1] / "app"
# Window arithmetic: a weekday offset, 6 or 7 (13, 14, 27, 28) days on a Monday, or 1 April,
# 6 April, 5 April or 31 March built from a year worked out at run time.
WINDOW_ARITHMETIC = [re.compile(p) for p in (
    r"\.weekday\(\)\s*[+-]", r"[+-]\s*[\w.]*weekday\(\)", r"timedelta\(days=[\w.]*weekday\(\)",
    r"timedelta\(days=(6|7|13|14|27|28)\)", r"date\([a-z_][^()]*,\s*(4,\s*[156]|3,\s*31)\)")]


def test_no_date_window_is_worked_out_outside_periods():
    found = [f"{path.relative_to(APP.parent)}:{number}: {line.strip()}"
             for path in sorted(APP.rglob("*.py")) if path.name != "periods.py"
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if any(pattern.search(line) for pattern in WINDOW_ARITHMETIC)]
    assert found == []


def test_the_check_finds_window_arithmetic_where_it_is_written():
    written = ["start = today - timedelta(days=today.weekday() + 7)", "end = start + timedelta(days=6)",
               "return date(day.year, 4, 6)", "first = date(year, 4, 1)"]
    assert all(any(p.search(line) for p in WINDOW_ARITHMETIC) for line in written)


@pytest.mark.parametrize(("today", "monday", "sunday"), [
    (date(2026, 11, 25), date(2026, 11, 16), date(2026, 11, 22)),  # a Wednesday
    (date(2026, 11, 23), date(2026, 11, 16), date(2026, 11, 22)),  # a Monday: last week, not this
    (date(2026, 11, 22), date(2026, 11, 9), date(2026, 11, 15)),  # a Sunday
    (date(2027, 1, 1), date(2026, 12, 21), date(2026, 12, 27)),  # across a year end
])
def test_last_week_is_asked_of_the_day_passed_in(today, monday, sunday):
    assert periods.last_week(today) == (monday, sunday)


@pytest.mark.parametrize(("day", "quarter"), [
    (date(2026, 4, 1), (date(2026, 4, 1), date(2026, 6, 30))),
    (date(2026, 3, 31), (date(2026, 1, 1), date(2026, 3, 31))),
    (date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
    (date(2026, 7, 1), (date(2026, 7, 1), date(2026, 9, 30))),
])
def test_financial_quarters(day, quarter):
    assert periods.quarter_of(day) == quarter
    assert periods.quarter_before(quarter[0])[1] == quarter[0].fromordinal(quarter[0].toordinal() - 1)


def test_years_turn_on_their_own_days():
    assert periods.contract_year_of(date(2026, 3, 31)) == (date(2025, 4, 1), date(2026, 3, 31))
    assert periods.contract_year_of(date(2026, 4, 1)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert periods.tax_year_of(date(2026, 4, 5)) == (date(2025, 4, 6), date(2026, 4, 5))
    assert periods.tax_year_of(date(2026, 4, 6)) == (date(2026, 4, 6), date(2027, 4, 5))
    assert periods.quarter_number(date(2027, 1, 1)) == 4 and periods.quarter_number(date(2026, 4, 1)) == 1


def test_whole_weeks_and_the_weeks_before():
    assert periods.whole_weeks(date(2026, 11, 4), date(2026, 11, 29)) == [
        date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    assert periods.weeks_before(date(2026, 11, 25), 4) == (date(2026, 10, 26), date(2026, 11, 22))
    assert periods.month_of(date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
