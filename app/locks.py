"""Rules checked before writing (no more than 24 hours in a day; a return's next version)
hold under concurrency only if two requests cannot check at the same time."""

from sqlalchemy import text

from app.extensions import db


def serialise(key: str) -> None:
    """Until this transaction ends, no other transaction gets past ``serialise(key)``.

    PostgreSQL: a transaction-scoped advisory lock on the key. SQLite has one writer at a
    time: a write statement takes that lock now, so the check that follows and the write are
    one step (reads before it run outside any transaction, so none sees an old snapshot).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    else:
        db.session.execute(text("UPDATE provider SET id = id WHERE 1 = 0"))
