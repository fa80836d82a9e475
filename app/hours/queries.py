"""Read-side queries for hours: a person's week, the approval queue, reminders."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from app import generation
from app.access import Named, scope
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


def _waiting(user, area_id: int | None):
    """Submitted entries for people the user approves for (joined to the person), in no order."""
    query = (select(HoursEntry).join(Person, Person.id == HoursEntry.person_id)
             .where(HoursEntry.status == HoursStatus.SUBMITTED, scope("approve_hours", user)))
    return query if area_id is None else query.where(Person.area_id == area_id)


def approval_queue(user, *, area_id: int | None = None):
    """Submitted entries for people the user approves for, oldest first: what approving acts on."""
    return (_waiting(user, area_id)
            .options(joinedload(HoursEntry.person), joinedload(HoursEntry.activity),
                     joinedload(HoursEntry.area), joinedload(HoursEntry.corrects))
            .order_by(HoursEntry.worked_on, HoursEntry.id))


@dataclass(frozen=True)
class WaitingEntry:
    """What the queue shows of one waiting entry, as plain values: the page reads them in one
    statement and builds no records for them."""

    id: int
    person_id: int
    person: Named
    worked_on: date
    minutes: int
    activity_name: str
    is_correction: bool
    is_on_behalf: bool
    note: str | None


@dataclass(frozen=True)
class QueueSlice:
    """One page of the queue: its people's waiting entries (with what the page shows of them),
    the people in the order they are shown, and how many people and entries wait in all."""

    entries: list[WaitingEntry]
    person_ids: list[int]
    people: int
    waiting: int


def queue_slice(user, *, area_id: int | None = None, page: int, per_page: int) -> QueueSlice:
    """The people with hours waiting for the user, whoever has waited longest first, paged by
    person in SQL; three statements whatever the size of the queue. The page (who is on it, their
    entries and the counts) is kept until the data changes (app.generation): approving, or an
    entry sent in, moves it at once."""
    people, entries, ids, shown = generation.kept(("queue", user.id, area_id, page, per_page),
                                                  lambda: _queue_page(user, area_id, page, per_page))
    return QueueSlice(list(shown), list(ids), people, entries)


def _shown(user, area_id: int | None, person_ids) -> tuple[WaitingEntry, ...]:
    rows = db.session.execute(
        _waiting(user, area_id).where(HoursEntry.person_id.in_(person_ids))
        .join(Activity, Activity.id == HoursEntry.activity_id)
        .with_only_columns(HoursEntry.id, HoursEntry.person_id, Person.first_name, Person.last_name,
                           HoursEntry.worked_on, HoursEntry.minutes, Activity.name, HoursEntry.corrects_id,
                           HoursEntry.is_on_behalf, HoursEntry.note, HoursEntry.correction_reason)
        .order_by(HoursEntry.worked_on, HoursEntry.id))
    people: dict[int, Named] = {}
    return tuple(WaitingEntry(id_, person_id,
                              people.setdefault(person_id, Named(person_id, f"{first} {last}")),
                              worked_on, minutes, activity, corrects_id is not None, bool(on_behalf), note or reason)
                 for (id_, person_id, first, last, worked_on, minutes, activity, corrects_id, on_behalf, note,
                      reason) in rows)


def _queue_page(user, area_id: int | None, page: int,
                per_page: int) -> tuple[int, int, tuple[int, ...], tuple[WaitingEntry, ...]]:
    """How many people and entries wait, the ids of the page's people (oldest wait first) and
    their waiting entries."""
    waiting = _waiting(user, area_id).with_only_columns(HoursEntry.person_id, HoursEntry.worked_on).subquery()
    grouped = (select(waiting.c.person_id, func.min(waiting.c.worked_on).label("oldest"),
                      func.count().label("entries"))
               .group_by(waiting.c.person_id)).subquery()
    people, entries = db.session.execute(
        select(func.count(), func.coalesce(func.sum(grouped.c.entries), 0)).select_from(grouped)).one()
    ids = tuple(db.session.scalars(select(grouped.c.person_id).order_by(grouped.c.oldest, grouped.c.person_id)
                                   .limit(per_page).offset((max(page, 1) - 1) * per_page))) if people else ()
    return int(people), int(entries), ids, _shown(user, area_id, ids) if ids else ()


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


