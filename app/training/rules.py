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


# A DBS check with no next-check date is due this long after issue (charities commonly
# re-check every 3 years); DBS_RECHECK_MONTHS in the config changes it.
DBS_RECHECK_MONTHS = 36


def dbs_due_on(checked_on: date, renew_on: date | None, recheck_months: int = DBS_RECHECK_MONTHS) -> date:
    """When a DBS check must be renewed: its own next-check date, or the default interval."""
    return renew_on or add_months(checked_on, recheck_months)


def dbs_problem(check, *, paid_role: bool, barred_list_needed: bool, today: date,
                recheck_months: int = DBS_RECHECK_MONTHS) -> str | None:
    """Why ``check`` does not clear someone for a role, in plain words; None when it does.

    A volunteer's free check never covers paid work; regulated activity with children
    needs the children's barred list; an overdue check is overdue, whatever it was for.
    """
    if check is None:
        return "No enhanced DBS check recorded"
    due = dbs_due_on(check.checked_on, check.renew_on, recheck_months)
    if due <= today:
        return f"Re-check overdue since {due:%-d %B %Y}"
    if paid_role and not check.for_paid_role:
        return "A new check is needed: a volunteer's DBS check does not cover paid work"
    if barred_list_needed and not check.barred_list:
        return "A new check is needed: this one did not include the children's barred list"
    return None
