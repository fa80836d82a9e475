"""Writing audit events. Services call record(); routes never write audit rows."""

from datetime import date, datetime
from decimal import Decimal

from app.extensions import db
from app.models.audit import AuditEvent


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
    if actor.email.endswith(".invalid"):  # a parent with no email: never an invented address
        person = getattr(actor, "person", None)
        return f"{actor.name} ({person.ref})" if person is not None else actor.name
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


# What each kind of record is called, for people reading the change history.
RECORD_WORDS = {
    "HoursEntry": "Hours entry", "ExpenseClaim": "Expense claim", "ExpenseLine": "Expense claim item",
    "User": "Sign-in account", "Person": "Person's record", "StageChange": "Move along the pathway",
    "TrainingRecord": "Training record", "Check": "Check", "Recommendation": "Recommendation",
    "Certificate": "Certificate", "Course": "Course", "CourseStageRow": "Course requirement",
    "StageRequirement": "Stage requirement", "Activity": "Activity", "ExpenseCategory": "Expense category",
    "MileageRate": "Mileage rate", "VolunteerHourValue": "Volunteer hour value", "PaymentBatch": "Payment batch",
    "ReturnSubmission": "Workforce return", "Spend": "Non-pay spending", "Grade": "Grade", "PayPoint": "Pay point",
    "Post": "Post", "Contract": "Contract", "ContractYear": "Contract year", "BudgetLine": "Budget line",
    "Funding": "Funding", "OnCostRule": "On-cost rule", "Commission": "The council's contract",
    "CommissionYear": "Contract year", "CommissionFunding": "Contract funding", "ReviewPoint": "Review point",
    "Lot": "Lot", "CouncilPost": "Council post", "Provider": "Provider", "Area": "Area", "Offer": "Offer",
    "DeliveryPlan": "Delivery plan", "DeliverySession": "Session", "Cohort": "Programme cohort",
    "LeavingReason": "Leaving reason",
}
# Records with a page of their own: the history links to it.
RECORD_PAGES = {"HoursEntry": ("hours.view_entry", "entry_id"), "ExpenseClaim": ("expenses.view_claim", "claim_id"),
                "Person": ("people.view_person", "person_id"), "DeliverySession": ("delivery.view_session",
                                                                                  "session_id"),
                "ReturnSubmission": ("returns.submission", "submission_id")}


def record_words(entity_type: str) -> str:
    import re

    return RECORD_WORDS.get(entity_type) or re.sub(r"(?<!^)([A-Z])", r" \1", entity_type).capitalize()


def record_page(event) -> str | None:
    from flask import url_for

    found = RECORD_PAGES.get(event.entity_type)
    if found is None:
        return None
    endpoint, argument = found
    try:
        return url_for(endpoint, **{argument: event.entity_id})
    except Exception:  # noqa: BLE001 (no such page here: words without a link)
        return None
