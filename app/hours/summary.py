"""Approved minutes by provider, area, stage, activity and month: what the return reads instead
of re-reading a quarter's raw hours.

The raw hours stay the truth. ``hours_month`` is kept up to date in the same transaction as
any change that moves it, whichever way the change is made:

- an hours entry added, changed or deleted through the ORM (logging, approving, correcting,
  undoing), or a person's provider, area or stage changed (moving on, moving area): after
  each flush, the groups touched are counted again from the raw rows;
- bulk statements on hours (an import's inserts, approving many at once): the months and
  people they touch are read from their rows or their WHERE clause, and counted again once
  the statement has run;
- the scale loader's millions of rows (a COPY on PostgreSQL, which the ORM does not see, and
  bulk inserts on SQLite): the loader defers the counting (``DEFERRED``) and calls
  ``rebuild`` once at its end.

A group is (provider, area, stage, month), keyed on the person's *current* area and stage as
the return groups them; only the groups touched are recounted, so the cost of a change
grows with what it touches, not with the history behind it. ``flask summaries rebuild``
counts everything again from the raw rows, and ``flask summaries check`` says whether the
table matches a fresh count.
"""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import Integer, and_, cast, delete, event, extract, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.changes import any_changed, old_value
from app.models.hours import HoursAreaMonth, HoursEntry, HoursMonth, HoursStatus
from app.models.people import Person

ALL_MONTHS = None
DEFERRED = "hours_month deferred"  # session.info: a bulk loader counts everything once at its end
LIST_AT_MOST = 1000  # people named one by one in a recount; a larger group is named by a subquery


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def month_of(column):
    """yyyymm of a date column, in SQL, alike on SQLite and PostgreSQL."""
    return cast(extract("year", column) * 100 + extract("month", column), Integer)


def _counted(*where, by_person: bool = False):
    """Approved minutes and entries grouped as the summary keeps them, from the raw rows.

    ``by_person``: the rows are found through their people (a recount). The status test is then
    written so no index can serve it: before ANALYZE (as while loading), SQLite otherwise reads
    every provider's approved hours for the months through the status index."""
    month = month_of(HoursEntry.worked_on)
    status = HoursEntry.status
    approved = (func.coalesce(status, "") if by_person else status) == HoursStatus.APPROVED.value
    return (select(Person.provider_id, Person.area_id, Person.stage, HoursEntry.activity_id, month.label("month"),
                   func.sum(HoursEntry.minutes).label("minutes"), func.count().label("entries"))
            .select_from(HoursEntry).join(Person, Person.id == HoursEntry.person_id)
            .where(approved, *where)
            .group_by(Person.provider_id, Person.area_id, Person.stage, HoursEntry.activity_id, month))


_COLUMNS = ["provider_id", "area_id", "stage", "activity_id", "month", "minutes", "entries"]


# ---------------------------------------------------------------- recounting touched groups

class _Touched:
    """People (with the months touched, or all) and whole groups, to count again."""

    def __init__(self):
        self.people: dict[int, set | None] = defaultdict(set)
        self.groups: set[tuple] = set()

    def person(self, person_id: int | None, month: int | None) -> None:
        if person_id is None:
            return
        if month is ALL_MONTHS:
            self.people[person_id] = ALL_MONTHS
        elif self.people[person_id] is not ALL_MONTHS:
            self.people[person_id].add(month)

    def __bool__(self) -> bool:
        return bool(self.people or self.groups)


def recount(connection, touched: _Touched) -> None:
    """Count again, from the raw rows, every group the touched people and groups fall in."""
    if not touched:
        return
    plan: dict[tuple, set | None] = {group: ALL_MONTHS for group in touched.groups}
    people = list(touched.people)
    for start in range(0, len(people), 500):
        rows = connection.execute(select(Person.id, Person.provider_id, Person.area_id, Person.stage)
                                  .where(Person.id.in_(people[start:start + 500])))
        for person_id, *group in rows:
            group, months = tuple(group), touched.people[person_id]
            if months is ALL_MONTHS or plan.get(group, set()) is ALL_MONTHS:
                plan[group] = ALL_MONTHS
            else:
                plan.setdefault(group, set()).update(months)
    change: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # area's key -> [minutes, entries]
    if connection.dialect.name == "postgresql":
        # Two transactions recounting one provider's groups at once would each count from a
        # snapshot without the other's change: the second waits here for the first to commit,
        # and its statements then see it. (SQLite has one writer at a time already.)
        for provider_id in sorted({group[0] for group in plan}):
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                               {"key": f"hours_month:{provider_id}"})
    for group, months in sorted(plan.items(), key=lambda item: str(item[0])):
        _recount_group(connection, group, months, change)
    _add_to_areas(connection, change)


def _recount_group(connection, group: tuple, months: set | None, change: dict[tuple, list[int]]) -> None:
    """Count one (provider, area, stage) group's months (or all) again, adding to ``change``
    what that moved for the area: minus the rows it had, plus the rows counted."""
    provider_id, area_id, stage = group
    table = HoursMonth.__table__
    here = and_(table.c.provider_id == provider_id, table.c.area_id == area_id, table.c.stage == stage)
    # The group's people first, then their hours by (person, date); a very large group is
    # named by a subquery rather than a list of ids.
    members = select(Person.id).where(Person.provider_id == provider_id, Person.area_id == area_id,
                                      Person.stage == stage)
    people = list(connection.scalars(members.limit(LIST_AT_MOST + 1)))
    raw = [Person.provider_id == provider_id, Person.area_id == area_id, Person.stage == stage,
           HoursEntry.person_id.in_(people if len(people) <= LIST_AT_MOST else members)]
    if months is not ALL_MONTHS:
        chosen = sorted(months)
        here = and_(here, table.c.month.in_(chosen))
        first, last = chosen[0], chosen[-1]
        raw += [HoursEntry.worked_on >= date(first // 100, first % 100, 1),
                HoursEntry.worked_on < _next_month(last), month_of(HoursEntry.worked_on).in_(chosen)]
    kept = (table.c.activity_id, table.c.month, table.c.minutes, table.c.entries)
    for sign, statement in ((-1, delete(table).where(here)),
                            (1, insert(table).from_select(_COLUMNS, _counted(*raw, by_person=True)))):
        for activity_id, month, minutes, entries in connection.execute(statement.returning(*kept)):
            change[(area_id, stage, activity_id, month)][0] += sign * minutes
            change[(area_id, stage, activity_id, month)][1] += sign * entries


_AREA_KEY = ["area_id", "stage", "activity_id", "month"]


def _add_to_areas(connection, change: dict[tuple, list[int]]) -> None:
    """Add what a recount changed to hours_area_month (hours_month without the provider).

    Added, not counted again: two transactions changing different providers' hours in one area
    each add their own part, the second's update waiting on the row for the first to commit, so
    neither needs the other's snapshot and no provider's rows are read again. Rows are written in
    key order, so two transactions never wait on each other's rows crosswise."""
    table = HoursAreaMonth.__table__
    rows = [dict(zip(_AREA_KEY + ["minutes", "entries"], (*key, minutes, entries), strict=True))
            for key, (minutes, entries) in sorted(change.items(), key=lambda item: str(item[0])) if minutes or entries]
    if not rows:
        return
    upsert = (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(table)
    # One statement with the rows as its parameters: compiled once and cached, where rows written
    # into the statement's VALUES made a new statement to compile for every recount.
    connection.execute(upsert.on_conflict_do_update(index_elements=_AREA_KEY, set_={
        "minutes": table.c.minutes + upsert.excluded.minutes,
        "entries": table.c.entries + upsert.excluded.entries}), rows)
    months = sorted({row["month"] for row in rows})
    connection.execute(delete(table).where(table.c.entries == 0, table.c.month.in_(months)))


def _next_month(key: int) -> date:
    year, month = divmod(key, 100)
    return date(year + month // 12, month % 12 + 1, 1)


def _by_area(source):
    """hours_area_month's rows from ``source`` (hours_month, or a fresh count as a subquery)."""
    c = source.c
    return (select(c.area_id, c.stage, c.activity_id, c.month, func.sum(c.minutes), func.sum(c.entries))
            .group_by(c.area_id, c.stage, c.activity_id, c.month))


def rebuild(connection) -> None:
    """Count every group again from the raw rows, and every area's from those."""
    table, areas = HoursMonth.__table__, HoursAreaMonth.__table__
    if connection.dialect.name == "postgresql":
        # A transaction adding to an area's row waits until this commits.
        connection.execute(text("LOCK TABLE hours_area_month IN EXCLUSIVE MODE"))
    connection.execute(delete(table))
    connection.execute(insert(table).from_select(_COLUMNS, _counted()))
    connection.execute(delete(areas))
    connection.execute(insert(areas).from_select(_AREA_KEY + ["minutes", "entries"], _by_area(table)))


def differences(connection) -> list[tuple]:
    """Rows where a summary and a fresh count disagree: (group..., month, kept, counted), hours_month's
    first, then hours_area_month's."""
    table, areas = HoursMonth.__table__, HoursAreaMonth.__table__
    found = []
    fresh_query = _counted().subquery()
    for columns, fresh_rows in (
            ([table.c[c] for c in _COLUMNS], connection.execute(_counted())),
            ([areas.c[c] for c in _AREA_KEY + ["minutes", "entries"]], connection.execute(_by_area(fresh_query)))):
        width = len(columns) - 2
        kept = {tuple(r[:width]): tuple(r[width:]) for r in connection.execute(select(*columns))}
        fresh = {tuple(r[:width]): tuple(int(v) for v in r[width:]) for r in fresh_rows}
        found += [(*key, kept.get(key), fresh.get(key)) for key in sorted(set(kept) | set(fresh), key=str)
                  if kept.get(key) != fresh.get(key)]
    return found


# ---------------------------------------------------------------- noticing changes

def _entry_keys(entry: HoursEntry, touched: _Touched, *, old: bool) -> None:
    touched.person(entry.person_id, month_key(entry.worked_on))
    if old:
        touched.person(old_value(entry, "person_id"), month_key(old_value(entry, "worked_on")))


_ENTRY_FIELDS = ("person_id", "worked_on", "minutes", "status", "activity_id")
_PERSON_FIELDS = ("provider_id", "area_id", "stage")


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    if not session.info.get(DEFERRED):
        recount(session.connection(), _flushed(session))


def _flushed(session) -> _Touched:
    """The people and months, and whole groups, a flush's changes touched."""
    touched = _Touched()
    for entry in session.new:
        if isinstance(entry, HoursEntry) and entry.status == HoursStatus.APPROVED:
            _entry_keys(entry, touched, old=False)
    for entry in session.deleted:
        if isinstance(entry, HoursEntry):
            _entry_keys(entry, touched, old=True)
    for item in session.dirty:
        if isinstance(item, HoursEntry):
            if any_changed(item, _ENTRY_FIELDS):
                _entry_keys(item, touched, old=True)
        elif isinstance(item, Person):
            changed = [f for f in _PERSON_FIELDS if any_changed(item, (f,))]
            if changed:
                touched.groups.add(tuple(old_value(item, f) for f in _PERSON_FIELDS))
                touched.person(item.id, ALL_MONTHS)
    return touched


def _inserted(rows: list[dict], touched: _Touched) -> bool:
    """The approved rows of a bulk insert; False when its values are written into the statement."""
    if not any(rows):
        return False
    for row in rows:
        if row.get("status") in (HoursStatus.APPROVED, HoursStatus.APPROVED.value):
            touched.person(row.get("person_id"), month_key(row["worked_on"]))
    return True


def _matched(connection, entity, where, touched: _Touched) -> None:
    """The people and months (or whole groups) an UPDATE or DELETE is about to change."""
    if entity is HoursEntry:
        query = select(HoursEntry.person_id, month_of(HoursEntry.worked_on)).distinct()
        for person_id, month in connection.execute(query.where(where) if where is not None else query):
            touched.person(person_id, month)
    else:
        query = select(Person.id, Person.provider_id, Person.area_id, Person.stage)
        for person_id, *group in connection.execute(query.where(where) if where is not None else query):
            touched.groups.add(tuple(group))
            touched.person(person_id, ALL_MONTHS)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state):
    """Inserts, updates and deletes run as statements rather than through a flush."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(DEFERRED):
        return None
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if entity not in (HoursEntry, Person) or (state.is_insert and entity is Person):  # a new person has no hours
        return None
    touched = _Touched()
    connection = state.session.connection()
    counted = True
    if state.is_insert:
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
        counted = _inserted(rows, touched)
    else:
        _matched(connection, entity, state.statement.whereclause, touched)
    result = state.invoke_statement()
    if counted:
        recount(connection, touched)
    else:
        rebuild(connection)
    return result


def quarter_months(start: date, end: date) -> tuple[list[int], list[tuple[date, date]]]:
    """The months wholly inside [start, end], read from the summary, and the part-months at
    either edge, read from the raw rows."""
    whole, edges = [], []
    first = date(start.year, start.month, 1)
    while first <= end:
        following = _next_month(month_key(first))
        if first >= start and following <= end + timedelta(days=1):
            whole.append(month_key(first))
        else:
            edges.append((max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return whole, edges
