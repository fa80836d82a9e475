"""Recording training, checks and recommendations. Each takes the acting user,
writes the audit history and flushes; the caller commits."""

from datetime import date

from sqlalchemy import func, select

from app.access import refuse_own
from app.audit import services as audit
from app.certificates.services import issue_course_certificate
from app.extensions import db
from app.models.people import Person, Stage
from app.models.training import Check, CheckKind, Course, CourseStageRow, Recommendation, TrainingRecord, TrainingResult

from .rules import expiry_date


class TrainingError(ValueError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def record_training(person: Person, course: Course, *, completed_on: date, result: TrainingResult,
                    cost_pence: int | None, actor, today: date, earliest: date | None = None) -> TrainingRecord:
    """Record a completed course; a pass or attendance earns a course certificate. ``earliest``
    allows a course before they joined (done on the way in, from that date).

    :raises TrainingError: for a date in the future or outside their time on the pathway.
    """
    refuse_own(actor, "record_training", person, lambda message: TrainingError({"completed_on": message}))
    if completed_on > today:
        raise TrainingError({"completed_on": "The date must be today or in the past"})
    if completed_on < min(person.joined_on, earliest or person.joined_on) or (
            person.left_on and completed_on > person.left_on):
        raise TrainingError({"completed_on": f"{person.name} was not on the pathway on that date"})
    record = TrainingRecord(person_id=person.id, course_id=course.id, completed_on=completed_on,
                            expires_on=expiry_date(completed_on, course.validity_months), result=result,
                            cost_pence=course.cost_pence if cost_pence is None else cost_pence,
                            recorded_by_id=actor.id if actor else None)
    db.session.add(record)
    db.session.flush()
    audit.record(actor=actor, action="training", entity=person,
                 summary=f"{course.name} {result.value} on {completed_on:%-d %B %Y}")
    if result != TrainingResult.FAILED:
        issue_course_certificate(record, course, actor=actor)
    return record


def record_attendance(people: list[Person], course: Course, *, completed_on: date, actor,
                      today: date) -> list[TrainingRecord]:
    """Record a whole session's attendance, all or none.

    :raises TrainingError: naming everyone whose record could not be made.
    """
    problems = {}
    for person in people:
        if actor is not None and person.id == actor.person_id:
            problems[f"person-{person.id}"] = "You cannot record your own attendance: ask HR"
        elif completed_on < person.joined_on or (person.left_on and completed_on > person.left_on):
            problems[f"person-{person.id}"] = f"{person.name} was not on the pathway on that date"
    if completed_on > today:
        problems["completed_on"] = "The date must be today or in the past"
    if problems:
        raise TrainingError(problems)
    return [record_training(p, course, completed_on=completed_on, result=TrainingResult.ATTENDED,
                            cost_pence=None, actor=actor, today=today) for p in people]


def record_check(person: Person, *, kind: CheckKind, checked_on: date, actor, today: date,
                 reference_number: str | None = None, barred_list: bool = False,
                 for_paid_role: bool = False, update_service: bool = False,
                 renew_on: date | None = None, note: str | None = None) -> Check:
    """Record a DBS, right to work or reference check (its record, never its content).

    :raises TrainingError: for a date in the future or a renewal date before the check.
    """
    refuse_own(actor, "record_checks", person, lambda message: TrainingError({"checked_on": message}))
    if checked_on > today:
        raise TrainingError({"checked_on": "The date must be today or in the past"})
    if renew_on is not None and renew_on <= checked_on:
        raise TrainingError({"renew_on": "The next check must be after this one"})
    check = Check(person_id=person.id, kind=kind, checked_on=checked_on, reference_number=reference_number,
                  barred_list=barred_list, for_paid_role=for_paid_role, update_service=update_service,
                  renew_on=renew_on, note=note, recorded_by_id=actor.id if actor else None)
    db.session.add(check)
    db.session.flush()
    audit.record(actor=actor, action="check", entity=person,
                 # The check's details stay in its HR-only record, not in the history others read.
                 summary=f"{kind.label} recorded")
    return check


def recommend(person: Person, stage: Stage, *, on: date, note: str | None, actor) -> Recommendation:
    """Record (or renew) a manager's recommendation for the next stage.

    :raises TrainingError: for a recommendation of oneself.
    """
    refuse_own(actor, "recommend", person, lambda message: TrainingError({"note": message}))
    existing = db.session.scalar(select(Recommendation).where(
        Recommendation.person_id == person.id, Recommendation.stage == stage))
    if existing is None:
        existing = Recommendation(person_id=person.id, stage=stage)
        db.session.add(existing)
    elif (existing.recommended_on, existing.note, existing.recommended_by_id) == (on, note, actor.id):
        return existing  # the same recommendation again (a double click, a resend): one open, one audit line
    existing.recommended_on, existing.note, existing.recommended_by_id = on, note, actor.id
    db.session.flush()
    audit.record(actor=actor, action="recommend", entity=person,
                 summary=f"Recommended for {stage.label}" + (f": {note}" if note else ""))
    return existing


def latest_records(person_ids: list[int]) -> dict[tuple[int, int], TrainingRecord]:
    """Each person's most recent passed or attended record of each course (of two on one day,
    the last entered), in one query."""
    if not person_ids:
        return {}
    latest = (select(TrainingRecord.person_id, TrainingRecord.course_id,
                     func.max(TrainingRecord.completed_on).label("completed_on"))
              .where(TrainingRecord.person_id.in_(person_ids), TrainingRecord.result != TrainingResult.FAILED)
              .group_by(TrainingRecord.person_id, TrainingRecord.course_id).subquery())
    rows = db.session.scalars(
        select(TrainingRecord).join(latest, (latest.c.person_id == TrainingRecord.person_id)
                                    & (latest.c.course_id == TrainingRecord.course_id)
                                    & (latest.c.completed_on == TrainingRecord.completed_on))
        .where(TrainingRecord.result != TrainingResult.FAILED).order_by(TrainingRecord.id))
    # Two records on the latest day: the last entered (as the compliance counts pick it).
    return {(r.person_id, r.course_id): r for r in rows}


def mandatory_courses(stage: Stage, provider_id: int) -> list[Course]:
    """The courses a stage requires at a provider: the council-wide ones and the provider's own."""
    return list(db.session.scalars(
        select(Course).join(CourseStageRow, CourseStageRow.course_id == Course.id)
        .where(CourseStageRow.stage == stage, Course.is_active,
               Course.provider_id.is_(None) | (Course.provider_id == provider_id)).order_by(Course.name)))


def latest_checks(person_ids: list[int]) -> dict[tuple[int, CheckKind], list[Check]]:
    checks: dict[tuple[int, CheckKind], list[Check]] = {}
    if not person_ids:
        return checks
    for check in db.session.scalars(select(Check).where(Check.person_id.in_(person_ids))
                                    .order_by(Check.checked_on.desc(), Check.id.desc())):
        checks.setdefault((check.person_id, check.kind), []).append(check)
    return checks
