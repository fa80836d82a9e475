"""The hours and FTE rules, as plain functions with "today" passed in."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.models.establishment import FULL_TIME_HOURS
from app.models.hours import MINUTES_IN_A_DAY
from app.periods import week_start  # noqa: F401  (where callers find it)

HOURS_RULE = "Hours must be more than 0 and no more than 24 a day"


def weeks_in(start: date, end: date) -> Decimal:
    """Weeks in an inclusive period, as a decimal (a month is about 4.35)."""
    return Decimal((end - start).days + 1) / 7


def fte_of_minutes(minutes: int, start: date, end: date) -> Decimal:
    """FTE used in a period, unrounded: hours worked / (37 x weeks in the period). The one
    formula: the budget's FTE report rounds it for the page, the return adds it up by group
    (so its groups add up to its total) and rounds the figures it shows."""
    return Decimal(minutes) / 60 / (FULL_TIME_HOURS * weeks_in(start, end))


def fte_used(minutes: int, start: date, end: date) -> Decimal:
    """Actual FTE used in a period, to three places."""
    return fte_of_minutes(minutes, start, end).quantize(Decimal("0.001"))


def entry_problems(*, worked_on: date | None, minutes: int | None, today: date, joined_on: date,
                   left_on: date | None, minutes_already_that_day: int) -> dict[str, str]:
    """What is wrong with a new or changed entry, by form field; empty if nothing."""
    problems = {}
    if worked_on is not None:
        if worked_on > today:
            problems["worked_on"] = "The date you worked must be today or in the past"
        elif worked_on < joined_on:
            problems["worked_on"] = (
                f"The date must be on or after the day they joined ({joined_on:%-d %B %Y})")
        elif left_on is not None and worked_on > left_on:
            problems["worked_on"] = (
                f"The date must be on or before the day they left ({left_on:%-d %B %Y})")
    if minutes is not None:
        if minutes <= 0:
            problems["hours"] = HOURS_RULE
        elif minutes_already_that_day + minutes > MINUTES_IN_A_DAY:
            left = max(MINUTES_IN_A_DAY - minutes_already_that_day, 0) / 60
            problems["hours"] = (
                f"That would be more than 24 hours on one day. You can add up to {left:g} more")
    return problems


def minutes_from_hours(hours) -> int | None:
    """Whole minutes for a decimal number of hours, to the nearest minute (7.4 hours is 7 hours
    24 minutes, the day of a 37-hour week), or None if it is not a number."""
    try:
        hours = Decimal(str(hours).strip().replace(",", "."))
    except ArithmeticError:
        return None
    if not hours.is_finite() or abs(hours) > 1_000_000:  # a typing slip like 1e308, not a day's hours
        return None
    return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def recorded_minutes(minutes: int, *, to_quarter_hours: bool) -> int:
    """The minutes kept for time worked: as entered, or to the nearest quarter hour where the
    provider rounds that way (time worked never rounds away to nothing)."""
    if not to_quarter_hours or minutes == 0:
        return minutes
    rounded = max(15, (abs(minutes) + 7) // 15 * 15)
    return rounded if minutes > 0 else -rounded


def minutes_between(start: str, end: str) -> int:
    """Minutes from a start time to an end time (HH:MM), crossing midnight if need be."""
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    return ((eh * 60 + em) - (sh * 60 + sm)) % MINUTES_IN_A_DAY
