"""What an object's change was, as the listeners that keep summaries in step see it after a flush
(hours_month, session_day, the cost ledger, budget lines' prices)."""

from sqlalchemy.orm import attributes


def old_value(item, field: str):
    """``field``'s value before the change being flushed (its value now, if it did not change)."""
    history = attributes.get_history(item, field)
    return history.deleted[0] if history.deleted else getattr(item, field)


def any_changed(item, fields) -> bool:
    return any(attributes.get_history(item, field).has_changes() for field in fields)
