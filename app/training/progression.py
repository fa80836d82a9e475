"""How far a person is from the next stage, and moving them on when they are ready.

The pathway is an opportunity with requirements, never a promise of paid work.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.access import refuse_own
from app.audit import services as audit
from app.establishment.models import Contract, Post
from app.extensions import db
from app.hours.models import HoursEntry, HoursStatus
from app.people.models import Person, Stage
from app.people.services import record_stage_change

from .models import CheckKind, Recommendation, StageRequirement
from .rules import training_status
from .services import TrainingError, latest_checks, latest_records, mandatory_courses


@dataclass(frozen=True)
class Item:
    label: str
    met: bool
    detail: str


def stage_started_on(person: Person) -> date:
    return person.stage_changes[-1].changed_on if person.stage_changes else person.joined_on


def _hours_item(person: Person, requirement: StageRequirement, today: date) -> Item:
    minutes = db.session.scalar(select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
        HoursEntry.person_id == person.id, HoursEntry.status == HoursStatus.APPROVED,
        HoursEntry.worked_on >= stage_started_on(person), HoursEntry.worked_on <= today))
    hours = minutes / 60
    return Item(f"At least {requirement.min_hours} approved hours as a {person.stage.label}",
                hours >= requirement.min_hours, f"{hours:g} of {requirement.min_hours} hours")


def _course_items(person: Person, target: Stage, today: date) -> list[Item]:
    courses = mandatory_courses(target)
    records = latest_records([person.id])
    items = []
    for course in courses:
        record = records.get((person.id, course.id))
        if record is None:
            items.append(Item(course.name, False, "Not done yet"))
            continue
        status = training_status(record.expires_on, today)
        if status == "expired":
            detail = f"{course.name} expired {record.expires_on:%-d %B %Y}"
        elif record.expires_on:
            detail = f"Done {record.completed_on:%-d %B %Y}, current until {record.expires_on:%-d %B %Y}"
        else:
            detail = f"Done {record.completed_on:%-d %B %Y}"
        items.append(Item(course.name, status != "expired", detail))
    return items


def _dbs_item(person: Person, target: Stage, today: date, checks) -> Item:
    paid = target in (Stage.CO_FACILITATOR, Stage.EMPLOYEE)
    valid = [c for c in checks.get((person.id, CheckKind.DBS), [])
             if (c.renew_on is None or c.renew_on > today) and (c.for_paid_role or not paid)]
    if valid:
        return Item("Enhanced DBS check for a paid role" if paid else "Enhanced DBS check", True,
                    f"Certificate dated {valid[0].checked_on:%-d %B %Y}")
    any_check = checks.get((person.id, CheckKind.DBS), [])
    if paid and any(not c.for_paid_role for c in any_check):
        detail = "A new check is needed: a volunteer's DBS check does not cover paid work"
    elif any_check:
        detail = f"The last check is due for renewal since {any_check[0].renew_on:%-d %B %Y}"
    else:
        detail = "No check recorded"
    return Item("Enhanced DBS check for a paid role" if paid else "Enhanced DBS check", False, detail)


def _employment_items(person: Person, requirement: StageRequirement, checks) -> list[Item]:
    items = []
    if requirement.needs_right_to_work:
        found = checks.get((person.id, CheckKind.RIGHT_TO_WORK), [])
        items.append(Item("Right to work check", bool(found),
                          f"Checked {found[0].checked_on:%-d %B %Y}" if found else "No check recorded"))
    if requirement.references_needed:
        count = len(checks.get((person.id, CheckKind.REFERENCE), []))
        items.append(Item(f"{requirement.references_needed} references", count >= requirement.references_needed,
                          f"{count} of {requirement.references_needed} received"))
    return items


def checklist(person: Person, today: date) -> tuple[Stage | None, list[Item]]:
    """The next stage and each of its requirements: met or not, and what is missing."""
    target = person.stage.next
    if target is None:
        return None, []
    requirement = db.session.scalar(select(StageRequirement).where(StageRequirement.stage == target))
    checks = latest_checks([person.id])
    items = []
    if requirement and requirement.min_hours:
        items.append(_hours_item(person, requirement, today))
    items += _course_items(person, target, today)
    if requirement is None or requirement.needs_dbs:
        items.append(_dbs_item(person, target, today, checks))
    if requirement and requirement.needs_recommendation:
        found = db.session.scalar(select(Recommendation).where(
            Recommendation.person_id == person.id, Recommendation.stage == target))
        items.append(Item("Recommendation from their area facilitator", found is not None,
                          f"Recommended {found.recommended_on:%-d %B %Y}" if found else "Not yet recommended"))
    if requirement:
        items += _employment_items(person, requirement, checks)
    return target, items


def progress(person: Person, *, post: Post, weekly_hours: Decimal, is_sessional: bool, on: date,
             actor, today: date, override_reason: str | None = None):
    """Move a person to the next stage, ending their current post and starting the new one.

    :raises TrainingError: when a requirement is not met and no override reason is given.
    """
    refuse_own(actor, "move_on", person, lambda message: TrainingError({"post_id": message}))
    target, items = checklist(person, today)
    if target is None:
        raise TrainingError({"post_id": f"{person.name} is already at the last stage"})
    unmet = [item for item in items if not item.met]
    override = (override_reason or "").strip()
    if unmet and not override:
        raise TrainingError({"override_reason": "Not every requirement is met: "
                             + "; ".join(f"{i.label} ({i.detail})" for i in unmet)
                             + ". Record a reason to go ahead anyway"})
    reason = "Met every requirement" if not unmet else f"Override: {override}"
    change = record_stage_change(person, target, on=on, actor=actor, reason=reason)
    for contract in db.session.scalars(select(Contract).where(
            Contract.person_id == person.id, Contract.starts_on < on,
            (Contract.ends_on.is_(None)) | (Contract.ends_on >= on))):
        contract.ends_on = on - timedelta(days=1)
    db.session.add(Contract(person_id=person.id, post_id=post.id, weekly_hours=weekly_hours,
                            is_sessional=is_sessional, starts_on=on))
    if unmet:
        audit.record(actor=actor, action="override", entity=person,
                     summary=f"Moved to {target.label} without: "
                             + "; ".join(i.label for i in unmet) + f". Reason: {override}")
    from app.certificates.services import issue_stage_certificate

    issue_stage_certificate(person, target, on=on, actor=actor)
    db.session.flush()
    return change
