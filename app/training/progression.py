"""How far a person is from the next stage, and moving them on when they are ready.

The pathway is an opportunity with requirements, never a promise of paid work.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from app.access import refuse_own
from app.audit import services as audit
from app.certificates.services import issue_stage_certificate, revoke_stage_certificate
from app.establishment.contracts import ContractError, move_to_post
from app.extensions import db
from app.models.establishment import Contract, Post, VolunteerRole
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person, Stage
from app.models.training import CheckKind, ProviderRequirement, Recommendation, StageRequirement
from app.people.services import record_stage_change

from .rules import DBS_RECHECK_MONTHS, dbs_due_on, dbs_problem, training_status
from .services import TrainingError, latest_checks, latest_records, mandatory_courses


@dataclass(frozen=True)
class Item:
    label: str
    met: bool
    detail: str
    # A hard requirement (safeguarding and employment law) is never waived by an override.
    hard: bool = False
    # What puts it right: "hours", "course", "recommendation", or a check's kind ("dbs", ...).
    fix: str = ""


PAID_STAGES = frozenset({Stage.CO_FACILITATOR, Stage.EMPLOYEE})
REFERENCES_FOR_EMPLOYMENT = 2

# The contract service's field names, as the move-on form names them.
CONTRACT_FIELDS = {"weekly_hours": "weekly_hours", "starts_on": "changed_on", "post_id": "post_id"}


def stage_started_on(person: Person) -> date:
    return person.stage_changes[-1].changed_on if person.stage_changes else person.joined_on


def _hours_item(person: Person, requirement: StageRequirement, today: date) -> Item:
    minutes = db.session.scalar(select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
        HoursEntry.person_id == person.id, HoursEntry.status == HoursStatus.APPROVED,
        HoursEntry.worked_on >= stage_started_on(person), HoursEntry.worked_on <= today))
    hours = minutes / 60
    return Item(f"At least {requirement.min_hours} approved hours as a {person.stage.label}",
                hours >= requirement.min_hours, f"{hours:g} of {requirement.min_hours} hours", fix="hours")


def _course_items(person: Person, target: Stage, today: date) -> list[Item]:
    courses = mandatory_courses(target, person.provider_id)
    records = latest_records([person.id])
    items = []
    for course in courses:
        record = records.get((person.id, course.id))
        if record is None:
            items.append(Item(course.name, False, "Not done yet", fix="course"))
            continue
        status = training_status(record.expires_on, today)
        if status == "expired":
            detail = f"{course.name} expired {record.expires_on:%-d %B %Y}"
        elif record.expires_on:
            detail = f"Done {record.completed_on:%-d %B %Y}, current until {record.expires_on:%-d %B %Y}"
        else:
            detail = f"Done {record.completed_on:%-d %B %Y}"
        items.append(Item(course.name, status != "expired", detail, fix="course"))
    return items


def _dbs_item(person: Person, target: Stage, requirement: StageRequirement | None, today: date, checks) -> Item:
    paid = target in PAID_STAGES
    barred = requirement is None or requirement.needs_barred_list
    found = checks.get((person.id, CheckKind.DBS), [])
    months = current_app.config.get("DBS_RECHECK_MONTHS", DBS_RECHECK_MONTHS)
    label = "Enhanced DBS check for a paid role" if paid else "Enhanced DBS check"
    problems = [dbs_problem(c, paid_role=paid, barred_list_needed=barred, today=today, recheck_months=months)
                for c in found] or [dbs_problem(None, paid_role=paid, barred_list_needed=barred, today=today)]
    for check, problem in zip(found, problems, strict=False):
        if problem is None:  # only whether they are cleared and when: the check's details are HR's
            due = dbs_due_on(check.checked_on, check.renew_on, months)
            return Item(label, True, f"Cleared for this role. Re-check due {due:%-d %B %Y}", hard=True, fix="dbs")
    return Item(label, False, problems[0], hard=True, fix="dbs")


def stage_requirements() -> dict[Stage, StageRequirement]:
    return {r.stage: r for r in db.session.scalars(select(StageRequirement))}


def clearance(person: Person, today: date, checks=None, requirements=None) -> Item:
    """Whether a person is cleared by DBS for the role they are in now, and when a re-check is due."""
    requirement = (requirements if requirements is not None else stage_requirements()).get(person.stage)
    return _dbs_item(person, person.stage, requirement, today,
                     checks if checks is not None else latest_checks([person.id]))


def _employment_items(person: Person, requirement, checks) -> list[Item]:
    items = []
    if requirement.needs_right_to_work:
        found = checks.get((person.id, CheckKind.RIGHT_TO_WORK), [])
        items.append(Item("Right to work check", bool(found),
                          "Checked" if found else "No check recorded", hard=True, fix="right_to_work"))
    if requirement.references_needed:
        count = len(checks.get((person.id, CheckKind.REFERENCE), []))
        items.append(Item(f"{requirement.references_needed} references", count >= requirement.references_needed,
                          f"{count} of {requirement.references_needed} received", hard=True, fix="reference"))
    return items


def checklist(person: Person, today: date, target: Stage | None = None) -> tuple[Stage | None, list[Item]]:
    """The next stage (or ``target``) and each of its requirements: met or not, and what is missing."""
    target = target or person.stage.next
    if target is None:
        return None, []
    requirement = effective_requirement(target, person.provider_id)
    checks = latest_checks([person.id])
    items = []
    if requirement and requirement.min_hours:
        items.append(_hours_item(person, requirement, today))
    items += _course_items(person, target, today)
    # A paid role always needs a check valid for paid work, whatever the requirement rows say.
    if requirement is None or requirement.needs_dbs or target in PAID_STAGES:
        items.append(_dbs_item(person, target, requirement, today, checks))
    if requirement and requirement.needs_recommendation:
        found = db.session.scalar(select(Recommendation).where(
            Recommendation.person_id == person.id, Recommendation.stage == target))
        items.append(Item("Recommendation from their area facilitator", found is not None,
                          f"Recommended {found.recommended_on:%-d %B %Y}" if found else "Not yet recommended",
                          fix="recommendation"))
    items += _employment_items(person, _employment_floor(requirement, target), checks)
    return target, items


@dataclass(frozen=True)
class Requirement:
    """What moving into a stage asks, the council's and the provider's own together."""
    min_hours: int
    needs_dbs: bool
    needs_recommendation: bool
    needs_right_to_work: bool
    references_needed: int
    needs_barred_list: bool


def effective_requirement(target: Stage, provider_id: int | None) -> Requirement | None:
    """The council's requirement for ``target`` made stricter, never looser, by the provider's own."""
    council = db.session.scalar(select(StageRequirement).where(StageRequirement.stage == target))
    own = db.session.scalar(select(ProviderRequirement).where(
        ProviderRequirement.stage == target, ProviderRequirement.provider_id == provider_id)) if provider_id else None
    if council is None and own is None:
        return None
    rows = [r for r in (council, own) if r is not None]
    return Requirement(
        min_hours=max(r.min_hours for r in rows), needs_dbs=any(r.needs_dbs for r in rows),
        needs_recommendation=any(r.needs_recommendation for r in rows),
        needs_right_to_work=any(r.needs_right_to_work for r in rows),
        references_needed=max(r.references_needed for r in rows),
        needs_barred_list=council.needs_barred_list if council is not None else True)


@dataclass(frozen=True)
class _Employment:
    needs_right_to_work: bool
    references_needed: int


def _employment_floor(requirement: Requirement | None, target: Stage) -> _Employment:
    """Right to work before any paid stage, and two references before employment, whatever the
    data says (a paid sessional role is work too)."""
    rtw = bool(requirement and requirement.needs_right_to_work) or target in PAID_STAGES
    references = requirement.references_needed if requirement else 0
    if target == Stage.EMPLOYEE:
        return _Employment(True, max(references, REFERENCES_FOR_EMPLOYMENT))
    return _Employment(rtw, references)


def progress(person: Person, *, post: Post, weekly_hours: Decimal, is_sessional: bool, on: date,
             actor, today: date, override_reason: str | None = None, to_stage: Stage | None = None,
             skip_reason: str | None = None):
    """Move a person on along the pathway: the one way a stage changes. Checks the
    target stage's requirements, ends their current post, starts the new one, awards
    the stage certificate and writes the audit history.

    Soft requirements (hours, a recommendation, a course that can be caught up) may be
    waived with a recorded reason; hard ones (a DBS check valid for the role, right to
    work and references before employment) never are. Skipping a stage needs a reason.

    :raises TrainingError: naming what is missing, or when acting on one's own record.
    """
    refuse_own(actor, "move_on", person, lambda message: TrainingError({"post_id": message}))
    target = to_stage or person.stage.next
    if target is None:
        raise TrainingError({"post_id": f"{person.name} is already at the last stage"})
    order = list(Stage)
    if order.index(target) <= order.index(person.stage):
        raise TrainingError({"post_id": f"{person.name} is already a {person.stage.label}"})
    skipped = order[order.index(person.stage) + 1:order.index(target)]
    if skipped and not (skip_reason or "").strip():
        raise TrainingError({"skip_reason": "Enter why " + ", ".join(s.label for s in skipped) + " is being skipped"})
    _, items = checklist(person, today, target)
    unmet = [item for item in items if not item.met]
    hard = [item for item in unmet if item.hard]
    if hard:
        raise TrainingError({"override_reason": "These cannot be waived: "
                             + "; ".join(f"{i.label} ({i.detail})" for i in hard)})
    override = (override_reason or "").strip()
    if unmet and not override:
        raise TrainingError({"override_reason": "Not every requirement is met: "
                             + "; ".join(f"{i.label} ({i.detail})" for i in unmet)
                             + ". Record a reason to go ahead anyway"})
    reason = "Met every requirement" if not unmet else f"Override: {override}"
    if skipped:
        reason += f". Skipped {', '.join(s.label for s in skipped)}: {skip_reason.strip()}"
    _start_contract(person, post=post, weekly_hours=weekly_hours, is_sessional=is_sessional, on=on, actor=actor)
    change = record_stage_change(person, target, on=on, actor=actor, reason=reason)
    if unmet:
        audit.record(actor=actor, action="override", entity=person,
                     summary=f"Moved to {target.label} without: "
                             + "; ".join(i.label for i in unmet) + f". Reason: {override}")
    issue_stage_certificate(person, target, on=on, actor=actor)
    db.session.flush()
    return change


def _start_contract(person: Person, *, post: Post, weekly_hours: Decimal, is_sessional: bool, on: date,
                    actor) -> None:
    """The new post, through the one service that starts and ends contracts."""
    try:
        move_to_post(person, post=post, weekly_hours=weekly_hours, is_sessional=is_sessional, starts_on=on,
                     actor=actor)
    except ContractError as error:
        field, message = error.args
        raise TrainingError({CONTRACT_FIELDS.get(field, "post_id"): message}) from error


def correct_last_stage_change(person: Person, *, reason: str, actor, now) -> None:
    """Undo a wrongly recorded move: the stage, the contract it started and its certificate.

    The audit history keeps what was corrected and why; the figures no longer count it.

    :raises TrainingError: with no reason, on one's own record, or when there is no move to correct.
    """
    refuse_own(actor, "move_on", person, lambda message: TrainingError({"reason": message}))
    if not (reason or "").strip():
        raise TrainingError({"reason": "Enter what was wrong with the recorded change"})
    if len(person.stage_changes) < 2:
        raise TrainingError({"reason": f"{person.name} has no stage change to correct"})
    wrong = person.stage_changes[-1]
    for model in (Contract, VolunteerRole):  # the post it started goes; the one it ended runs on
        for started in db.session.scalars(select(model).where(model.person_id == person.id,
                                                             model.starts_on == wrong.changed_on)).all():
            db.session.delete(started)
        for ended in db.session.scalars(select(model).where(
                model.person_id == person.id, model.ends_on == wrong.changed_on - timedelta(days=1))):
            ended.ends_on = None
    revoke_stage_certificate(person, wrong.to_stage, reason=f"Stage change corrected: {reason.strip()}",
                             actor=actor, now=now)
    summary = (f"Corrected the stage change of {wrong.changed_on:%-d %B %Y} from {wrong.from_stage.label} "
               f"to {wrong.to_stage.label} (recorded as: {wrong.reason}). Why: {reason.strip()}")
    person.stage = wrong.from_stage
    person.stage_changes.remove(wrong)
    db.session.flush()
    audit.record(actor=actor, action="correct_stage", entity=person, summary=summary,
                 changes={"stage": [wrong.to_stage.value, wrong.from_stage.value]})
