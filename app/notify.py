"""Telling parents what happened to what they sent: hours or a claim item sent back (with the
reason), a claim paid (how much, when), a certificate issued. The same news is always on
their home page (app/main/todo.py); email is sent where they have an address and have not
turned it off (Your account, then Email notifications).

Services call ``tell(person, ...)`` inside their transaction. The message waits for the
commit: a change rolled back sends nothing. It goes to the mail queue once the request's
response is made. Changes made outside a request (the demo loader, the command line) tell
nobody: the home page still shows the news.
"""

from flask import current_app, g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.mail import send_email
from app.models.auth import User
from app.views import public_url

PENDING = "notifications waiting for commit"


def address_for(person) -> str | None:
    """Where to email a person about their own records, or None: only someone with a sign-in
    (their links open pages they can see), unless HR chose to email them without one."""
    account = db.session.scalar(select(User).where(User.person_id == person.id).order_by(User.id).limit(1))
    if account is None:
        return person.email if person.email_without_account else None
    if not account.email_notifications or not account.is_enabled:
        return None
    return person.email or (None if account.email.endswith(".invalid") else account.email)


def link(endpoint: str, **values) -> str:
    return public_url(endpoint, **values)


def tell(person, subject: str, body) -> None:
    """``body`` may be a function, called only when there is someone to tell."""
    if not has_request_context():
        return
    to = address_for(person)
    if to:
        link_note = "\n\nYou can turn these emails off in Pathway: Your account, then Email notifications."
        db.session().info.setdefault(PENDING, []).append(
            (to, subject, f"Hello {person.first_name},\n\n{body() if callable(body) else body}{link_note}",
             person.provider_id))


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    messages = session.info.pop(PENDING, [])
    if not messages:
        return
    if has_request_context():
        g.setdefault("notifications", []).extend(messages)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session) -> None:
    session.info.pop(PENDING, None)


def send_waiting() -> int:
    """Queue every committed notification; returns how many."""
    messages = g.pop("notifications", []) if has_request_context() else []
    for to, subject, body, provider_id in messages:
        send_email(to, subject, body, provider_id=provider_id)
    return len(messages)


def _after_request(response):
    try:
        send_waiting()
    except Exception:  # a message that cannot be queued never costs the user their page
        current_app.logger.exception("Could not queue notifications")
    return response


def init_app(app) -> None:
    app.after_request(_after_request)
