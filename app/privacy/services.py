"""Personal data: everything held on one person (a subject access request), and
anonymising people who left long enough ago. Anonymising keeps the hours, costs
and stage history in the aggregates and cannot be undone."""

import io
import json
import re
import secrets
import zipfile
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, or_, select, update

from app.audit import services as audit
from app.audit.services import record_words
from app.auth.passwords import hash_password
from app.auth.services import end_all_sessions
from app.certificates.pdf import render_certificate_pdf
from app.certificates.tasks import zip_name
from app.equality import services as equality
from app.expenses.receipts import receipt_path
from app.exports import csv_dict_writer
from app.extensions import db
from app.formatting import hours as hours_text
from app.jobs.runner import delete_job, job_arguments
from app.models.audit import AuditEvent
from app.models.auth import AccountToken, User
from app.models.certificates import Certificate
from app.models.delivery import SessionFacilitator
from app.models.establishment import Contract, Post, VolunteerRole
from app.models.expenses import ExpenseClaim, ExpenseLine, Receipt
from app.models.hours import HoursEntry
from app.models.jobs import Job
from app.models.people import Person
from app.models.recruitment import CONTACT_BY, HEARD_FROM, Applicant, ApplicantReference
from app.models.training import Check, Recommendation, TrainingRecord

ANONYMISED = "[anonymised]"


def _csv(rows: list[dict]) -> str:
    if not rows:
        return "Nothing of this kind is held.\n"
    buffer = io.StringIO()
    writer = csv_dict_writer(buffer, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _related_ids(person: Person) -> dict[str, list[int]]:
    return {
        "Person": [person.id],
        "HoursEntry": list(db.session.scalars(select(HoursEntry.id).where(HoursEntry.person_id == person.id))),
        "ExpenseClaim": list(db.session.scalars(select(ExpenseClaim.id).where(ExpenseClaim.person_id == person.id))),
        "Certificate": list(db.session.scalars(select(Certificate.id).where(Certificate.person_id == person.id))),
        "User": list(db.session.scalars(select(User.id).where(User.person_id == person.id))),
    }


def audit_events_for(person: Person) -> list[AuditEvent]:
    conditions = [(AuditEvent.entity_type == kind) & AuditEvent.entity_id.in_(ids)
                  for kind, ids in _related_ids(person).items() if ids]
    return list(db.session.scalars(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.occurred_at)))


ABOUT_EXPORT = """Everything {provider} holds about {name} in Pathway, as it stood on {today}.

your-details.csv      Your name, contact details, stage on the pathway, dates and area.
pathway-history.csv   Each move along the pathway (Volunteer, Co-facilitator, Employee), with its date.
contracts.csv         Posts you have held and their dates: a paid post's contracted hours; a volunteer
                      role is never a contract, and any hours shown for it are only what was expected.
hours.csv             Every hours entry: the date, how many hours, what you did, and whether it was approved.
expenses.csv          Every expense claim item, in pounds, with what was decided and why.
training.csv          Courses you completed, when they expire, and their cost in pounds.
checks.csv            The record of your checks (DBS, right to work, references): dates only, never their content.
way-in.csv            What you told us when you said you would like to help, and who we asked for a reference.
equality.csv          Your answers to the optional equality questions (kept apart from your record).
history.csv           Every change made to your records: when, by whom, and what.
receipts/             The receipts you uploaded.
certificates/         Your certificates, as PDF files.

Spreadsheet programs such as Excel open the .csv files. Ask {provider} if anything is wrong or unclear.
"""


def _yes_no(value) -> str:
    return "" if value is None else ("Yes" if value else "No")


def _day(value) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _stage(value) -> str:
    return value.label if value is not None else ""


def _readable_files(person: Person) -> dict[str, list[dict]]:
    """Each file of the export as rows with headings in words, hours in hours and money in pounds."""
    hours = db.session.scalars(select(HoursEntry).where(HoursEntry.person_id == person.id)
                               .order_by(HoursEntry.worked_on, HoursEntry.id)).all()
    lines = db.session.scalars(select(ExpenseLine).join(ExpenseClaim).where(ExpenseClaim.person_id == person.id)
                               .order_by(ExpenseLine.spent_on, ExpenseLine.id)).all()
    contracts = db.session.execute(select(Contract, Post).join(Post, Post.id == Contract.post_id)
                                   .where(Contract.person_id == person.id).order_by(Contract.starts_on)).all()
    roles = db.session.execute(select(VolunteerRole, Post).join(Post, Post.id == VolunteerRole.post_id)
                               .where(VolunteerRole.person_id == person.id).order_by(VolunteerRole.starts_on)).all()
    training = db.session.scalars(select(TrainingRecord).where(TrainingRecord.person_id == person.id)
                                  .order_by(TrainingRecord.completed_on)).all()
    checks = db.session.scalars(select(Check).where(Check.person_id == person.id).order_by(Check.checked_on)).all()
    details = [("Reference", person.ref), ("First name", person.first_name), ("Last name", person.last_name),
               ("Email", person.email or ""), ("Phone", person.phone or ""), ("Stage", _stage(person.stage)),
               ("Provider", person.provider.name), ("Area", person.area.name), ("Joined", _day(person.joined_on)),
               ("Left", _day(person.left_on)), ("Lived experience as a parent or carer",
                                                 _yes_no(person.has_lived_experience))]
    return {
        "your-details.csv": [{"What": what, "Held": value} for what, value in details],
        "pathway-history.csv": [{"Date": _day(c.changed_on), "From": _stage(c.from_stage), "To": _stage(c.to_stage),
                                 "Reason": c.reason or ""} for c in person.stage_changes],
        "contracts.csv": [{"Post": post.label, "Kind": "Contract",
                           "Contracted hours a week": f"{c.weekly_hours:g}" if c.weekly_hours else "",
                           "Hours a week expected (never contracted)": "",
                           "Paid by the hour": _yes_no(c.is_sessional), "From": _day(c.starts_on),
                           "To": _day(c.ends_on)} for c, post in contracts]
        + [{"Post": post.label, "Kind": "Volunteer role: not a contract", "Contracted hours a week": "",
            "Hours a week expected (never contracted)": f"{r.expected_weekly_hours:g}" if r.expected_weekly_hours
            else "", "Paid by the hour": "No", "From": _day(r.starts_on), "To": _day(r.ends_on)}
           for r, post in roles],
        "hours.csv": [{"Date": _day(e.worked_on), "Hours": hours_text(e.minutes), "What you did": e.activity.name,
                       "Area": e.area.name, "Status": e.status.label, "Note": e.note or "",
                       "Correction of hours on": _day(e.corrects.worked_on) if e.corrects else "",
                       "Why corrected": e.correction_reason or "", "Why sent back": e.rejection_reason or ""}
                      for e in hours],
        "expenses.csv": [{"Claim": ln.claim_id, "Date": _day(ln.spent_on), "What": ln.category.name,
                          "Description": ln.description, "Amount (£)": f"{ln.amount_pence / 100:.2f}",
                          "Miles": f"{ln.miles:g}" if ln.miles else "", "From": ln.journey_from or "",
                          "To": ln.journey_to or "", "Decision": ln.status.value.capitalize(),
                          "Reason": ln.decision_reason or ""} for ln in lines],
        "training.csv": [{"Course": t.course.name, "Completed": _day(t.completed_on), "Expires": _day(t.expires_on),
                          "Result": t.result.value.capitalize(),
                          "Cost (£)": f"{t.cost_pence / 100:.2f}" if t.cost_pence is not None else ""}
                         for t in training],
        "checks.csv": [{"Check": c.kind.value.replace("_", " ").upper() if c.kind.value == "dbs"
                        else c.kind.value.replace("_", " ").capitalize(), "Date": _day(c.checked_on),
                        "Reference number": c.reference_number or "", "Barred list checked": _yes_no(c.barred_list),
                        "For a paid role": _yes_no(c.for_paid_role), "Renew by": _day(c.renew_on)} for c in checks],
        "way-in.csv": [{"Said they would like to help": _day(a.created_at.date()), "Area": a.area.name,
                        "How they heard": HEARD_FROM.get(a.heard_from, a.heard_from),
                        "What they might like to do": a.interests, "Email": a.email or "", "Phone": a.phone or "",
                        "Get in touch by": CONTACT_BY.get(a.contact_by, a.contact_by),
                        "Started": _day(a.started_on),
                        "References asked of": "; ".join(r.referee_name for r in db.session.scalars(
                            select(ApplicantReference).where(ApplicantReference.applicant_id == a.id)))}
                       for a in db.session.scalars(select(Applicant).where(Applicant.person_id == person.id))],
        "equality.csv": [{"Question": question, "Your answer": answer}
                         for question, answer in equality.answered_rows(equality.answers_for(person=person))],
        "history.csv": [{"When": f"{e.occurred_at:%-d %B %Y %H:%M}", "Who": e.actor_label,
                         "Record": record_words(e.entity_type), "What": e.summary}
                        for e in audit_events_for(person)],
    }


def subject_access_export(person: Person, *, verify_base: str) -> bytes:
    """A zip of everything held on one person, readable by them: a note on what each file holds,
    CSV files in words (hours in hours, money in pounds), receipts and certificates."""
    certificates = db.session.scalars(select(Certificate).where(Certificate.person_id == person.id)).all()
    lines = db.session.scalars(select(ExpenseLine).join(ExpenseClaim).where(ExpenseClaim.person_id == person.id)).all()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", ABOUT_EXPORT.format(provider=person.provider.name, name=person.name,
                                                           today=_day(date.today())))
        for name, rows in _readable_files(person).items():
            archive.writestr(name, _csv(rows))
        for line in lines:
            if line.receipt and receipt_path(line.receipt).is_file():
                name = f"receipts/{line.spent_on}-{line.id}-{line.receipt.original_name}"
                archive.write(receipt_path(line.receipt), name)
        for certificate in certificates:
            archive.writestr(f"certificates/{zip_name(certificate)}", render_certificate_pdf(
                certificate, f"{verify_base.rstrip('/')}/verify/{certificate.number}", person.provider.name))
    return buffer.getvalue()


def due_for_anonymisation(*, today: date, years: int | None = None) -> list[Person]:
    years = years if years is not None else current_app.config["ANONYMISE_AFTER_YEARS"]
    cutoff = date(today.year - years, today.month, min(today.day, 28))
    return list(db.session.scalars(select(Person).where(
        Person.left_on.is_not(None), Person.left_on < cutoff, Person.anonymised_at.is_(None))
        .order_by(Person.left_on)))


def _pattern(values: list[str]) -> re.Pattern | None:
    """Any of ``values`` as a whole word (never inside another: "Sand" is not in "Sandwich")."""
    values = sorted({v for v in values if v}, key=len, reverse=True)
    if not values:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in values) + r")(?!\w)")


def _scrub(text: str | None, pattern: re.Pattern | None) -> str | None:
    return pattern.sub(ANONYMISED, text) if text and pattern else text


def _scrub_event(event: AuditEvent, pattern: re.Pattern) -> None:
    event.summary = _scrub(event.summary, pattern)
    if event.changes:
        event.changes = json.loads(_scrub(json.dumps(event.changes, ensure_ascii=False), pattern))
    event.actor_label = _scrub(event.actor_label, pattern)


def _scrub_history(person: Person, related: dict[str, list[int]]) -> re.Pattern | None:
    """The leaver's own history (their records', and what their accounts did) loses every form of
    their name; elsewhere in their provider only their full name, email and phone are taken out.
    Nothing in any other provider is touched."""
    account_emails = list(db.session.scalars(select(User.email).where(User.id.in_(related["User"] or [0]))))
    full = [person.name, f"{person.last_name}, {person.first_name}", person.email or "", person.phone or "",
            *account_emails]
    own, elsewhere = _pattern([*full, person.first_name, person.last_name]), _pattern(full)
    users = related["User"] or [0]
    own_events = {e.id: e for e in audit_events_for(person)}
    own_events.update({e.id: e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id.in_(users)))})
    for event in own_events.values():
        _scrub_event(event, own)
    mentions = or_(*[AuditEvent.summary.contains(value) for value in full if value],
                   *[func.coalesce(AuditEvent.actor_label, "").contains(value) for value in full if value])
    for event in db.session.scalars(select(AuditEvent).where(
            AuditEvent.provider_id == person.provider_id, AuditEvent.id.not_in(list(own_events) or [0]), mentions)):
        _scrub_event(event, elsewhere)
    for change in person.stage_changes:
        change.reason = _scrub(change.reason, own)
    return own


def _forget_certificate_downloads(person: Person, certificate_ids: list[int]) -> None:
    """Bulk certificate downloads made earlier that hold this person's certificates go (they can
    be made again, and would now say "Anonymised")."""
    mine = set(certificate_ids)
    for job in db.session.scalars(select(Job).where(Job.kind == "certificates", Job.provider_id == person.provider_id)):
        held = set(job_arguments(job).get("certificate_ids", []))
        # A download made before jobs kept their arguments cannot be checked: it goes too.
        if held & mine or job.arguments is None:
            delete_job(job)


def anonymise(person: Person, *, actor, now: datetime) -> None:
    """Remove a leaver's personal details everywhere; keep the numbers.

    :raises ValueError: if they have not left, or were anonymised already.
    """
    if person.left_on is None:
        raise ValueError("Only people who have left can be anonymised")
    if person.anonymised_at is not None:
        raise ValueError("This person has already been anonymised")
    related = _related_ids(person)
    own = _scrub_history(person, related)
    _forget_certificate_downloads(person, related["Certificate"])
    db.session.execute(update(HoursEntry).where(HoursEntry.person_id == person.id).values(note=None))
    for line in db.session.scalars(select(ExpenseLine).join(ExpenseClaim).where(ExpenseClaim.person_id == person.id)):
        line.description = _scrub(line.description, own)
        line.journey_from = line.journey_to = None
        if line.receipt is not None:
            receipt_path(line.receipt).unlink(missing_ok=True)
            line.receipt.original_name = "receipt (deleted)"
    db.session.execute(update(Recommendation).where(Recommendation.person_id == person.id).values(note=None))
    db.session.execute(update(Check).where(Check.person_id == person.id).values(reference_number=None, note=None))
    for user in db.session.scalars(select(User).where(User.id.in_(related["User"] or [0]))):
        user.name, user.email, user.is_enabled = "Anonymised account", f"anonymised-{user.id}@invalid", False
        user.password_hash = hash_password(secrets.token_urlsafe(32))
        end_all_sessions(user)
        db.session.execute(AccountToken.__table__.delete().where(AccountToken.user_id == user.id))
    person.first_name, person.last_name = "Anonymised", f"person {person.ref}"
    person.email = person.phone = None
    person.anonymised_at = now
    db.session.flush()
    audit.record(actor=actor, action="anonymise", entity=person,
                 summary=f"Personal details of {person.ref} removed (left {person.left_on:%-d %B %Y})")


def receipts_count(person: Person) -> int:
    return db.session.scalar(select(func.count(Receipt.id)).join(ExpenseLine).join(ExpenseClaim)
                             .where(ExpenseClaim.person_id == person.id))


# What someone added in error may not yet have: anything here means they are really on the pathway.
_DEPENDENTS = ((HoursEntry, "hours entries"), (ExpenseClaim, "expense claims"), (TrainingRecord, "training records"),
               (Check, "checks"), (Contract, "contracts"), (VolunteerRole, "volunteer roles"),
               (Certificate, "certificates"),
               (Recommendation, "recommendations"))


def removal_blockers(person: Person) -> list[str]:
    """Why a person cannot be removed as added in error, in words; empty when they can."""
    reasons = []
    for model, words in _DEPENDENTS:
        count = db.session.scalar(select(func.count()).select_from(model).where(model.person_id == person.id))
        if count:
            reasons.append(f"{count} {words}")
    if db.session.scalar(select(func.count(User.id)).where(User.person_id == person.id)):
        reasons.append("a sign-in account")
    if len(person.stage_changes) > 1:
        reasons.append(f"{len(person.stage_changes) - 1} stage changes after joining")
    if db.session.scalar(select(func.count()).select_from(SessionFacilitator)
                         .where(SessionFacilitator.person_id == person.id)):
        reasons.append("sessions they facilitated")
    return reasons


def remove_added_in_error(person: Person, *, actor) -> None:
    """Delete a person added by mistake (not a leaver: nothing counts them), audited.

    :raises ValueError: naming whatever depends on them.
    """
    reasons = removal_blockers(person)
    if reasons:
        raise ValueError("They cannot be removed because they have " + ", ".join(reasons)
                         + ". Give them a leaving date instead")
    label = f"{person.name} ({person.ref})"
    audit.record(actor=actor, action="remove", entity=person, provider_id=person.provider_id,
                 summary=f"Removed {label}, added in error")
    db.session.delete(person)
    db.session.flush()
