"""Importing training records: person_ref,course,completed_on. All rows or none."""

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models.people import Person, Provider
from app.models.training import Course, TrainingResult
from app.training.services import record_training

from .csvfile import ImportFailed, ImportReport, read_rows
from .services import _audit_import, _date

TRAINING_COLUMNS = ["person_ref", "course", "completed_on"]


def import_training(text: str, *, provider: Provider, actor, today: date, **_) -> ImportReport:
    """Add completed training from a CSV; all or nothing.

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("training")
    rows = read_rows(text, TRAINING_COLUMNS, report)
    people = {p.ref: p for p in db.session.scalars(select(Person).where(Person.provider_id == provider.id))}
    courses = {c.name.lower(): c for c in db.session.scalars(select(Course).where(
        Course.provider_id.is_(None) | (Course.provider_id == provider.id)))}
    parsed = []
    for line, row in rows:
        person, course, completed = people.get(row["person_ref"]), courses.get(row["course"].lower()), \
            _date(row["completed_on"])
        problems = [message for failed, message in (
            (person is None, f"person_ref {row['person_ref']!r} is not a person at this provider"),
            (course is None, f"course {row['course']!r} is not a course in Pathway"),
            (completed is None, f"completed_on {row['completed_on']!r} is not a date like 01/04/2026 or 2026-04-01"),
            (completed is not None and completed > today, "completed_on is in the future"),
            (person is not None and completed is not None and completed <= today
             and not person.joined_on <= completed <= (person.left_on or today),
             "completed_on is outside the time this person was on the pathway"),
            (person is not None and actor is not None and person.id == actor.person_id,
             "this is your own training: someone else must record it"),
        ) if failed]
        for problem in problems:
            report.error(line, problem)
        if not problems:
            parsed.append((person, course, completed))
    if not report.ok:
        raise ImportFailed(report)
    for person, course, completed in parsed:
        record_training(person, course, completed_on=completed, result=TrainingResult.PASSED, cost_pence=None,
                        actor=actor, today=today)
    report.created = len(parsed)
    _audit_import(actor, provider, report)
    return report
