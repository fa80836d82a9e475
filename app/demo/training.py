"""The demo training catalogue, everyone's training and checks, and the certificates they earned."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.certificates.services import award_milestones, issue_stage_certificate
from app.extensions import db
from app.models.auth import User
from app.models.certificates import Certificate, CertificateKind
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person, Provider, Stage
from app.models.training import CheckKind, Course, CourseStageRow, TrainingRecord, TrainingResult
from app.training.services import record_check, record_training

V, C, E = Stage.VOLUNTEER, Stage.CO_FACILITATOR, Stage.EMPLOYEE
# (name, run by, hours, cost in pence, validity in months, stages that must have it)
CATALOGUE = [
    ("Safeguarding children (level 1)", "Kent Safeguarding Children Multi-Agency Partnership", 3, 0, 12, [V, C, E]),
    ("Safeguarding children (level 2)", "Kent Safeguarding Children Multi-Agency Partnership", 6, 4500, 36, [C, E]),
    ("Data protection (UK GDPR)", "Kent Parent Pathways CIC", 2, 0, 12, [V, C, E]),
    ("Lone working", "Kent Parent Pathways CIC", 2, 2500, 36, [C, E]),
    ("First aid at work", "St John Ambulance", 6, 9500, 36, [E]),
    ("Equality and diversity", "Kent Parent Pathways CIC", 3, 0, 36, [C, E]),
    ("Facilitation skills", "Kent Parent Pathways CIC", 12, 15000, None, [C]),
    ("Cygnet facilitator training", "Barnardo's", 18, 45000, None, []),
    ("EarlyBird licensed user training", "National Autistic Society", 21, 110000, None, []),
]


def load_catalogue() -> dict[str, Course]:
    courses = {}
    for name, run_by, hours, cost, months, stages in CATALOGUE:
        course = db.session.scalar(select(Course).where(Course.name == name))
        if course is None:
            course = Course(name=name, provider_name=run_by, hours=hours, cost_pence=cost, validity_months=months,
                            required_rows=[CourseStageRow(stage=s) for s in stages])
            db.session.add(course)
        courses[name] = course
    db.session.flush()
    return courses


def _train(person: Person, courses, hr: User, today: date, rng: random.Random) -> None:
    """Required courses for the stages they have held, some now out of date, as in real life."""
    stages = {change.to_stage for change in person.stage_changes}
    for name, *_, months, required in CATALOGUE:
        if not stages & set(required) and not (name.startswith(("Cygnet", "EarlyBird")) and C in stages):
            continue
        if name.startswith(("Cygnet", "EarlyBird")) and rng.random() < 0.5:
            continue
        latest = min(today - timedelta(days=1), person.left_on or today)
        done = person.joined_on + timedelta(days=rng.randint(14, 60))
        while done <= latest:
            record_training(person, courses[name], completed_on=done, result=TrainingResult.PASSED,
                            cost_pence=None, actor=hr, today=today)
            if not months or rng.random() < 0.12:  # one in eight lets a refresher lapse
                break
            done += timedelta(days=months * 30 + rng.randint(-20, 5))


def _check(person: Person, hr: User, today: date, rng: random.Random) -> None:
    record_check(person, kind=CheckKind.DBS, checked_on=person.joined_on - timedelta(days=21), barred_list=True,
                 update_service=True, renew_on=person.joined_on + timedelta(days=3 * 365 - 21), actor=hr, today=today)
    paid = next((c.changed_on for c in person.stage_changes if c.to_stage != V), None)
    if paid:
        record_check(person, kind=CheckKind.DBS, checked_on=paid - timedelta(weeks=2), barred_list=True,
                     for_paid_role=True, update_service=rng.random() < 0.8,
                     renew_on=paid + timedelta(days=3 * 365 - 14), actor=hr, today=today)
    if paid:  # right to work before any paid stage, Parent Co-Facilitator included
        record_check(person, kind=CheckKind.RIGHT_TO_WORK, checked_on=paid - timedelta(days=20), actor=hr, today=today)
    if person.stage == E:
        for _ in range(2):
            record_check(person, kind=CheckKind.REFERENCE, checked_on=paid - timedelta(days=25), actor=hr,
                         today=today)


def load_training(provider: Provider, today: date) -> None:
    """Give everyone their training, checks and earned certificates, unless already done."""
    courses = load_catalogue()
    people = db.session.scalars(select(Person).where(Person.provider_id == provider.id)).all()
    if db.session.scalar(select(TrainingRecord.id).where(TrainingRecord.person_id.in_([p.id for p in people]))
                         .limit(1)):
        return
    hr = db.session.scalar(select(User).where(User.email == "hr@example.org"))
    rng = random.Random(7)
    for person in people:
        _train(person, courses, hr, today, rng)
        _check(person, hr, today, rng)
        for change in person.stage_changes[1:]:
            issue_stage_certificate(person, change.to_stage, on=change.changed_on, actor=hr)
    award_milestones([p.id for p in people], today=today, actor=hr)
    _date_milestones([p.id for p in people])


def _date_milestones(person_ids: list[int]) -> None:
    """A milestone is dated the day its hours were reached, not the day the demo was loaded."""
    certificates = db.session.scalars(select(Certificate).where(
        Certificate.person_id.in_(person_ids), Certificate.kind == CertificateKind.MILESTONE)).all()
    by_person: dict[int, list] = {}
    for certificate in certificates:
        by_person.setdefault(certificate.person_id, []).append(certificate)
    for person_id, theirs in by_person.items():
        days = db.session.execute(select(HoursEntry.worked_on, HoursEntry.minutes).where(
            HoursEntry.person_id == person_id, HoursEntry.status == HoursStatus.APPROVED)
            .order_by(HoursEntry.worked_on)).all()
        for certificate in theirs:
            total = 0
            for worked_on, minutes in days:
                total += minutes
                if total >= certificate.milestone_hours * 60:
                    certificate.issued_on = worked_on
                    break
