"""Adding and changing people, and moving them along the pathway."""

from datetime import date

from sqlalchemy import func, or_, select

from app.audit import services as audit
from app.extensions import db
from app.models.people import Person, Stage, StageChange

PERSON_FIELDS = (
    "first_name", "last_name", "email", "phone", "area_id", "joined_on", "left_on",
    "has_lived_experience", "email_without_account",
)


class PersonError(ValueError):
    """A rule was broken; args are (field name, message)."""


def _snapshot(person: Person) -> dict:
    return {field: getattr(person, field) for field in PERSON_FIELDS}


def _check_email_free(email: str | None, *, provider_id: int, except_id: int | None = None):
    if not email:
        return
    query = select(Person.id).where(
        func.lower(Person.email) == email.lower(), Person.provider_id == provider_id
    )
    if except_id is not None:
        query = query.where(Person.id != except_id)
    if db.session.scalar(query) is not None:
        raise PersonError("email", "Someone else at this provider already has that email address")


def create_person(*, provider_id: int, stage: Stage, actor, ref: str | None = None,
                  **details) -> Person:
    """Add a person with their joining recorded as the first stage change.

    :raises PersonError: if the email address is already taken at the provider.
    """
    _check_email_free(details.get("email"), provider_id=provider_id)
    person = Person(provider_id=provider_id, stage=stage, **details)
    if ref:
        person.ref = ref
    person.stage_changes.append(
        StageChange(changed_on=person.joined_on, from_stage=None, to_stage=stage,
                    changed_by=actor, reason="Joined the pathway")
    )
    db.session.add(person)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=person,
                 summary=f"Added {person.name} as {stage.label}",
                 changes=audit.diff({}, _snapshot(person)))
    return person


def update_person(person: Person, *, actor, **details) -> dict:
    """Change a person's details; returns what changed.

    :raises PersonError: for a taken email address or a leaving date before joining.
    """
    _check_email_free(details.get("email"), provider_id=person.provider_id, except_id=person.id)
    joined = details.get("joined_on", person.joined_on)
    left = details.get("left_on", person.left_on)
    if left is not None and left < joined:
        raise PersonError("left_on", "The date they left must be on or after the date they joined")
    first_change = person.stage_changes[0] if person.stage_changes else None
    if first_change and len(person.stage_changes) > 1 and joined > person.stage_changes[1].changed_on:
        raise PersonError("joined_on", "The date they joined must be before their first stage change")
    before = _snapshot(person)
    for field, value in details.items():
        setattr(person, field, value)
    if first_change is not None:
        first_change.changed_on = person.joined_on
    changes = audit.diff(before, _snapshot(person))
    if changes:
        audit.record(actor=actor, action="update", entity=person,
                     summary=f"Changed {', '.join(changes)}", changes=changes)
    db.session.flush()
    return changes


def record_stage_change(person: Person, to_stage: Stage, *, on: date, actor, reason: str) -> StageChange:
    """Move a person to a new stage, keeping the history and the current stage in step.

    :raises PersonError: for a change to the same stage, one dated before the last,
        or a missing reason.
    """
    if to_stage == person.stage:
        raise PersonError("to_stage", f"{person.name} is already a {to_stage.label}")
    if not reason or not reason.strip():
        raise PersonError("reason", "Enter the reason for the change")
    last = person.stage_changes[-1] if person.stage_changes else None
    if last is not None and on < last.changed_on:
        raise PersonError("changed_on", "The date must be on or after their last stage change")
    if on < person.joined_on:
        raise PersonError("changed_on", "The date must be on or after the date they joined")
    change = StageChange(changed_on=on, from_stage=person.stage, to_stage=to_stage,
                         changed_by=actor, reason=reason.strip())
    person.stage_changes.append(change)
    person.stage = to_stage
    db.session.flush()
    audit.record(actor=actor, action="stage_change", entity=person,
                 summary=f"Moved from {change.from_stage.label} to {to_stage.label}: {reason}",
                 changes={"stage": [change.from_stage.value, to_stage.value]})
    return change


def search_condition(text: str, *, contact: bool = True):
    """Match name, reference or (for those who may see contact details) email, case-insensitively:
    a search that matched on an address would tell someone who may not see it what it is."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    full_name = func.lower(Person.first_name + " " + Person.last_name)
    columns = (full_name, func.lower(Person.ref)) + ((func.lower(Person.email),) if contact else ())
    return or_(*(column.like(like, escape="\\") for column in columns))


def stage_history_consistent(person: Person) -> bool:
    return bool(person.stage_changes) and person.stage_changes[-1].to_stage == person.stage
