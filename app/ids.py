"""Numbers from a request (ids, page numbers, area filters), parsed in one place: whatever is
typed or crafted, a number a database column cannot hold is treated as no number at all, so it
answers 404 or the default, never an overflow in the database."""

from werkzeug.routing import IntegerConverter

# The largest value an Integer column holds on PostgreSQL (and what SQLite is asked for).
MAX_ID = 2**31 - 1


def whole_number(value: str) -> int:
    """For ``request.args.get(..., type=whole_number)``: a whole number a column can hold.

    :raises ValueError: for anything else, so the default is used.
    """
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError(value)
    return number


def id_or_none(value: str | None) -> int | None:
    """A positive id, or None for anything else (blank, words, past what a column holds)."""
    value = (value or "").strip()
    if not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def ids_from(values) -> set[int]:
    """The ids in a list of form values (checkboxes), each once; anything else left out."""
    return {number for number in map(id_or_none, values) if number is not None}


class IdConverter(IntegerConverter):
    """``<int:...>`` in a route: past what a column holds is a 404, as an id that does not exist."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def optional_id(value) -> int | None:
    """A select's coerce for an optional id: blank is None; past what a column holds is refused.

    :raises ValueError: for anything else (the field then shows its own message).
    """
    if value in (None, "", "None"):
        return None
    return whole_number(value)


def link_pattern(endpoint: str, key: str, **values) -> str:
    """A link with ``{}`` where one id goes, built once for a list's many links:
    ``link_pattern('hours.reject', 'entry_id').format(entry.id)`` in a loop is the same link as
    ``url_for('hours.reject', entry_id=entry.id)``, without building the route each time."""
    from flask import url_for

    return url_for(endpoint, **{key: MAX_ID}, **values).replace(str(MAX_ID), "{}", 1)
