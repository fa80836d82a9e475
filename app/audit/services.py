"""Writing audit events. Services call record(); routes never write audit rows."""

from datetime import date, datetime
from decimal import Decimal

from app.extensions import db

from .models import AuditEvent


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def diff(before: dict, after: dict) -> dict:
    """Only the fields that changed, as {field: [old, new]} in JSON-safe values."""
    return {
        key: [_plain(before.get(key)), _plain(after[key])]
        for key in after
        if _plain(before.get(key)) != _plain(after[key])
    }


def actor_label(actor) -> str:
    if actor is None:
        return "System"
    return f"{actor.name} ({actor.email})"


def record(*, actor, action: str, entity, summary: str, changes: dict | None = None,
           provider_id: int | None = None, council: bool = False) -> AuditEvent:
    """Add an audit event for a change to ``entity``; the caller commits.

    ``council`` marks a change to a council-wide setting, shown in every provider's history.
    """
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label(actor),
        action=action,
        entity_type=type(entity).__name__,
        entity_id=entity.id,
        provider_id=provider_id if provider_id is not None else getattr(entity, "provider_id", None),
        summary=summary,
        changes=changes or None,
        is_council_setting=council,
    )
    db.session.add(event)
    return event


def history_for(entity) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.entity_type == type(entity).__name__, AuditEvent.entity_id == entity.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    ).all()
