"""Which of a person's records of a course was in force on a day, kept on the records themselves.

``training_record.superseded_on`` is the day the next passed or attended record of the same
course, for the same person, was done (of two on one day, the later entered supersedes the
earlier on that day). The latest has none, and a failed record, never in force, has none. A
record was the one in force on ``day`` when it was done by then and not yet superseded
(``in_force``): one comparison the compliance counts make of every record at once, where asking
whether a later record existed read the table a second time (at 50 providers on PostgreSQL, the
all-provider compliance counts, training and DBS together, took 62 ms against 39).

Kept in the same transaction as any change to the records, whichever way it is made:

- a record added, changed or deleted through the ORM (recording training, an import): after
  each flush, every record of the people touched is stamped again;
- bulk statements on records (an import's undo deletes its rows): the people are read from the
  rows or the WHERE clause, and stamped again once the statement has run;
- the scale loader's rows (a COPY on PostgreSQL, which the ORM does not see): the loader defers
  the stamping (``DEFERRED``) and calls ``rebuild`` once at its end.

A person has a handful of records, so a stamp costs what the change touches, not the history
behind it. ``flask summaries rebuild`` stamps every record again, and ``flask summaries check``
says whether any differs from a fresh stamping.
"""

from datetime import date

from sqlalchemy import and_, case, event, func, or_, select, update
from sqlalchemy.orm import Session, attributes

from app.models.training import TrainingRecord, TrainingResult

DEFERRED = "training_record.superseded_on deferred"  # session.info: a bulk loader stamps once at its end
_FIELDS = ("person_id", "course_id", "completed_on", "result")
_PEOPLE_AT_ONCE = 500


def in_force(day: date):
    """A passed or attended record was the one in force on ``day`` (not yet superseded; whether
    it had expired is the expiry's to say)."""
    return and_(TrainingRecord.result != TrainingResult.FAILED, TrainingRecord.completed_on <= day,
                or_(TrainingRecord.superseded_on.is_(None), TrainingRecord.superseded_on > day))


def _stamps(*where):
    """Each record's id and what its ``superseded_on`` should be, worked out from the records."""
    failed = TrainingRecord.result == TrainingResult.FAILED
    following = func.lead(TrainingRecord.completed_on).over(
        partition_by=(TrainingRecord.person_id, TrainingRecord.course_id, failed),
        order_by=(TrainingRecord.completed_on, TrainingRecord.id))
    return select(TrainingRecord.id, case((failed, None), else_=following).label("superseded_on")).where(*where)


def _stamp(connection, *where) -> None:
    fresh = _stamps(*where).subquery()
    table = TrainingRecord.__table__
    connection.execute(update(table).where(table.c.id == fresh.c.id,
                                           table.c.superseded_on.is_distinct_from(fresh.c.superseded_on))
                       .values(superseded_on=fresh.c.superseded_on))


def stamp(connection, person_ids) -> None:
    """Stamp every record of these people again."""
    people = sorted(person_ids)
    for start in range(0, len(people), _PEOPLE_AT_ONCE):
        _stamp(connection, TrainingRecord.person_id.in_(people[start:start + _PEOPLE_AT_ONCE]))


def rebuild(connection) -> None:
    """Stamp every record again."""
    _stamp(connection)


def differences(connection) -> list[tuple]:
    """Records whose ``superseded_on`` differs from a fresh stamping: (record id, kept, fresh)."""
    fresh = _stamps().subquery()
    table = TrainingRecord.__table__
    return [tuple(row) for row in connection.execute(
        select(table.c.id, table.c.superseded_on, fresh.c.superseded_on).join(fresh, fresh.c.id == table.c.id)
        .where(table.c.superseded_on.is_distinct_from(fresh.c.superseded_on)).order_by(table.c.id))]


# ---------------------------------------------------------------- noticing changes

def _people(session) -> set[int]:
    """The people whose records a flush added, deleted or changed (before and after a change)."""
    people = set()
    for record in (*session.new, *session.deleted):
        if isinstance(record, TrainingRecord):
            people.add(record.person_id)
    for record in session.dirty:
        if isinstance(record, TrainingRecord) and any(
                attributes.get_history(record, field).has_changes() for field in _FIELDS):
            history = attributes.get_history(record, "person_id")
            people.update([record.person_id, *history.deleted])
    people.discard(None)
    return people


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    if not session.info.get(DEFERRED):
        people = _people(session)
        if people:
            stamp(session.connection(), people)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state):
    """Inserts, updates and deletes of records run as statements rather than through a flush."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(DEFERRED):
        return None
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ is not TrainingRecord:
        return None
    connection = state.session.connection()
    people: set[int] | None = set()
    if state.is_insert:
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
        people = {row["person_id"] for row in rows if row.get("person_id") is not None} or None
    else:
        where = state.statement.whereclause
        query = select(TrainingRecord.person_id).distinct()
        people.update(connection.scalars(query.where(where) if where is not None else query))
    result = state.invoke_statement()
    if people is None:  # the values are written into the statement: stamp them all
        rebuild(connection)
    else:
        stamp(connection, people)
    return result
