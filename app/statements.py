"""Statements built once and run with parameters: the return's, the costs' and the compliance
counts' statements are built the first time they are asked for (``built_once``) and then run
with the day, the period and the provider as values. Building a statement, and SQLAlchemy's
key for its compiled form, cost more than running it at 50 providers; a statement kept is keyed
once. ``DAY``, ``START``, ``END``, ``PROVIDER`` and ``IDS`` name the values such statements are run with:
``params`` gives them."""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import Date, Integer, bindparam

DAY = bindparam("day", type_=Date)
START = bindparam("start", type_=Date)
END = bindparam("end", type_=Date)
PROVIDER = bindparam("provider_id", type_=Integer)
IDS = bindparam("ids", expanding=True)  # a list of ids, however long
# The period as instants, for a moment column: its first, and the one after its last day.
FIRST_MOMENT = bindparam("first_moment")
AFTER_MOMENT = bindparam("after_moment")

# A builder taking only hashable switches (one provider or every provider), never values.
built_once = cache


def params(provider_id: int | None = None, **values: date) -> dict:
    """The values a kept statement is run with: the provider, when one, and the named dates."""
    return {"provider_id": provider_id, **values}


def moments(start: date, end: date) -> dict:
    """``FIRST_MOMENT`` and ``AFTER_MOMENT`` for the days ``start`` to ``end`` (UTC)."""
    return {"first_moment": datetime.combine(start, time.min, tzinfo=UTC),
            "after_moment": datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)}
