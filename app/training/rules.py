"""Training expiry rules, with "today" passed in."""

import calendar
from datetime import date, timedelta

EXPIRING_WITHIN_DAYS = 60


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_date(completed_on: date, validity_months: int | None) -> date | None:
    """The day a record stops being current; None if the course never expires."""
    return add_months(completed_on, validity_months) if validity_months else None


def training_status(expires_on: date | None, today: date) -> str:
    """'expired' from the expiry day, 'expiring' within 60 days of it, else 'current'."""
    if expires_on is None:
        return "current"
    if expires_on <= today:
        return "expired"
    if expires_on <= today + timedelta(days=EXPIRING_WITHIN_DAYS):
        return "expiring"
    return "current"
