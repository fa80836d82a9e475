"""Every message Pathway sends goes through here: invitations, resets, reminders.

``send_email`` queues the message for the background worker, which sends it through
the SMTP server in the environment (SMTP_HOST and friends) and retries when the server
is slow or down, so a page never waits on mail. With no SMTP_HOST (development, the
demo) the message is written to the log and kept in the outbox, where an administrator
can read the last 50: a newcomer can follow an invitation link with no mail server.
"""

import re
import smtplib
from email.message import EmailMessage

from flask import current_app
from markupsafe import Markup, escape

from app.extensions import db
from app.jobs.queue import app_context, mail_huey
from app.models.mail import OutboxMessage
from app.models.people import Provider
from app.validators import email_problem

OUTBOX_KEEP = 50


def send_email(to: str, subject: str, body: str, *, provider_id: int | None = None) -> bool:
    """Queue a plain-text message (an HTML part is made from it) for the worker to send.

    Returns False, and sends nothing, for an address that is not one (an old record with a
    line break in it, say): a message is never built with a broken header.
    """
    if not to or email_problem(to):
        current_app.logger.warning("Email not sent: %r is not an email address", to)
        return False
    deliver_email(to, subject, body, provider_id)
    return True


@mail_huey.task(retries=3, retry_delay=60)
def deliver_email(to: str, subject: str, body: str, provider_id: int | None) -> None:
    with app_context():
        config = current_app.config
        message = build_message(to, subject, body, sender=config["MAIL_FROM"],
                                service=_signature(provider_id, config["SERVICE_NAME"]))
        if not config.get("SMTP_HOST"):
            current_app.logger.warning("Email to %s not sent (no SMTP_HOST), kept in the outbox: %s\n%s",
                                       to, subject, body)
            _keep_in_outbox(to, subject, body, provider_id)
            return
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)


def _signature(provider_id: int | None, service: str) -> str:
    """Who the message is from, in words: the provider, through Pathway."""
    provider = db.session.get(Provider, provider_id) if provider_id else None
    return f"{provider.name}, through {service}" if provider else service


def build_message(to: str, subject: str, body: str, *, sender: str, service: str) -> EmailMessage:
    """A message with a plain-text part and the same words as simple HTML."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(f"{body}\n\n{service}\n")
    paragraphs = "".join(f"<p>{_linked(p)}</p>" for p in body.split("\n\n"))
    message.add_alternative(f"<!doctype html><html><body style=\"font-family: Arial, sans-serif\">{paragraphs}"
                            f"<p>{escape(service)}</p></body></html>", subtype="html")
    return message


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


def _linked(paragraph: str) -> Markup:
    """A paragraph as HTML with every web address a real link (the rest escaped)."""
    parts, last = [], 0
    for match in _URL.finditer(paragraph):
        parts += [escape(paragraph[last:match.start()]),
                  Markup('<a href="{0}">{0}</a>').format(match.group(0))]
        last = match.end()
    parts.append(escape(paragraph[last:]))
    return Markup("").join(parts).replace("\n", Markup("<br>"))


# What an administrator reading the outbox must never see: a link that sets someone's password
# and a sign-in code (either would hand them a colleague's account).
_SECRETS = ((re.compile(r"(/account/set-password/)[A-Za-z0-9_\-]+"), r"\1(hidden)"),
            (re.compile(r"\b\d{6}\b"), "(hidden)"))


def masked(body: str) -> str:
    """``body`` with password links and sign-in codes hidden, as the outbox page shows it."""
    for pattern, replacement in _SECRETS:
        body = pattern.sub(replacement, body)
    return body


def _keep_in_outbox(to: str, subject: str, body: str, provider_id: int | None) -> None:
    db.session.add(OutboxMessage(to=to, subject=subject, body=body, provider_id=provider_id))
    db.session.flush()
    keep = db.select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(OUTBOX_KEEP).subquery()
    db.session.execute(OutboxMessage.__table__.delete().where(OutboxMessage.id.not_in(db.select(keep.c.id))))
    db.session.commit()
