"""The data's generation: a number that every committed write moves on, so a figure worked out
from the data can be kept and given again until anything changes.

Every statement that is not a read marks its connection as changed (whichever way it came:
the ORM, a bulk statement, raw SQL); when that connection commits, the one row of
``data_generation`` is moved on in the same transaction. Writes that change no figure (a
device's last-seen time, the outbox, a job's progress) are left out. A page then keys what it
keeps by the generation it read: a figure is never older than the last commit anywhere, in
any process (web workers and the background worker alike).

Over-counting is harmless (a cache entry is worked out again); under-counting would give stale
figures, so anything uncertain counts as a write.
"""

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.extensions import db

TABLE = "data_generation"
# Tables whose rows no figure reads.
IGNORED = {TABLE, "user_session", "outbox_message", "form_submission", "job"}
READS = ("select", "pragma", "savepoint", "release", "rollback", "begin", "show", "set ", "explain")
WRITE_TARGET = re.compile(r'^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from)\s+"?(\w+)"?', re.IGNORECASE)
CHANGED = "pathway_changed"


def _is_write(statement: str) -> bool:
    """Whether a statement may change what a figure reads (anything not plainly a read does)."""
    target = WRITE_TARGET.match(statement)
    if target is not None:
        return target.group(1).lower() not in IGNORED
    head = statement.lstrip().lower()
    if head.startswith(READS):
        return False
    if head.startswith("with"):
        return re.search(r"\b(insert|update|delete)\b", head) is not None
    return True  # DDL, TRUNCATE, COPY, anything else


# Whether each engine's database has the generation row's table yet (not while migrating up
# to it): asked again after any change of schema.
_present: dict[int, bool] = {}


def _has_table(conn) -> bool:
    key = id(conn.engine)
    if key not in _present:
        _present[key] = inspect(conn).has_table(TABLE)
    return _present[key]


@event.listens_for(Engine, "before_cursor_execute")
def _mark(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if statement.lstrip()[:6].lower().startswith(("create", "drop", "alter")):
        _present.pop(id(conn.engine), None)
    if not conn.info.get(CHANGED) and _is_write(statement):
        conn.info[CHANGED] = True


@event.listens_for(Engine, "commit")
def _move_on(conn) -> None:
    if conn.info.pop(CHANGED, False) and _has_table(conn):
        conn.exec_driver_sql(f"UPDATE {TABLE} SET n = n + 1 WHERE id = 1")


@event.listens_for(Engine, "rollback")
def _forget(conn) -> None:
    conn.info.pop(CHANGED, None)


def current() -> int | None:
    """The generation this session sees, or None when it has written something not yet
    committed (its own figures are not anyone else's) or there is no generation row. Read once
    a transaction (a request's pages ask for several kept figures), and again after it ends."""
    connection = db.session.connection()
    if connection.info.get(CHANGED):
        return None
    if SEEN not in db.session.info:
        if not _has_table(connection):
            return None
        db.session.info[SEEN] = db.session.execute(text(f"SELECT n FROM {TABLE} WHERE id = 1")).scalar()
    return db.session.info[SEEN]


SEEN = "pathway_generation_seen"


@event.listens_for(Session, "after_transaction_end")
def _forget_seen(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(SEEN, None)


T = TypeVar("T")
_KEPT: "OrderedDict[Hashable, object]" = OrderedDict()
KEEP_AT_MOST = 64


def kept(key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, or what it gave for the same ``key`` at the current generation. Whatever is
    kept is shared between requests: callers only read it."""
    generation = current()
    if generation is None:
        return build()
    full = (generation, key)
    if full in _KEPT:
        _KEPT.move_to_end(full)
        return _KEPT[full]  # type: ignore[return-value]
    value = build()
    if current() == generation:  # nothing was committed meanwhile by this session
        _KEPT[full] = value
        while len(_KEPT) > KEEP_AT_MOST:
            _KEPT.popitem(last=False)
    return value
