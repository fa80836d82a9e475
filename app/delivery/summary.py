"""Every provider's sessions by day, area and offer: what delivery for all providers and the
all-provider return read instead of every provider's raw sessions.

The raw sessions stay the truth. ``session_day`` is counted again for the days a change
touches, in the same transaction, whichever way the change is made:

- through the ORM (a session recorded or changed, a facilitator added or removed, a
  facilitator's hours entry approved, rejected, changed or withdrawn, a person's lived
  experience answered): after each flush, the days touched are counted again;
- bulk statements on sessions, facilitators, hours or people (an import, undoing one,
  approving many at once): the days they touch are read from their rows or their WHERE clause
  before they run, and counted again before the transaction commits;
- rows written outside the ORM (the scale loader's COPY): the loader defers the counting
  (``DEFERRED``) and calls ``rebuild`` once at its end.

A change to an hours entry touches the days of the sessions it is linked to (an entry with no
session touches none); the entry's own date is not trusted to be its session's. The key has no
provider: the table's size grows with days, areas and offers, never with the number of
providers. On PostgreSQL a day is counted again under its own lock, so changes on other days
never wait. ``flask summaries rebuild`` counts everything again, and ``flask summaries check``
says whether the table matches a fresh count.
"""

from datetime import date

from sqlalchemy import Integer, case, cast, delete, event, func, insert, literal, select, text
from sqlalchemy.orm import Session

from app.changes import any_changed, old_value
from app.models.delivery import DeliverySession, Mode, SessionDay, SessionFacilitator
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person

DEFERRED = "session_days deferred"  # session.info: a loader counts every day once at its end
PENDING = "session_days"  # session.info: days noted by bulk statements, counted before commit
FLUSHING = "session_days:flush"  # session.info: days read before a flush, counted after it
EVERY_DAY = "every day"
_COLUMNS = ["delivered_on", "area_id", "offer_id", "sessions", "families_attended", "families_new", "online",
            "out_of_hours", "families_phase_one", "families_pre_diagnosis", "parent_led", "minutes"]


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def _counted(*where):
    """The summary's rows from the raw sessions (only the days ``where`` names, if given)."""
    # Each part reads only the days asked for (the sessions' own condition, inside it too).
    minutes = (select(SessionFacilitator.session_id, func.sum(HoursEntry.minutes).label("minutes"))
               .join(HoursEntry, HoursEntry.id == SessionFacilitator.hours_entry_id)
               .join(DeliverySession, DeliverySession.id == SessionFacilitator.session_id)
               .where(HoursEntry.status != HoursStatus.REJECTED, *where).group_by(SessionFacilitator.session_id)
               .subquery())
    led = (select(SessionFacilitator.session_id).distinct()
           .join(Person, Person.id == SessionFacilitator.person_id)
           .join(DeliverySession, DeliverySession.id == SessionFacilitator.session_id)
           .where(SessionFacilitator.leads, Person.has_lived_experience, *where).subquery())
    session = DeliverySession
    return (select(session.delivered_on, session.area_id, session.offer_id, func.count(),
                   func.sum(session.families_attended), func.sum(session.families_new),
                   _flag(session.mode == Mode.ONLINE), _flag(session.out_of_hours),
                   func.sum(session.families_phase_one), func.sum(session.families_pre_diagnosis),
                   _flag(led.c.session_id.is_not(None)),
                   cast(func.coalesce(func.sum(minutes.c.minutes), literal(0)), Integer))
            .select_from(session)
            .outerjoin(minutes, minutes.c.session_id == session.id)
            .outerjoin(led, led.c.session_id == session.id)
            .where(*where)
            .group_by(session.delivered_on, session.area_id, session.offer_id))


def recount_days(connection, days) -> None:
    """Count the summary's rows for these days again from the raw sessions."""
    days = sorted(set(days) - {None})
    table = SessionDay.__table__
    if connection.dialect.name == "postgresql" and days:
        # Two transactions counting one day again at once would each count from a snapshot
        # without the other's change: the second waits here, day by day and always in date
        # order, for the first to commit. Other days, and other providers' changes on them,
        # do not wait. (SQLite has one writer at a time already.)
        connection.execute(text("SELECT count(pg_advisory_xact_lock(hashtext('session_day'), day))"
                                " FROM (SELECT unnest(CAST(:days AS integer[])) AS day ORDER BY 1) AS chosen"),
                           {"days": [day.toordinal() for day in days]})
    for start in range(0, len(days), 200):
        chosen = days[start:start + 200]
        connection.execute(delete(table).where(table.c.delivered_on.in_(chosen)))
        connection.execute(insert(table).from_select(_COLUMNS, _counted(DeliverySession.delivered_on.in_(chosen))))


def rebuild(connection) -> None:
    """Count every day again from the raw sessions."""
    table = SessionDay.__table__
    if connection.dialect.name == "postgresql":
        # Every day at once: a transaction counting some days again waits until this commits.
        connection.execute(text("LOCK TABLE session_day IN EXCLUSIVE MODE"))
    connection.execute(delete(table))
    connection.execute(insert(table).from_select(_COLUMNS, _counted()))


def differences(connection) -> list[tuple]:
    """Rows where the summary and a fresh count disagree: (day, area, offer, kept, counted)."""
    table = SessionDay.__table__
    kept = {tuple(r[:3]): tuple(r[3:]) for r in connection.execute(select(*[table.c[c] for c in _COLUMNS]))}
    fresh = {tuple(r[:3]): tuple(int(v or 0) for v in r[3:]) for r in connection.execute(_counted())}
    return [(*key, kept.get(key), fresh.get(key)) for key in sorted(set(kept) | set(fresh), key=str)
            if kept.get(key) != fresh.get(key)]


# ---------------------------------------------------------------- noticing changes

_SESSION_FIELDS = ("delivered_on", "area_id", "offer_id", "mode", "out_of_hours", "families_attended",
                   "families_new", "families_phase_one", "families_pre_diagnosis")
_ENTRY_FIELDS = ("minutes", "status")
_FACILITATOR_FIELDS = ("leads", "hours_entry_id", "person_id", "session_id")


def _led_days(connection, where) -> set[date]:
    """The days of sessions led by the people ``where`` picks."""
    return set(connection.scalars(
        select(DeliverySession.delivered_on).distinct()
        .join(SessionFacilitator, SessionFacilitator.session_id == DeliverySession.id)
        .join(Person, Person.id == SessionFacilitator.person_id).where(SessionFacilitator.leads, where)))


class _Touched:
    """Days, sessions and hours entries (whose sessions' days are read once the flush is done)
    and people who lead."""

    def __init__(self):
        self.days: set[date] = set()
        self.sessions: set[int] = set()
        self.entries: set[int] = set()
        self.people: set[int] = set()

    def added_or_gone(self, item, value) -> None:
        if isinstance(item, DeliverySession):
            self.days.add(value(item, "delivered_on"))
        elif isinstance(item, SessionFacilitator):
            self.sessions.add(value(item, "session_id"))
        # A new hours entry is linked to a session by the facilitator's row, noticed there; a
        # deleted one's sessions are read before the flush (``_before_flush``).

    def changed(self, item) -> None:
        if isinstance(item, DeliverySession) and any_changed(item, _SESSION_FIELDS):
            self.days |= {item.delivered_on, old_value(item, "delivered_on")}
        elif isinstance(item, SessionFacilitator) and any_changed(item, _FACILITATOR_FIELDS):
            self.sessions |= {item.session_id, old_value(item, "session_id")}
        elif isinstance(item, HoursEntry) and any_changed(item, _ENTRY_FIELDS):
            self.entries.add(item.id)
        elif isinstance(item, Person) and any_changed(item, ("has_lived_experience",)):
            self.people.add(item.id)

    def all_days(self, connection) -> set[date]:
        days = set(self.days)
        if self.sessions - {None}:
            days |= set(connection.scalars(select(DeliverySession.delivered_on)
                                           .where(DeliverySession.id.in_(self.sessions - {None}))))
        if self.entries:
            days |= _entry_days(connection, HoursEntry.id.in_(self.entries))
        if self.people:
            days |= _led_days(connection, Person.id.in_(self.people))
        return days

    def __bool__(self) -> bool:
        return bool(self.days or self.sessions or self.entries or self.people)


def _entry_days(connection, where) -> set[date]:
    """The days of the sessions linked to the hours entries ``where`` picks."""
    return set(connection.scalars(_DAYS_OF[HoursEntry]().where(where)))


@event.listens_for(Session, "before_flush")
def _before_flush(session, _context, _instances) -> None:
    """A deleted hours entry's link to its session is emptied by the database: its sessions'
    days are read now, while the link is there."""
    if session.info.get(DEFERRED):
        return
    gone = [item.id for item in session.deleted if isinstance(item, HoursEntry) and item.id is not None]
    if gone:
        session.info.setdefault(FLUSHING, set()).update(_entry_days(session.connection(), HoursEntry.id.in_(gone)))


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    if session.info.get(DEFERRED):
        return
    touched = _Touched()
    touched.days |= session.info.pop(FLUSHING, set())
    for item in session.new:
        touched.added_or_gone(item, getattr)
    for item in session.deleted:
        touched.added_or_gone(item, old_value)
    for item in session.dirty:
        touched.changed(item)
    if touched:
        connection = session.connection()
        recount_days(connection, touched.all_days(connection))


def _note(session, days) -> None:
    pending = session.info.setdefault(PENDING, set())
    if EVERY_DAY not in pending:
        pending |= set(days) - {None}


def _inserted(session, entity, rows: list[dict]) -> None:
    if not any(rows):  # values written into the statement
        _note(session, [EVERY_DAY])
    elif entity is SessionFacilitator:
        session.info.setdefault(PENDING + ":sessions", set()).update(row.get("session_id") for row in rows)
    elif entity is DeliverySession:
        _note(session, (row.get("delivered_on") for row in rows))


_DAYS_OF = {
    DeliverySession: lambda: select(DeliverySession.delivered_on).distinct(),
    HoursEntry: lambda: (select(DeliverySession.delivered_on).distinct()
                         .join(SessionFacilitator, SessionFacilitator.session_id == DeliverySession.id)
                         .join(HoursEntry, HoursEntry.id == SessionFacilitator.hours_entry_id)),
    SessionFacilitator: lambda: (select(DeliverySession.delivered_on).distinct()
                                 .join(SessionFacilitator, SessionFacilitator.session_id == DeliverySession.id)),
}


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    """Inserts, updates and deletes run as statements rather than through a flush: the days they
    touch, read before they run, are counted again before the transaction commits."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(DEFERRED):
        return
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if entity not in (DeliverySession, SessionFacilitator, HoursEntry, Person):
        return
    session, where = state.session, getattr(state.statement, "whereclause", None)
    if state.is_insert:
        if entity not in (Person, HoursEntry):  # a new person has led nothing; a new entry is in no session
            _inserted(session, entity, state.parameters if isinstance(state.parameters, list)
                      else [state.parameters or {}])
    elif state.is_update and _moves(entity, _set_columns(state)):
        _note(session, [EVERY_DAY])  # moved to days not known until it has run
    elif entity is Person:
        _note(session, _led_days(session.connection(), where if where is not None else literal(True)))
    else:
        query = _DAYS_OF[entity]()
        _note(session, session.connection().scalars(query.where(where) if where is not None else query))


def _moves(entity, columns) -> bool:
    """Whether an UPDATE setting these columns can move rows to other days."""
    return ((entity is DeliverySession and "delivered_on" in columns)
            or (entity is SessionFacilitator and "session_id" in columns))


def _set_columns(state) -> list[str]:
    """The names of the columns an UPDATE sets."""
    values = getattr(state.statement, "_values", None) or {}
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    return [getattr(key, "key", str(key)) for key in values] + [str(key) for row in rows for key in row]


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    """Count again the days that bulk statements touched, before the transaction commits."""
    session.flush()
    pending = session.info.pop(PENDING, set())
    sessions = session.info.pop(PENDING + ":sessions", set()) - {None}
    if not (pending or sessions):
        return
    connection = session.connection()
    if EVERY_DAY in pending:
        rebuild(connection)
        return
    if sessions:
        pending |= set(connection.scalars(select(DeliverySession.delivered_on)
                                          .where(DeliverySession.id.in_(sorted(sessions)))))
    recount_days(connection, pending)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(FLUSHING, None)
    session.info.pop(PENDING, None)
    session.info.pop(PENDING + ":sessions", None)
