"""Read-side queries for hours: a person's week, the approval queue, reminders."""

from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from app.access import scope
from app.extensions import db
from app.models.establishment import Contract, VolunteerRole
from app.models.hours import Activity, HoursEntry, HoursStatus
from app.models.people import Person
from app.periods import last_week


def active_activities(provider_id: int | None) -> list[Activity]:
    """Activities people at a provider log against: the council-wide ones and the provider's own."""
    return list(db.session.scalars(
        select(Activity).where(Activity.is_active,
                               Activity.provider_id.is_(None) | (Activity.provider_id == provider_id))
        .order_by(Activity.sort_order, Activity.name)))


def entries_between(person_id: int, start: date, end: date, *, drafts: bool = True) -> list[HoursEntry]:
    return list(db.session.scalars(
        select(HoursEntry)
        .where(HoursEntry.person_id == person_id, HoursEntry.worked_on.between(start, end),
               *(() if drafts else (HoursEntry.status != HoursStatus.DRAFT,)))
        .options(joinedload(HoursEntry.activity), joinedload(HoursEntry.entered_by),
                 joinedload(HoursEntry.area))
        .order_by(HoursEntry.worked_on, HoursEntry.id)))


def minutes_by_status(person_id: int, start: date, end: date, *, drafts: bool = True) -> dict[HoursStatus, int]:
    rows = db.session.execute(
        select(HoursEntry.status, func.sum(HoursEntry.minutes))
        .where(HoursEntry.person_id == person_id, HoursEntry.worked_on.between(start, end),
               *(() if drafts else (HoursEntry.status != HoursStatus.DRAFT,)))
        .group_by(HoursEntry.status)).all()
    return {status: int(minutes) for status, minutes in rows}


def approval_queue(user, *, area_id: int | None = None):
    """Submitted entries for people the user approves for, oldest first."""
    query = (select(HoursEntry).join(Person, Person.id == HoursEntry.person_id)
             .where(HoursEntry.status == HoursStatus.SUBMITTED, scope("approve_hours", user))
             .options(joinedload(HoursEntry.person), joinedload(HoursEntry.activity),
                      joinedload(HoursEntry.area), joinedload(HoursEntry.corrects))
             .order_by(HoursEntry.worked_on, HoursEntry.id))
    if area_id is not None:
        query = query.where(Person.area_id == area_id)
    return query


def waiting_count(user, *, area_id: int | None = None) -> int:
    """How many entries wait for the user's approval."""
    query = approval_queue(user, area_id=area_id).order_by(None).with_only_columns(func.count(HoursEntry.id))
    return db.session.scalar(query)


def queue_people(user, *, area_id: int | None = None, page: int = 1, per_page: int = 20) -> tuple[list[int], int]:
    """One page of the people with hours waiting for the user, whoever has waited longest first,
    and how many people there are in all: the queue pages by person, in SQL."""
    waiting = approval_queue(user, area_id=area_id).order_by(None).with_only_columns(
        HoursEntry.person_id, HoursEntry.worked_on).subquery()
    grouped = (select(waiting.c.person_id, func.min(waiting.c.worked_on).label("oldest"))
               .group_by(waiting.c.person_id)).subquery()
    total = db.session.scalar(select(func.count()).select_from(grouped))
    ids = list(db.session.scalars(select(grouped.c.person_id).order_by(grouped.c.oldest, grouped.c.person_id)
                                  .limit(per_page).offset((max(page, 1) - 1) * per_page)))
    return ids, total


def people_in_scope(user, *, area_id: int, on: date) -> list[Person]:
    """People active on a day in an area, that the user may see, by name."""
    return list(db.session.scalars(
        select(Person).where(scope("record_register", user), Person.area_id == area_id, Person.joined_on <= on,
                             or_(Person.left_on.is_(None), Person.left_on >= on))
        .order_by(Person.last_name, Person.first_name)))


def quiet_last_week(user, *, today: date, area_id: int | None = None) -> tuple[date, date, list[Person]]:
    """People with a current contract or volunteer role who submitted nothing for last week."""
    return quiet_people(scope("remind", user), today=today, area_id=area_id)


def quiet_people(condition, *, today: date, area_id: int | None = None) -> tuple[date, date, list[Person]]:
    """The same, within a SQL condition on Person (a user's scope, or everyone for the weekly run)."""
    start, end = last_week(today)
    has_role = or_(*(exists().where(held.person_id == Person.id, held.starts_on <= end,
                                    or_(held.ends_on.is_(None), held.ends_on >= start))
                     for held in (Contract, VolunteerRole)))
    logged = exists().where(
        HoursEntry.person_id == Person.id, HoursEntry.worked_on.between(start, end),
        HoursEntry.status.in_([HoursStatus.SUBMITTED, HoursStatus.APPROVED]))
    query = (select(Person).where(condition, has_role, ~logged,
                                  or_(Person.left_on.is_(None), Person.left_on >= start))
             .options(joinedload(Person.area)).order_by(Person.area_id, Person.last_name))
    if area_id is not None:
        query = query.where(Person.area_id == area_id)
    return start, end, list(db.session.scalars(query))


def corrections_of(entry_id: int) -> list[HoursEntry]:
    return list(db.session.scalars(
        select(HoursEntry).where(HoursEntry.corrects_id == entry_id)
        .options(joinedload(HoursEntry.entered_by)).order_by(HoursEntry.id)))


