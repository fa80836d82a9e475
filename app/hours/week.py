"""A week at a time: one form with a row a day (or last week's copied, then adjusted), sent
for approval together. All or nothing: a day with a problem sends nothing, and says which day."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.extensions import db
from app.formatting import hours as hours_text
from app.models.hours import Activity, HoursEntry, HoursStatus
from app.periods import week_before

from .rules import minutes_from_hours
from .services import HoursError, log_hours


@dataclass
class Day:
    on: date
    hours: str = ""
    activity_id: str = ""
    note: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.on.isoformat()

    @property
    def label(self) -> str:
        return f"{self.on:%A %-d %B}"


def blank_week(start: date) -> list[Day]:
    return [Day(start + timedelta(days=n)) for n in range(7)]


def copied_from_last_week(person_id: int, start: date) -> list[Day]:
    """This week's rows filled from last week's hours (not what was sent back), day for day."""
    week = blank_week(start)
    entries = db.session.scalars(select(HoursEntry).where(
        HoursEntry.person_id == person_id, HoursEntry.worked_on.between(*week_before(start)),
        HoursEntry.status.in_((HoursStatus.SUBMITTED, HoursStatus.APPROVED, HoursStatus.DRAFT)),
        HoursEntry.corrects_id.is_(None)).order_by(HoursEntry.worked_on, HoursEntry.id))
    for entry in entries:
        day = week[(entry.worked_on - week_before(start)[0]).days]
        minutes = round(float(day.hours or 0) * 60) + entry.minutes
        day.hours = hours_text(minutes)
        day.activity_id = day.activity_id or str(entry.activity_id)
        day.note = day.note or (entry.note or "")
    return week


def read_week(start: date, form) -> list[Day]:
    return [Day(day.on, hours=(form.get(f"hours-{day.key}") or "").strip(),
                activity_id=(form.get(f"activity-{day.key}") or "").strip(),
                note=(form.get(f"note-{day.key}") or "").strip()[:500])
            for day in blank_week(start)]


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _minutes(text: str) -> int | None:
    number = _number(text)
    return None if number is None else minutes_from_hours(number)


def _hours_problem(text: str) -> str | None:
    """What is wrong with a day's hours as typed, in the rule's own words; None if nothing."""
    if not text:
        return "enter the hours, or leave the day empty"
    number = _number(text)
    if number is None:
        return "enter the hours as a number, like 2.5"
    if not 0 < number <= 24:
        return "hours must be more than 0 and no more than 24 a day"
    return None


def save_week(person, week: list[Day], *, activities: dict[int, Activity], actor, today: date, now) -> int:
    """Send every filled day for approval. Returns how many days were sent.

    :raises HoursError: naming each day with a problem (nothing is saved then).
    """
    filled = [day for day in week if day.hours or day.activity_id or day.note]
    if not filled:
        raise HoursError({f"hours-{week[0].key}": "Enter the hours for at least one day"})
    for day in filled:
        if problem := _hours_problem(day.hours):
            day.errors["hours"] = f"{day.label}: {problem}"
        if not day.activity_id.isdigit() or int(day.activity_id) not in activities:
            day.errors["activity"] = f"{day.label}: select what you did"
    if not any(day.errors for day in filled):
        for day in filled:
            try:
                log_hours(person, worked_on=day.on, minutes=_minutes(day.hours),
                          activity=activities[int(day.activity_id)], area_id=person.area_id, note=day.note,
                          actor=actor, today=today, submit=True, now=now)
            except HoursError as error:
                day.errors["hours"] = f"{day.label}: {next(iter(error.problems.values()))}"
    problems = {f"{name}-{day.key}": message for day in filled for name, message in day.errors.items()}
    if problems:
        raise HoursError(problems)
    return len(filled)
