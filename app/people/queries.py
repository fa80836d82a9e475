"""Read-side queries for people: filtered, scoped, paginated in SQL."""

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app import generation
from app.access import Named, has_role_for, scoped_people
from app.extensions import db
from app.ids import id_or_none
from app.keyset import KeysetPage
from app.models.people import Area, Person, Stage

from .services import search_condition


def all_areas() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.name)))


def area_names() -> list[Named]:
    """Every area's id and name, by name, for a page's filters: kept until the data changes."""
    return list(generation.kept(("area names",), lambda: tuple(
        Named(id_, name) for id_, name in db.session.execute(select(Area.id, Area.name).order_by(Area.name)))))


# The people list's order, ending in the unique id its pages are keyed by (app.keyset).
PEOPLE_ORDER = (Person.last_name, Person.first_name, Person.id)


def filtered_people(user, *, q: str = "", area: str = "", stage: str = "", provider: str = "",
                    status: str = "current", today: date) -> Select:
    query = scoped_people(user).options(joinedload(Person.area), joinedload(Person.provider))
    if q:
        query = query.where(search_condition(q, contact=has_role_for(user, "see_contact_details")))
    if id_or_none(area) is not None:
        query = query.where(Person.area_id == id_or_none(area))
    if stage in {s.value for s in Stage}:
        query = query.where(Person.stage == Stage(stage))
    if id_or_none(provider) is not None:
        query = query.where(Person.provider_id == id_or_none(provider))
    if status == "current":
        query = query.where((Person.left_on.is_(None)) | (Person.left_on >= today))
    elif status == "left":
        query = query.where(Person.left_on < today)
    return query.order_by(*PEOPLE_ORDER)


@dataclass(frozen=True)
class ListedPerson:
    """What the people list shows of a person, as plain values: a page of them can be kept."""

    id: int
    ref: str
    first_name: str
    last_name: str
    stage: Stage
    joined_on: date
    left_on: date | None
    area: Named
    provider: Named


def listed(page: KeysetPage) -> KeysetPage:
    """A page of the list with its people as plain values (``ListedPerson``)."""
    return replace(page, items=tuple(
        ListedPerson(p.id, p.ref, p.first_name, p.last_name, p.stage, p.joined_on, p.left_on,
                     Named(p.area.id, p.area.name), Named(p.provider.id, p.provider.name)) for p in page.items))
