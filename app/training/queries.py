"""Compliance and pathway figures, in a fixed number of queries whatever the size."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, and_, bindparam, func, literal, or_, select, true, union_all
from sqlalchemy.orm import joinedload

from app.access import person_scope, settings_scope
from app.extensions import db
from app.models.people import LeavingReason, Person, Provider, Stage, StageChange
from app.models.training import (
    Check,
    CheckKind,
    Course,
    CourseStageRow,
    StageRequirement,
    TrainingRecord,
    TrainingResult,
)
from app.statements import DAY, PROVIDER, built_once, params
from app.training.progression import PAID_STAGES, clearance, stage_requirements

from .current import in_force
from .rules import DBS_RECHECK_MONTHS, add_months, training_status
from .services import latest_checks, latest_records

# Training and checks expiring within this many days are "due".
DUE_WITHIN_DAYS = 30


def in_post(day: date):
    return and_(Person.joined_on <= day, or_(Person.left_on.is_(None), Person.left_on >= day))


def _current_needed(scope, day):
    """For each person in post on ``day`` (a date or a parameter), how many of their mandatory courses (their stage's,
    council-wide or their provider's own) their record in force on ``day`` keeps current (their
    latest passed or attended record by then, the last entered of two on a day, as
    ``latest_records`` picks it; ``app.training.current`` keeps which that is on the records): a
    subquery of (person_id, n). A person has one record in force for a course on a day, so the
    records are counted as they are, without sorting them to count each course once."""
    return (select(TrainingRecord.person_id, func.count().label("n"))
            .join(Person, Person.id == TrainingRecord.person_id)
            .join(CourseStageRow, and_(CourseStageRow.course_id == TrainingRecord.course_id,
                                       CourseStageRow.stage == Person.stage))
            .join(Course, and_(Course.id == TrainingRecord.course_id, Course.is_active,
                               or_(Course.provider_id.is_(None), Course.provider_id == Person.provider_id)))
            .where(scope, in_post(day), in_force(day),
                   or_(TrainingRecord.expires_on.is_(None), TrainingRecord.expires_on > day))
            .group_by(TrainingRecord.person_id).subquery())


def checked_after(day: date, months: int) -> date:
    """The first issue date whose default re-check (``months`` after it) falls after ``day``:
    a DBS check with no next-check date is current on ``day`` if issued on or after this (the
    rule of ``rules.dbs_due_on``, month ends included, as one comparison SQL can make)."""
    first = add_months(day, -months) - timedelta(days=4)
    while add_months(first, months) <= day:
        first += timedelta(days=1)
    return first


def compliance_counts(scope, day: date, by=Person.area_id) -> tuple[dict, dict]:
    """People in post whose mandatory training is all current, and whose DBS check is valid for
    their role, on ``day``, counted in SQL by ``by`` (a column of Person): the rule the
    compliance page applies to each person (``compliance``), for any number of people."""
    return _counted(_compliance_statement(scope, by), _days(day))


def provider_compliance_counts(provider_id: int | None, day: date) -> tuple[dict, dict]:
    """``compliance_counts`` by area for one provider's people, or every provider's (None), from
    statements built once (the return's)."""
    return _counted(_provider_compliance(provider_id is None), params(provider_id, **_days(day)))


@built_once
def _provider_compliance(every: bool):
    return _compliance_statement(true() if every else Person.provider_id == PROVIDER, Person.area_id)


def _days(day: date) -> dict:
    from flask import current_app

    return {"day": day, "issued_from": checked_after(day, current_app.config.get("DBS_RECHECK_MONTHS",
                                                                                  DBS_RECHECK_MONTHS))}


def _counted(statement, values: dict) -> tuple[dict, dict]:
    training: dict = {}
    dbs: dict = {}
    for counts_dbs, key, n in db.session.execute(statement, values):
        (dbs if counts_dbs else training)[key] = n
    return training, dbs


def _compliance_statement(scope, by):
    """The training and the DBS counts' statement, run with ``day`` and ``issued_from``: rows of
    (whether it counts DBS, ``by``, how many)."""
    # Mandatory courses: the council-wide ones for the stage, and the person's provider's own.
    needed_council = (select(CourseStageRow.stage, func.count().label("n"))
                      .join(Course, Course.id == CourseStageRow.course_id)
                      .where(Course.is_active, Course.provider_id.is_(None)).group_by(CourseStageRow.stage).subquery())
    needed_own = (select(Course.provider_id, CourseStageRow.stage, func.count().label("n"))
                  .join(Course, Course.id == CourseStageRow.course_id)
                  .where(Course.is_active, Course.provider_id.is_not(None))
                  .group_by(Course.provider_id, CourseStageRow.stage).subquery())
    have = _current_needed(scope, DAY)
    trained = (func.coalesce(have.c.n, 0)
               >= func.coalesce(needed_council.c.n, 0) + func.coalesce(needed_own.c.n, 0))
    # The rule of app.training.rules.dbs_problem, in SQL: not overdue (a check with no next
    # date is due after the configured interval: issued on or after ``issued_from``,
    # ``checked_after``), for paid work when paid, with the children's barred list where the
    # stage needs it.
    # Needed unless the stage's requirements say otherwise (a stage with no row needs it).
    # (Both name the outer query's person: left to itself, the inner one would read every person.)
    barred_waived = (select(StageRequirement.id).where(StageRequirement.stage == Person.stage,
                                                       ~StageRequirement.needs_barred_list)
                     .correlate(Person).exists())
    valid_check = (select(Check.id).where(
        Check.person_id == Person.id, Check.kind == CheckKind.DBS, Check.checked_on <= DAY,
        or_(Check.renew_on > DAY, and_(Check.renew_on.is_(None), Check.checked_on >= bindparam("issued_from"))),
        or_(Check.for_paid_role, Person.stage.not_in(PAID_STAGES)),
        or_(Check.barred_list, barred_waived)).correlate(Person).exists())
    # Two counts, one after the other in one statement: as a filter on one pass, the check's test
    # ran once a person, over every check.
    training = (select(literal(False).label("dbs"), by, func.count())
                .outerjoin(needed_council, needed_council.c.stage == Person.stage)
                .outerjoin(needed_own, and_(needed_own.c.stage == Person.stage,
                                            needed_own.c.provider_id == Person.provider_id))
                .outerjoin(have, have.c.person_id == Person.id)
                .where(scope, in_post(DAY), trained).group_by(by))
    dbs = select(literal(True).label("dbs"), by, func.count()).where(scope, in_post(DAY), valid_check).group_by(by)
    return union_all(training, dbs)


def compliance_by_provider(user, *, today: date, area_id: int | None = None) -> list[tuple[str, list[int]]]:
    """For each provider in the user's scope, by name: people on the pathway today, those whose
    mandatory training is all current and those cleared by DBS. Counts in SQL, no names: what
    the council sees, in a few queries however many people."""
    scope = person_scope(user) if area_id is None else and_(person_scope(user), Person.area_id == area_id)
    people = dict(db.session.execute(select(Person.provider_id, func.count()).where(scope, in_post(today))
                                     .group_by(Person.provider_id)).all())
    training, dbs = compliance_counts(scope, today, by=Person.provider_id)
    names = dict(db.session.execute(select(Provider.id, Provider.name).where(Provider.id.in_(list(people)))).all())
    return sorted((names[pid], [count, training.get(pid, 0), dbs.get(pid, 0)]) for pid, count in people.items())


@dataclass
class PersonCompliance:
    person: Person
    problems: list[str] = field(default_factory=list)
    # Current now, but expiring within DUE_WITHIN_DAYS: what to renew next.
    due: list[str] = field(default_factory=list)

    @property
    def training_ok(self) -> bool:
        return not [p for p in self.problems if not p.startswith("DBS")]

    @property
    def dbs_ok(self) -> bool:
        return not [p for p in self.problems if p.startswith("DBS")]


def _mandatory_by_stage() -> dict[Stage, list[Course]]:
    rows = db.session.execute(select(CourseStageRow.stage, Course).join(Course, Course.id == CourseStageRow.course_id)
                              .where(Course.is_active).order_by(Course.name)).all()
    by_stage: dict[Stage, list[Course]] = {}
    for stage, course in rows:
        by_stage.setdefault(stage, []).append(course)
    return by_stage


def _dbs_problem(person: Person, checks, today: date, requirements) -> str | None:
    """Whether the person's DBS check clears them for the role they are in now (the rule: rules.dbs_problem)."""
    item = clearance(person, today, checks, requirements)
    return None if item.met else f"DBS: {item.detail}"


def compliance(user, *, today: date, area_id: int | None = None, scope=None) -> list[PersonCompliance]:
    """Everyone current in scope, with what is missing or out of date for their stage.

    ``scope`` (an SQL condition on Person) replaces the user's scope, for reports.
    """
    query = (select(Person).where(person_scope(user) if scope is None else scope, in_post(today))
             .options(joinedload(Person.area)).order_by(Person.area_id, Person.last_name, Person.first_name))
    if area_id is not None:
        query = query.where(Person.area_id == area_id)
    people = list(db.session.scalars(query))
    ids = [p.id for p in people]
    soon = today + timedelta(days=DUE_WITHIN_DAYS)
    records, checks, mandatory = latest_records(ids), latest_checks(ids), _mandatory_by_stage()
    requirements = stage_requirements()
    results = []
    for person in people:
        item = PersonCompliance(person)
        for course in mandatory.get(person.stage, []):
            if course.provider_id not in (None, person.provider_id):
                continue  # another provider's own course
            record = records.get((person.id, course.id))
            if record is None:
                item.problems.append(f"{course.name}: not done")
            elif training_status(record.expires_on, today) == "expired":
                item.problems.append(f"{course.name}: expired {record.expires_on:%-d %B %Y}")
            elif record.expires_on is not None and record.expires_on <= soon:
                item.due.append(f"{course.name}: expires {record.expires_on:%-d %B %Y}")
        problem = _dbs_problem(person, checks, today, requirements)
        if problem:
            item.problems.append(problem)
        item.due += _checks_due(person, checks, today, soon)
        results.append(item)
    return results


def _checks_due(person: Person, checks, today: date, soon: date) -> list[str]:
    """The person's latest checks of each kind that run out between today and ``soon``."""
    due = []
    for kind in CheckKind:
        latest = checks.get((person.id, kind), [None])[0]
        if latest is not None and latest.renew_on is not None and today <= latest.renew_on <= soon:
            due.append(f"{kind.label}: renew by {latest.renew_on:%-d %B %Y}")
    return due


def overdue_or_due(rows: list[PersonCompliance], show: str) -> list[PersonCompliance]:
    """The people a to-do line counts: anything overdue or missing, or anything due soon."""
    if show == "overdue":
        return [row for row in rows if row.problems]
    if show == "due":
        return [row for row in rows if row.due]
    return rows


def pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def pathway_stats(user, *, start: date, end: date) -> dict:
    """Counts at each stage, progressions in a period, moves into paid roles, time in each stage,
    and the training people had completed before they progressed."""
    scope = person_scope(user)
    current = dict(db.session.execute(
        select(Person.stage, func.count()).where(scope, or_(Person.left_on.is_(None), Person.left_on >= end),
                                                 Person.joined_on <= end).group_by(Person.stage)).all())
    moves = db.session.execute(
        select(StageChange.from_stage, StageChange.to_stage, func.count())
        .join(Person, Person.id == StageChange.person_id)
        .where(scope, StageChange.from_stage.is_not(None), StageChange.changed_on.between(start, end))
        .group_by(StageChange.from_stage, StageChange.to_stage)).all()
    ever_volunteered = select(StageChange.person_id).where(StageChange.to_stage == Stage.VOLUNTEER)
    volunteers = db.session.scalar(select(func.count(func.distinct(Person.id))).where(
        scope, Person.id.in_(ever_volunteered)))
    moved_to_paid = db.session.scalar(
        select(func.count(func.distinct(StageChange.person_id))).join(Person, Person.id == StageChange.person_id)
        .where(scope, StageChange.from_stage == Stage.VOLUNTEER))
    left = db.session.execute(
        select(LeavingReason.label, LeavingReason.is_progression, func.count())
        .select_from(Person).outerjoin(LeavingReason, LeavingReason.id == Person.leaving_reason_id)
        .where(scope, Person.left_on.between(start, end))
        .group_by(LeavingReason.label, LeavingReason.is_progression, LeavingReason.sort_order)
        .order_by(LeavingReason.sort_order)).all()
    return {"current": current, "moves": moves, "volunteers": volunteers, "moved_to_paid": moved_to_paid,
            "leavers": [(label or "Not recorded", progression, n) for label, progression, n in left],
            "into_work_or_training": sum(n for _, progression, n in left if progression),
            "paid_share": pct(moved_to_paid or 0, volunteers or 0),
            "days_in_stage": _days_in_stage(scope), "training_before": _training_before(scope, start, end)}


def _days_in_stage(scope) -> dict[Stage, float]:
    """Average days spent in each stage, over stays that have ended (window function)."""
    following = func.lead(StageChange.changed_on, type_=Date).over(partition_by=StageChange.person_id,
                                                       order_by=(StageChange.changed_on, StageChange.id))
    stays = (select(StageChange.to_stage.label("stage"), StageChange.changed_on.label("entered"),
                    following.label("left")).join(Person, Person.id == StageChange.person_id).where(scope)
             .subquery())
    rows = db.session.execute(select(stays.c.stage, stays.c.entered, stays.c.left)
                              .where(stays.c.left.is_not(None))).all()
    totals: dict[Stage, list[int]] = {}
    for stage, entered, left in rows:
        totals.setdefault(stage, []).append((left - entered).days)
    return {stage: round(sum(days) / len(days)) for stage, days in totals.items()}


def _training_before(scope, start: date, end: date) -> list[tuple[str, int, int]]:
    """For progressions in the period: each course and how many had completed it beforehand."""
    progressed = (select(StageChange.person_id, StageChange.changed_on)
                  .join(Person, Person.id == StageChange.person_id)
                  .where(scope, StageChange.from_stage.is_not(None), StageChange.changed_on.between(start, end))
                  .subquery())
    total = db.session.scalar(select(func.count()).select_from(progressed))
    rows = db.session.execute(
        select(Course.name, func.count(func.distinct(progressed.c.person_id)))
        .join(TrainingRecord, TrainingRecord.course_id == Course.id)
        .join(progressed, and_(progressed.c.person_id == TrainingRecord.person_id,
                               TrainingRecord.completed_on <= progressed.c.changed_on))
        .where(TrainingRecord.result != TrainingResult.FAILED)
        .group_by(Course.name).order_by(func.count(func.distinct(progressed.c.person_id)).desc())).all()
    return [(name, count, total) for name, count in rows]


def course_choices(user) -> list[tuple[int, str]]:
    """The active courses ``user`` may record (their provider's own and the council's), by name,
    as (id, name) for a select."""
    return [(c.id, c.name) for c in db.session.scalars(
        select(Course).where(Course.is_active, settings_scope(Course, user)).order_by(Course.name))]
