"""Writing hours: log, submit, approve, reject, correct, and the session register.

Every function takes the acting user, writes the audit history and flushes;
the route or command commits once.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from app.access import own_record, refuse_own
from app.audit import services as audit
from app.certificates.services import award_milestones
from app.extensions import db
from app.formatting import hours as hours_text
from app.locks import serialise
from app.models.certificates import Certificate, CertificateKind
from app.models.hours import MINUTES_IN_A_DAY, Activity, HoursEntry, HoursStatus
from app.models.people import Person
from app.models.returns import ReturnSubmission
from app.notify import link, tell

from .rules import entry_problems, recorded_minutes


class HoursError(ValueError):
    """A rule was broken. ``problems`` maps form fields to messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def minutes_logged_on(person_id: int, day: date, *, except_id: int | None = None) -> int:
    query = select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
        HoursEntry.person_id == person_id, HoursEntry.worked_on == day,
        HoursEntry.status != HoursStatus.REJECTED)
    if except_id is not None:
        query = query.where(HoursEntry.id != except_id)
    return db.session.scalar(query)


def _check(person: Person, worked_on: date, minutes: int, today: date, except_id=None) -> int:
    """The minutes to record (rounded as the provider chooses), once they pass the rules.

    :raises HoursError: naming each problem by form field.
    """
    minutes = recorded_minutes(minutes, to_quarter_hours=person.provider.round_hours_to_quarter)
    # One check at a time per person: two entries sent together cannot both fit in the same day.
    serialise(f"hours:{person.id}")
    problems = entry_problems(
        worked_on=worked_on, minutes=minutes, today=today, joined_on=person.joined_on,
        left_on=person.left_on,
        minutes_already_that_day=minutes_logged_on(person.id, worked_on, except_id=except_id))
    if problems:
        raise HoursError(problems)
    return minutes


def _describe(entry: HoursEntry) -> str:
    return f"{hours_text(entry.minutes)} hours of {entry.activity.name} on {entry.worked_on:%-d %B %Y}"


def log_hours(person: Person, *, worked_on: date, minutes: int, activity: Activity, area_id: int,
              note: str | None, actor, today: date, submit: bool, now: datetime) -> HoursEntry:
    """Record hours for a person, as a draft or submitted.

    :raises HoursError: for a future date, a date outside their time on the
        pathway, no time at all, or more than 24 hours that day.
    """
    minutes = _check(person, worked_on, minutes, today)
    entry = HoursEntry(
        person_id=person.id, area_id=area_id, activity=activity, worked_on=worked_on,
        minutes=minutes, note=(note or "").strip() or None, entered_by_id=actor.id if actor else None,
        is_on_behalf=actor is not None and actor.person_id != person.id,
        status=HoursStatus.SUBMITTED if submit else HoursStatus.DRAFT,
        submitted_at=now if submit else None)
    db.session.add(entry)
    db.session.flush()
    who = "" if not entry.is_on_behalf else f" on behalf of {person.name}"
    audit.record(actor=actor, action="create", entity=entry, provider_id=person.provider_id,
                 summary=f"Logged {_describe(entry)}{who} as {entry.status.value}")
    return entry


def update_entry(entry: HoursEntry, *, worked_on: date, minutes: int, activity: Activity,
                 area_id: int, note: str | None, actor, today: date) -> None:
    """Change a draft or rejected entry (approved and submitted ones are locked).

    :raises HoursError: if the entry is locked or the change breaks a rule.
    """
    if not entry.is_editable:
        raise HoursError({"hours": f"This entry is {entry.status.value} and cannot be changed"})
    minutes = _check(entry.person, worked_on, minutes, today, except_id=entry.id)
    before = {"worked_on": entry.worked_on, "minutes": entry.minutes,
              "activity": entry.activity.name, "area_id": entry.area_id, "note": entry.note}
    entry.worked_on, entry.minutes, entry.activity = worked_on, minutes, activity
    entry.area_id, entry.note = area_id, (note or "").strip() or None
    after = {"worked_on": worked_on, "minutes": minutes, "activity": activity.name,
             "area_id": area_id, "note": entry.note}
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor=actor, action="update", entity=entry,
                     provider_id=entry.person.provider_id, changes=changes,
                     summary=f"Changed {', '.join(changes)}")
    db.session.flush()


def submit_entries(entries: list[HoursEntry], *, actor, now: datetime) -> int:
    """Submit drafts and rejected entries for approval; returns how many."""
    count = 0
    for entry in entries:
        if entry.is_editable:
            previous = entry.status
            entry.status, entry.submitted_at = HoursStatus.SUBMITTED, now
            entry.rejection_reason = None
            audit.record(actor=actor, action="submit", entity=entry,
                         provider_id=entry.person.provider_id,
                         summary=f"Submitted {_describe(entry)}"
                                 + (" again after it was rejected" if previous == "rejected" else ""))
            count += 1
    db.session.flush()
    return count


def approve_entries(entries: list[HoursEntry], *, actor, now: datetime) -> int:
    """Approve submitted entries, locking them; others are left alone. Returns how many.

    Nobody approves their own hours: the actor's own entries are left submitted
    for someone else. The change is a conditional UPDATE, so when two approvers
    act at once each entry is approved (and audited) exactly once.
    """
    ids = [e.id for e in entries if e.status == HoursStatus.SUBMITTED and not own_record(actor, e)]
    if not ids:
        return 0
    approved = set(db.session.scalars(
        update(HoursEntry).where(HoursEntry.id.in_(ids), HoursEntry.status == HoursStatus.SUBMITTED)
        .values(status=HoursStatus.APPROVED, decided_at=now, decided_by_id=actor.id)
        .returning(HoursEntry.id)))
    for entry in entries:
        if entry.id in approved:
            db.session.refresh(entry)
            audit.record(actor=actor, action="approve", entity=entry,
                         provider_id=entry.person.provider_id, summary=f"Approved {_describe(entry)}")
    db.session.flush()
    if approved:
        _award_milestones({e.person_id for e in entries if e.id in approved}, now, actor)
    return len(approved)


def _award_milestones(person_ids, now: datetime, actor) -> None:
    # Certificates build on hours, so the import is here rather than at the top.
    award_milestones(person_ids, today=now.date(), actor=actor)


def reject_entry(entry: HoursEntry, *, reason: str, actor, now: datetime) -> None:
    """Send a submitted entry back with a reason the person will see.

    :raises HoursError: if it is not awaiting approval or no reason is given.
    """
    refuse_own(actor, "approve_hours", entry, lambda message: HoursError({"reason": message}))
    if entry.status != HoursStatus.SUBMITTED:
        raise HoursError({"reason": f"Only submitted hours can be rejected; this is {entry.status.value}"})
    if not reason or not reason.strip():
        raise HoursError({"reason": "Enter the reason, so they know what to correct"})
    entry.status, entry.rejection_reason = HoursStatus.REJECTED, reason.strip()
    entry.decided_at, entry.decided_by_id = now, actor.id
    audit.record(actor=actor, action="reject", entity=entry, provider_id=entry.person.provider_id,
                 summary=f"Sent back {_describe(entry)}: {entry.rejection_reason}")
    db.session.flush()
    tell(entry.person, "Your hours were sent back", lambda: (
         f"Your {_describe(entry)} were sent back by {actor.name}, who said:\n\n{entry.rejection_reason}\n\n"
         f"Correct them and send them again here: {link('hours.view_entry', entry_id=entry.id)}"))


def correct_entry(original: HoursEntry, *, correct_minutes: int, reason: str, actor,
                  now: datetime, approve: bool) -> HoursEntry:
    """Record a correction to approved hours as a new linked entry with the difference.

    :raises HoursError: if the original is not approved, nothing changes, or no reason.
    """
    refuse_own(actor, "approve_hours", original, lambda message: HoursError({"hours": message}))
    if original.status != HoursStatus.APPROVED or original.corrects_id is not None:
        raise HoursError({"hours": "Only approved hours can be corrected"})
    if not reason or not reason.strip():
        raise HoursError({"reason": "Enter why the hours are being corrected"})
    if correct_minutes < 0 or correct_minutes > MINUTES_IN_A_DAY:
        raise HoursError({"hours": "Hours must be between 0 and 24"})
    correct_minutes = recorded_minutes(correct_minutes,
                                       to_quarter_hours=original.person.provider.round_hours_to_quarter)
    already = db.session.scalar(select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
        HoursEntry.corrects_id == original.id, HoursEntry.status != HoursStatus.REJECTED))
    delta = correct_minutes - (original.minutes + already)
    if delta == 0:
        raise HoursError({"hours": "That is the number of hours already recorded"})
    entry = HoursEntry(
        person_id=original.person_id, area_id=original.area_id, activity_id=original.activity_id,
        worked_on=original.worked_on, minutes=delta, corrects_id=original.id,
        correction_reason=reason.strip(), entered_by_id=actor.id,
        is_on_behalf=actor.person_id != original.person_id,
        status=HoursStatus.APPROVED if approve else HoursStatus.SUBMITTED, submitted_at=now,
        decided_at=now if approve else None, decided_by_id=actor.id if approve else None)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor=actor, action="correct", entity=original,
                 provider_id=original.person.provider_id,
                 summary=f"Corrected to {hours_text(correct_minutes)} hours "
                         f"({hours_text(delta, signed=True)}): {reason}")
    audit.record(actor=actor, action="create", entity=entry,
                 provider_id=original.person.provider_id,
                 summary=f"Correction of {hours_text(delta, signed=True)} hours to entry {original.id}: {reason}")
    if approve:
        _award_milestones({original.person_id}, now, actor)
    return entry


def record_register(people_minutes: list[tuple[Person, int]], *, worked_on: date,
                    activity: Activity, area_id: int, actor, today: date,
                    now: datetime) -> list[HoursEntry]:
    """Save one approved entry per person who worked a session, all or none.

    The recorder's own line is saved as submitted, for someone else to approve.

    :raises HoursError: naming each person whose hours break a rule.
    """
    problems = {}
    already = _already_logged({p.id for p, _ in people_minutes}, worked_on, activity.id)
    for person, minutes in people_minutes:
        try:
            _check(person, worked_on, minutes, today)
        except HoursError as error:
            problems[f"person-{person.id}"] = f"{person.name}: {error}"
        if person.id in already:
            problems[f"person-{person.id}"] = (
                f"{person.name} already has {activity.name} hours on {worked_on:%-d %B %Y}: "
                "change that entry instead of adding a second one")
    if problems:
        raise HoursError(problems)
    entries = []
    for person, minutes in people_minutes:
        entry = log_hours(person, worked_on=worked_on, minutes=minutes, activity=activity,
                          area_id=area_id, note="Session register", actor=actor, today=today,
                          submit=True, now=now)
        entries.append(entry)
    approve_entries(entries, actor=actor, now=now)
    return entries


def _already_logged(person_ids: set[int], worked_on: date, activity_id: int) -> set[int]:
    """Of ``person_ids``, those with a live entry for this activity on this day."""
    if not person_ids:
        return set()
    return set(db.session.scalars(select(HoursEntry.person_id).where(
        HoursEntry.person_id.in_(person_ids), HoursEntry.worked_on == worked_on,
        HoursEntry.activity_id == activity_id, HoursEntry.corrects_id.is_(None),
        HoursEntry.status != HoursStatus.REJECTED)))


def register_message(entries: list[HoursEntry]) -> str:
    """What the register did, in words: how many approved, and any left for someone else."""
    approved = sum(1 for e in entries if e.status == HoursStatus.APPROVED)
    waiting = len(entries) - approved
    people = "1 person's" if approved == 1 else f"{approved} people's"
    message = f"Register saved: {people} hours recorded and approved"
    if waiting:
        message += (". Your own hours were sent for approval by someone else" if waiting == 1
                    else f". {waiting} entries were sent for approval by someone else")
    return message


def delete_draft(entry: HoursEntry, *, actor) -> None:
    """Remove a draft that was never submitted.

    :raises HoursError: for anything but a draft.
    """
    if entry.status != HoursStatus.DRAFT:
        raise HoursError({"hours": "Only drafts can be deleted"})
    audit.record(actor=actor, action="delete", entity=entry, provider_id=entry.person.provider_id,
                 summary=f"Deleted draft: {_describe(entry)}")
    db.session.delete(entry)
    db.session.flush()


# An approval can be taken back for this long, until something is built on it.
UNDO_WINDOW = timedelta(hours=24)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def withdraw_entry(entry: HoursEntry, *, actor, now: datetime) -> None:
    """Take back hours sent for approval that nobody has decided yet; they become a draft.

    :raises HoursError: once they have been decided.
    """
    if entry.status != HoursStatus.SUBMITTED:
        raise HoursError({"hours": f"Only hours waiting for approval can be withdrawn: these are "
                                   f"{entry.status.label.lower()}"})
    entry.status, entry.submitted_at = HoursStatus.DRAFT, None
    audit.record(actor=actor, action="withdraw", entity=entry, provider_id=entry.person.provider_id,
                 summary=f"Withdrew {_describe(entry)} to change them")
    db.session.flush()


def undo_problem(entry: HoursEntry, *, now: datetime) -> str | None:
    """Why an approval cannot be undone any more, or None."""
    decided = _aware(entry.decided_at)
    if entry.status != HoursStatus.APPROVED or decided is None:
        return "Only approved hours can have their approval undone"
    if now - decided > UNDO_WINDOW:
        return "An approval can only be undone in the 24 hours after it. Record a correction instead"
    if entry.corrects_id is not None or db.session.scalar(select(func.count(HoursEntry.id)).where(
            HoursEntry.corrects_id == entry.id)):
        return "These hours have been corrected since: record another correction instead"
    if db.session.scalar(select(func.count(ReturnSubmission.id)).where(
            ReturnSubmission.provider_id == entry.person.provider_id, ReturnSubmission.submitted_at >= decided,
            ReturnSubmission.period_start <= entry.worked_on, ReturnSubmission.period_end >= entry.worked_on)):
        return "These hours are in a workforce return submitted since: record a correction instead"
    if db.session.scalar(select(func.count(Certificate.id)).where(
            Certificate.person_id == entry.person_id, Certificate.kind == CertificateKind.MILESTONE,
            Certificate.created_at >= decided)):
        return "A certificate was issued for hours approved since: record a correction instead"
    return None


def undo_approval(entry: HoursEntry, *, actor, now: datetime) -> None:
    """Send approved hours back to waiting for approval, within 24 hours and before anything
    (a return, a certificate, a correction) is built on them.

    :raises HoursError: if it is too late, or the approver is the person.
    """
    refuse_own(actor, "approve_hours", entry, lambda message: HoursError({"hours": message}))
    problem = undo_problem(entry, now=now)
    if problem:
        raise HoursError({"hours": problem})
    entry.status, entry.decided_at, entry.decided_by_id = HoursStatus.SUBMITTED, None, None
    audit.record(actor=actor, action="undo_approve", entity=entry, provider_id=entry.person.provider_id,
                 summary=f"Undid the approval of {_describe(entry)}: waiting for approval again")
    db.session.flush()
