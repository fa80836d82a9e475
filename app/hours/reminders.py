"""Reminders to log last week's hours: one person, everyone listed in one click, or everyone
by the worker every Monday morning. Nobody is reminded more than once a week, however it is
sent; each reminder is in the change history."""

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import select, true

from app.audit import services as audit
from app.extensions import db
from app.jobs.queue import app_context, huey
from app.mail import send_email
from app.models.audit import AuditEvent
from app.models.people import Person
from app.views import public_url

from .queries import quiet_people

ONCE_EVERY = timedelta(weeks=1)


def reminded_since(person_ids: list[int], since: datetime) -> set[int]:
    if not person_ids:
        return set()
    return set(db.session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.action == "remind", AuditEvent.entity_type == "Person", AuditEvent.entity_id.in_(person_ids),
        AuditEvent.occurred_at >= since)))


def _message(person: Person, link: str, helper: str) -> str:
    return (f"Hello {person.first_name},\n\nWe have no hours from you for last week. When you have a moment, you can "
            f"add them here: {link}\n\nIf you need a hand, {helper} can enter them for you.\n")


def remind_everyone(people: list[Person], *, actor, now: datetime, link: str) -> dict[str, list[Person]]:
    """Remind each person not reminded in the last week; the caller commits.

    Returns who was reminded ("sent") and who was not, by why ("this week", "no email", "bad email").
    """
    done = reminded_since([p.id for p in people], now - ONCE_EVERY)
    outcome: dict[str, list[Person]] = {"sent": [], "this week": [], "no email": [], "bad email": []}
    helper = actor.name if actor is not None else "the team"
    for person in people:
        if person.id in done:
            outcome["this week"].append(person)
        elif not person.email:
            outcome["no email"].append(person)
        elif not send_email(person.email, "Please log your hours for last week", _message(person, link, helper),
                            provider_id=person.provider_id):
            outcome["bad email"].append(person)
        else:
            audit.record(actor=actor, action="remind", entity=person,
                         summary=f"Reminder to log hours sent to {person.email} at {now:%H:%M}"
                                 + ("" if actor is not None else " (the weekly reminder)"))
            outcome["sent"].append(person)
    return outcome


def weekly_reminders(*, today: date, now: datetime) -> int:
    """Every provider's quiet people from last week, reminded once. Returns how many were sent."""
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        link = public_url("hours.my_hours")
    _, _, people = quiet_people(true(), today=today)
    outcome = remind_everyone(people, actor=None, now=now, link=link)
    db.session.commit()
    return len(outcome["sent"])


@huey.periodic_task(crontab(day_of_week="1", hour="9", minute="30"))
def remind_every_monday() -> None:
    with app_context():
        count = weekly_reminders(today=date.today(), now=datetime.now(UTC))
        current_app.logger.info("Weekly reminders to log hours: %s sent", count)
