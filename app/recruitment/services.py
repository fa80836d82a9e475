"""The way in: a parent's expression of interest, moved through the provider's stages to their
first day as a Parent Volunteer, or withdrawn with a reason. Each function audits and flushes;
the caller commits."""

import hashlib
import io
import secrets
from datetime import UTC, date, datetime, timedelta

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from sqlalchemy import func, select

from app.access import recruiters
from app.audit import services as audit
from app.equality import services as equality
from app.extensions import db
from app.formatting import long_date
from app.mail import send_email
from app.models.audit import AuditEvent
from app.models.auth import User
from app.models.people import Area, Person, Provider, Stage
from app.models.recruitment import (
    DEFAULT_STAGES,
    WITHDRAWN_BECAUSE,
    Applicant,
    ApplicantRecord,
    ApplicantReference,
    RecruitmentStage,
)
from app.models.training import CheckKind, Course, TrainingResult
from app.people.services import PersonError, create_person
from app.training import services as training
from app.views import public_url


class RecruitmentError(ValueError):
    """A rule was broken; args are (field name, message)."""


def stages_for(provider_id: int) -> list[RecruitmentStage]:
    """The provider's stages in order, made from the defaults the first time they are asked for."""
    stages = list(db.session.scalars(select(RecruitmentStage).where(RecruitmentStage.provider_id == provider_id)
                                     .order_by(RecruitmentStage.sort_order, RecruitmentStage.id)))
    if not stages:
        stages = [RecruitmentStage(provider_id=provider_id, name=name, sort_order=index)
                  for index, name in enumerate(DEFAULT_STAGES)]
        db.session.add_all(stages)
        db.session.flush()
    return stages


def express_interest(provider: Provider, *, first_name: str, last_name: str, email: str | None, phone: str | None,
                     contact_by: str, area: Area, heard_from: str, interests: str, now: datetime,
                     equality_answers: dict[str, str | None] | None = None) -> Applicant:
    """A parent's "I'd like to help", from the public page: kept at the first stage, and the
    provider's HR (and the area's facilitator) are told by email. Any equality questions they
    chose to answer are kept apart (``app.equality``)."""
    applicant = Applicant(provider_id=provider.id, area_id=area.id, first_name=first_name.strip(),
                          last_name=last_name.strip(), email=(email or "").strip() or None,
                          phone=(phone or "").strip() or None, contact_by=contact_by, heard_from=heard_from,
                          interests=(interests or "").strip(), consented_at=now, created_at=now,
                          last_activity_at=now, stage_id=stages_for(provider.id)[0].id)
    db.session.add(applicant)
    db.session.flush()
    if equality_answers and any(equality_answers.values()):
        equality.save_answers(equality_answers, applicant=applicant)
    audit.record(actor=None, action="create", entity=applicant, provider_id=provider.id,
                 summary=f"{applicant.name} expressed an interest in volunteering in {area.name}")
    link = public_url("recruitment.view_applicant", applicant_id=applicant.id)
    for user in db.session.scalars(select(User).where(recruiters(provider.id, area.id), User.is_enabled.is_(True),
                                                      User.email_notifications.is_(True))):
        send_email(user.email, "A parent would like to help",
                   f"{applicant.name} has said they would like to help in {area.name}.\n\n"
                   f"See what they told us and get in touch: {link}", provider_id=provider.id)
    return applicant


def _touch(applicant: Applicant, now: datetime) -> None:
    applicant.last_activity_at = now


def _refuse_closed(applicant: Applicant) -> None:
    if applicant.started_on is not None:
        raise RecruitmentError("stage_id", f"{applicant.name} has started as a Parent Volunteer")
    if applicant.withdrawn_on is not None:
        raise RecruitmentError("stage_id", f"{applicant.name} withdrew on {long_date(applicant.withdrawn_on)}")


def move_to_stage(applicant: Applicant, *, stage_id: int, actor, now: datetime) -> None:
    """:raises RecruitmentError: for another provider's stage, the stage they are at, or a closed application."""
    _refuse_closed(applicant)
    stage = db.session.get(RecruitmentStage, stage_id)
    if stage is None or stage.provider_id != applicant.provider_id:
        raise RecruitmentError("stage_id", "Select one of your stages")
    if stage.id == applicant.stage_id:
        raise RecruitmentError("stage_id", f"{applicant.name} is already at {stage.name}")
    before = applicant.stage.name if applicant.stage else "no stage"
    applicant.stage_id = stage.id
    _touch(applicant, now)
    db.session.flush()
    audit.record(actor=actor, action="update", entity=applicant, provider_id=applicant.provider_id,
                 summary=f"Moved {applicant.name} from {before} to {stage.name}")


def withdraw(applicant: Applicant, *, reason: str, note: str, on: date, actor, now: datetime) -> None:
    """:raises RecruitmentError: for an unknown reason, no note for "another reason", or a closed application."""
    _refuse_closed(applicant)
    if reason not in WITHDRAWN_BECAUSE:
        raise RecruitmentError("reason", "Select why they withdrew")
    if reason == "other" and not (note or "").strip():
        raise RecruitmentError("note", "Say what the other reason was")
    applicant.withdrawn_on, applicant.withdrawn_reason = on, reason
    applicant.withdrawn_note = (note or "").strip()[:200] or None
    _touch(applicant, now)
    db.session.flush()
    audit.record(actor=actor, action="update", entity=applicant, provider_id=applicant.provider_id,
                 summary=f"{applicant.name} withdrew on {long_date(on)}: {WITHDRAWN_BECAUSE[reason]}")


def start_as_volunteer(applicant: Applicant, *, on: date, actor, now: datetime) -> Person:
    """Make the applicant a Parent Volunteer from ``on``: their person record is made from what
    they told us (nothing typed twice) and linked to the application.

    :raises RecruitmentError: for a closed application, a day before they expressed an interest,
        or an email address another person at the provider already has.
    """
    _refuse_closed(applicant)
    if on < applicant.created_at.date():
        raise RecruitmentError("started_on", "The first day must be on or after they expressed an interest, "
                                             f"{long_date(applicant.created_at.date())}")
    try:
        person = create_person(provider_id=applicant.provider_id, stage=Stage.VOLUNTEER, actor=actor,
                               first_name=applicant.first_name, last_name=applicant.last_name, email=applicant.email,
                               phone=applicant.phone, area_id=applicant.area_id, joined_on=on,
                               )
    except PersonError as error:
        raise RecruitmentError("started_on", error.args[1] if len(error.args) > 1 else str(error)) from error
    applicant.person_id, applicant.started_on = person.id, on
    equality.carry_to_person(applicant, person)
    _carry_records(applicant, person, actor=actor, now=now)
    applicant.stage_id = stages_for(applicant.provider_id)[-1].id
    _touch(applicant, now)
    db.session.flush()
    audit.record(actor=actor, action="update", entity=applicant, provider_id=applicant.provider_id,
                 summary=f"{applicant.name} started as a Parent Volunteer on {long_date(on)}")
    return person


def _check_way_in_date(applicant: Applicant, done_on: date, today: date, field: str) -> None:
    _refuse_closed(applicant)
    if done_on > today:
        raise RecruitmentError(field, "The date must be today or in the past")
    if done_on < applicant.created_at.date():
        raise RecruitmentError(field, "The date must be on or after they said they would like to help, "
                                      f"{long_date(applicant.created_at.date())}")


def record_way_in_training(applicant: Applicant, *, course: Course, done_on: date, result: str, actor,
                           today: date, now: datetime) -> ApplicantRecord:
    """Training done on the way in (an induction course): kept on the application until they
    start, then on their record as if recorded that day.

    :raises RecruitmentError: for a closed application, or a date in the future or before their interest.
    """
    _check_way_in_date(applicant, done_on, today, "done_on")
    record = ApplicantRecord(applicant_id=applicant.id, course_id=course.id, done_on=done_on,
                             result=TrainingResult(result).value, recorded_by_id=actor.id if actor else None)
    return _keep(record, applicant, actor=actor, now=now,
                 summary=f"{applicant.name}: {course.name} {result} on {long_date(done_on)}, on the way in")


def record_way_in_check(applicant: Applicant, *, kind: str, done_on: date, reference_number: str | None,
                        barred_list: bool, actor, today: date, now: datetime) -> ApplicantRecord:
    """A check made on the way in (a DBS check, right to work, a reference): its record only.

    :raises RecruitmentError: for a closed application, or a date in the future or before their interest.
    """
    _check_way_in_date(applicant, done_on, today, "checked_on")
    record = ApplicantRecord(applicant_id=applicant.id, check_kind=CheckKind(kind).value, done_on=done_on,
                             reference_number=(reference_number or "").strip() or None, barred_list=barred_list,
                             recorded_by_id=actor.id if actor else None)
    return _keep(record, applicant, actor=actor, now=now,
                 summary=f"{applicant.name}: {CheckKind(kind).label} recorded on the way in")


def _keep(record: ApplicantRecord, applicant: Applicant, *, actor, now: datetime, summary: str) -> ApplicantRecord:
    db.session.add(record)
    _touch(applicant, now)
    db.session.flush()
    audit.record(actor=actor, action="update", entity=applicant, provider_id=applicant.provider_id, summary=summary)
    return record


def way_in_records(applicant: Applicant) -> list[ApplicantRecord]:
    return list(db.session.scalars(select(ApplicantRecord).where(ApplicantRecord.applicant_id == applicant.id)
                                   .order_by(ApplicantRecord.done_on, ApplicantRecord.id)))


def _carry_records(applicant: Applicant, person: Person, *, actor, now: datetime) -> None:
    """Training and checks from the way in go onto the new person record: nothing typed twice."""
    for record in way_in_records(applicant):
        if record.carried_at is not None:
            continue
        try:
            _carry(record, applicant, person, actor=actor, now=now)
        except training.TrainingError as error:
            raise RecruitmentError("started_on", str(error)) from error
        record.carried_at = now


def _carry(record: ApplicantRecord, applicant: Applicant, person: Person, *, actor, now: datetime) -> None:
    if record.course_id is not None:
        training.record_training(person, record.course, completed_on=record.done_on,
                                 result=TrainingResult(record.result), cost_pence=None, actor=actor,
                                 today=now.date(), earliest=applicant.created_at.date())
    else:
        training.record_check(person, kind=CheckKind(record.check_kind), checked_on=record.done_on, actor=actor,
                              today=now.date(), reference_number=record.reference_number,
                              barred_list=record.barred_list)


def opened(applicant: Applicant) -> None:
    """Someone at the provider has seen it: it is no longer new on their to-do."""
    if applicant.is_new:
        applicant.is_new = False
        db.session.flush()


def new_interest_count(scope_condition) -> int:
    return db.session.scalar(select(func.count(Applicant.id)).where(scope_condition, Applicant.is_new.is_(True),
                                                                  Applicant.withdrawn_on.is_(None),
                                                                  Applicant.started_on.is_(None))) or 0


def utc_now() -> datetime:
    return datetime.now(UTC)


def qr_svg(address: str) -> Markup:
    """The address as a QR code in SVG, for a poster."""
    buffer = io.BytesIO()
    qrcode.make(address, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2).save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg"):].replace("<svg", f'<svg role="img" aria-label="QR code for {address}"', 1)
    return Markup(svg)  # noqa: S704 - built here from the qrcode library's own output


def _retention(months: int) -> timedelta:
    return timedelta(days=round(months * 30.44))


def _stale_cutoff(now: datetime, months: int) -> datetime:
    return now.replace(tzinfo=now.tzinfo or UTC) - _retention(months)


def removal_day(applicant: Applicant, months: int) -> date:
    """The day the daily job removes an applicant's details, if nothing happens first."""
    return (applicant.last_activity_at + _retention(months)).date()


def applicants_due(provider_id: int, *, now: datetime, months: int, within_days: int = 30) -> list[Applicant]:
    """Applicants who never started whose details the daily job removes in the next ``within_days``
    days, unless something happens on their application first; the soonest first."""
    cutoff = _stale_cutoff(now, months) + timedelta(days=within_days)
    return list(db.session.scalars(select(Applicant).where(
        Applicant.provider_id == provider_id, Applicant.started_on.is_(None), Applicant.anonymised_at.is_(None),
        Applicant.last_activity_at < cutoff).order_by(Applicant.last_activity_at)))


def anonymised_count(provider_id: int) -> int:
    return db.session.scalar(select(func.count(Applicant.id)).where(
        Applicant.provider_id == provider_id, Applicant.anonymised_at.is_not(None))) or 0


def anonymise_stale(*, now: datetime, months: int) -> int:
    """Anonymise every applicant who never started and has had no activity for ``months``: their
    name, contact details and what they wrote go (from the audit history too); the counts stay.
    Returns how many."""
    cutoff = _stale_cutoff(now, months)
    stale = db.session.scalars(select(Applicant).where(
        Applicant.started_on.is_(None), Applicant.anonymised_at.is_(None), Applicant.last_activity_at < cutoff)).all()
    for applicant in stale:
        name = applicant.name
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Applicant",
                                                                 AuditEvent.entity_id == applicant.id)):
            event.summary = event.summary.replace(name, "An applicant")
            event.changes = None
        for reference in db.session.scalars(select(ApplicantReference).where(
                ApplicantReference.applicant_id == applicant.id)):
            for event in db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "ApplicantReference",
                                                                     AuditEvent.entity_id == reference.id)):
                event.summary = event.summary.replace(name, "An applicant").replace(reference.referee_name,
                                                                                    "a referee")
                event.changes = None
            reference.referee_name, reference.referee_email = "A referee", None
            reference.known_for = reference.comments = None
        for record in db.session.scalars(select(ApplicantRecord).where(ApplicantRecord.applicant_id == applicant.id)):
            db.session.delete(record)  # a DBS check's number is not a count
        applicant.first_name, applicant.last_name = "Anonymised", "applicant"
        applicant.email = applicant.phone = applicant.withdrawn_note = None
        applicant.interests = ""
        applicant.anonymised_at = now
    db.session.flush()
    return len(stale)


REFERENCE_DAYS = 14


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ask_for_reference(applicant: Applicant, *, referee_name: str, referee_email: str, actor,
                      now: datetime) -> ApplicantReference:
    """Email a referee a one-use link, valid for 14 days, to a short reference form.

    :raises RecruitmentError: for a closed application, or no name or email for the referee.
    """
    _refuse_closed(applicant)
    token = secrets.token_urlsafe(32)
    reference = ApplicantReference(applicant_id=applicant.id, referee_name=referee_name.strip(),
                                   referee_email=referee_email.strip(), token_hash=_digest(token), requested_at=now,
                                   expires_at=now + timedelta(days=REFERENCE_DAYS))
    db.session.add(reference)
    _touch(applicant, now)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=reference, provider_id=applicant.provider_id,
                 summary=f"Asked {reference.referee_name} for a reference for {applicant.name}")
    link = public_url("recruitment.give_reference", token=token)
    send_email(reference.referee_email, f"A reference for {applicant.name}",
               f"Dear {reference.referee_name},\n\n{applicant.name} would like to volunteer with "
               f"{applicant.provider.name}, helping other parents, and has given your name as a referee.\n\n"
               f"Please answer three short questions: {link}\n\nThe link works once, until "
               f"{long_date(reference.expires_at)}.", provider_id=applicant.provider_id)
    return reference


def reference_for(token: str, *, now: datetime) -> tuple[ApplicantReference | None, str | None]:
    """The reference a link is for, and why it cannot be answered (answered, expired), if so."""
    reference = db.session.scalar(select(ApplicantReference).where(ApplicantReference.token_hash == _digest(token)))
    if reference is None:
        return None, "This link is not one we sent"
    if reference.answered_at is not None:
        return reference, "This reference has been given already. Thank you"
    expires = reference.expires_at if reference.expires_at.tzinfo else reference.expires_at.replace(tzinfo=UTC)
    if expires < now or reference.applicant.anonymised_at is not None:
        return reference, "This link has expired. If you would still like to give a reference, reply to the email"
    return reference, None


def answer_reference(reference: ApplicantReference, *, known_for: str, recommends: str, comments: str,
                     now: datetime) -> None:
    reference.known_for, reference.recommends = known_for.strip()[:200], recommends
    reference.comments = (comments or "").strip() or None
    reference.answered_at = now
    _touch(reference.applicant, now)
    db.session.flush()
    audit.record(actor=None, action="update", entity=reference, provider_id=reference.applicant.provider_id,
                 summary=f"{reference.referee_name} gave a reference for {reference.applicant.name}")


def rename_stage(stage: RecruitmentStage, *, name: str, actor) -> None:
    """:raises RecruitmentError: for an empty name or one another stage has."""
    name = (name or "").strip()
    if not name:
        raise RecruitmentError("name", "Enter the stage's name")
    if name.lower() in {s.name.lower() for s in stages_for(stage.provider_id) if s.id != stage.id}:
        raise RecruitmentError("name", f"There is already a stage called {name}")
    before, stage.name = stage.name, name[:80]
    db.session.flush()
    audit.record(actor=actor, action="update", entity=stage, provider_id=stage.provider_id,
                 summary=f"Renamed the way-in stage {before} to {stage.name}")


def add_stage(provider_id: int, *, name: str, actor) -> RecruitmentStage:
    """A new stage, just before the last (where everyone who starts ends up).

    :raises RecruitmentError: for an empty name or one another stage has.
    """
    name = (name or "").strip()
    stages = stages_for(provider_id)
    if not name:
        raise RecruitmentError("name", "Enter the stage's name")
    if name.lower() in {s.name.lower() for s in stages}:
        raise RecruitmentError("name", f"There is already a stage called {name}")
    last = stages[-1]
    stage = RecruitmentStage(provider_id=provider_id, name=name[:80], sort_order=last.sort_order)
    last.sort_order += 1
    db.session.add(stage)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=stage, provider_id=provider_id,
                 summary=f"Added the way-in stage {stage.name}, before {last.name}")
    return stage
