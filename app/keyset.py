"""Pages of a long list by key, not by OFFSET: a page starts just after (or ends just before) a
row named in the link, found through the list's index, so the last page of fifty thousand
people costs what the first does."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select, tuple_

from app.extensions import db


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows, how many rows the list has, and whether there are rows either side."""

    items: Sequence
    total: int
    has_prev: bool
    has_next: bool

    @property
    def first_id(self) -> int | None:
        return self.items[0].id if self.items else None

    @property
    def last_id(self) -> int | None:
        return self.items[-1].id if self.items else None


def count_of(query: Select) -> int:
    """How many rows ``query`` has."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def keyset_page(query: Select, order: tuple, *, after: int | None = None, before: int | None = None,
                at_end: bool = False, per_page: int = 25, total: int | None = None) -> KeysetPage:
    """A page of ``query`` in ``order`` (columns ending in the rows' unique id): the first page,
    the page after the row with id ``after``, the page before ``before``, or the last page.

    The row a link names is looked up within ``query`` itself (its scope and filters): a link
    naming a row outside it (gone, filtered out, or someone the user may not see, whose place in
    the order would tell something of them) gives the first page. ``total``: the rows counted
    already (kept, say), or None to count them here."""
    unordered = query.order_by(None)
    total = count_of(query) if total is None else total
    key_columns, id_column = tuple_(*order), order[-1]
    cursor = after if after is not None else before
    key = None
    if cursor is not None:
        key = db.session.execute(unordered.with_only_columns(*order).where(id_column == cursor)).one_or_none()
    backwards = at_end or (key is not None and after is None)
    if key is not None:
        unordered = unordered.where(key_columns > tuple_(*key) if not backwards else key_columns < tuple_(*key))
    rows = list(db.session.scalars(
        unordered.order_by(*(column.desc() if backwards else column for column in order)).limit(per_page + 1))
        .unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
        return KeysetPage(rows, total, has_prev=more, has_next=key is not None)
    return KeysetPage(rows, total, has_prev=key is not None, has_next=more)
