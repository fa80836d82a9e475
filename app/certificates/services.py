"""Issuing, revoking and checking certificates. Milestones are awarded when hours
are approved, exactly once each (a unique index holds that even under a race)."""

from datetime import date, datetime

from sqlalchemy import and_, func, select

from app.audit import services as audit
from app.extensions import db
from app.models.certificates import MILESTONES, Certificate, CertificateKind
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person, Stage, StageChange
from app.notify import link, tell


def _issue(person_id: int, *, kind: CertificateKind, title: str, issued_on: date, actor,
           provider_id: int | None = None, **links) -> Certificate:
    certificate = Certificate(person_id=person_id, kind=kind, title=title, issued_on=issued_on,
                              issued_by_id=actor.id if actor else None, **links)
    db.session.add(certificate)
    db.session.flush()
    audit.record(actor=actor, action="certificate", entity=certificate, provider_id=provider_id,
                 summary=f"Certificate {certificate.number} issued: {title}")
    tell(db.session.get(Person, person_id), f"You have a new certificate: {title}", lambda: (
         f"Well done. Your certificate \"{title}\" is ready to download and print: "
         f"{link('certificates.download', certificate_id=certificate.id)}"))
    return certificate


def issue_course_certificate(record, course, *, actor) -> Certificate:
    existing = db.session.scalar(select(Certificate).where(Certificate.training_record_id == record.id))
    if existing:
        return existing
    return _issue(record.person_id, kind=CertificateKind.COURSE, title=f"Completed {course.name}",
                  issued_on=record.completed_on, actor=actor, training_record_id=record.id,
                  provider_id=record.person.provider_id)


def issue_stage_certificate(person: Person, stage: Stage, *, on: date, actor) -> Certificate:
    existing = db.session.scalar(select(Certificate).where(
        Certificate.person_id == person.id, Certificate.stage == stage, Certificate.revoked_at.is_(None)))
    if existing:
        return existing
    return _issue(person.id, kind=CertificateKind.STAGE, title=f"Became a {stage.label}", issued_on=on,
                  actor=actor, stage=stage, provider_id=person.provider_id)


def volunteer_minutes(person_ids: list[int]) -> dict[int, int]:
    """Approved minutes each person gave while a volunteer (before first moving on), in SQL."""
    moved_on = (select(StageChange.person_id, func.min(StageChange.changed_on).label("moved_on"))
                .where(StageChange.from_stage == Stage.VOLUNTEER).group_by(StageChange.person_id).subquery())
    rows = db.session.execute(
        select(HoursEntry.person_id, func.sum(HoursEntry.minutes))
        .outerjoin(moved_on, moved_on.c.person_id == HoursEntry.person_id)
        .join(StageChange, and_(StageChange.person_id == HoursEntry.person_id,
                                StageChange.from_stage.is_(None), StageChange.to_stage == Stage.VOLUNTEER))
        .where(HoursEntry.person_id.in_(person_ids), HoursEntry.status == HoursStatus.APPROVED,
               (moved_on.c.moved_on.is_(None)) | (HoursEntry.worked_on < moved_on.c.moved_on))
        .group_by(HoursEntry.person_id))
    return {person_id: int(minutes) for person_id, minutes in rows}


def award_milestones(person_ids, *, today: date, actor) -> list[Certificate]:
    """Issue any volunteer-hour milestone certificates newly reached; never one twice."""
    person_ids = sorted(set(person_ids))
    if not person_ids:
        return []
    minutes = volunteer_minutes(person_ids)
    held = {tuple(row) for row in db.session.execute(select(Certificate.person_id, Certificate.milestone_hours).where(
        Certificate.person_id.in_(person_ids), Certificate.milestone_hours.is_not(None)))}
    providers = dict(db.session.execute(
        select(Person.id, Person.provider_id).where(Person.id.in_(person_ids))).all())
    issued = []
    for person_id in person_ids:
        for hours in MILESTONES:
            if minutes.get(person_id, 0) >= hours * 60 and (person_id, hours) not in held:
                issued.append(_issue(person_id, kind=CertificateKind.MILESTONE,
                                     title=f"{hours} hours volunteering with families", issued_on=today,
                                     actor=actor, milestone_hours=hours, provider_id=providers[person_id]))
    return issued


def revoke(certificate: Certificate, *, reason: str, actor, now: datetime) -> None:
    """:raises ValueError: without a reason, or if it is already revoked."""
    if certificate.revoked_at is not None:
        raise ValueError("This certificate has already been revoked")
    if not reason or not reason.strip():
        raise ValueError("Enter the reason for revoking it")
    certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by_id = now, reason.strip(), actor.id
    audit.record(actor=actor, action="revoke", entity=certificate, provider_id=certificate.person.provider_id,
                 summary=f"Certificate {certificate.number} revoked: {reason.strip()}")
    db.session.flush()


def revoke_stage_certificate(person: Person, stage: Stage, *, reason: str, actor, now: datetime) -> None:
    """Revoke the certificate for reaching ``stage``, if there is one still standing."""
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.person_id == person.id, Certificate.stage == stage, Certificate.revoked_at.is_(None)))
    if certificate is not None:
        revoke(certificate, reason=reason, actor=actor, now=now)


def find_by_number(number: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.number == number.strip().upper()))
