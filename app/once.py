"""A form sent twice does its work once.

Every form that creates something carries a one-off token (``{{ once() }}`` beside its CSRF
token). Before the view runs, the token is claimed by inserting it (its primary key is the
token, so two requests cannot both claim it). A repeat of the same post (a double click, a
browser retrying, a back-and-resend) finds it claimed, waits for the first to finish and is
sent where the first was sent, without doing the work again. A post that did not succeed
(the form came back with errors) gives its token up, so correcting and sending again works.
"""

import secrets
import time

from flask import Flask, current_app, flash, g, redirect, render_template, request
from markupsafe import Markup
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.once import FormSubmission

FIELD = "_once"
REDIRECTS = {301, 302, 303, 307, 308}


def once_field() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, secrets.token_urlsafe(24))


def _claim(token: str) -> bool:
    from flask_login import current_user

    db.session.add(FormSubmission(token=token, user_id=current_user.id if current_user.is_authenticated else None))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _before() -> object:
    if request.method != "POST" or FIELD not in request.form:
        return None
    token = request.form[FIELD]
    if not 16 <= len(token) <= 64:
        return render_template("errors/400.html"), 400
    deadline = time.monotonic() + current_app.config["ONCE_WAIT_SECONDS"]
    while True:
        if _claim(token):
            g.once_token = token
            return None
        first = db.session.scalar(select(FormSubmission.redirect_to).where(FormSubmission.token == token))
        db.session.rollback()
        if first:
            flash("That was already sent, and was saved once", "info")
            return redirect(first)
        if time.monotonic() > deadline:  # the first is still at work: say so, never do it twice
            return render_template("errors/sent_twice.html"), 409
        time.sleep(0.1)


def _after(response):
    token = g.pop("once_token", None)
    if token is None:
        return response
    try:
        _settle(token, response)
    except Exception:  # the database failed under the view: the error page must still go out
        current_app.logger.exception("Could not settle form token")
        db.session.rollback()
    return response


def _settle(token: str, response) -> None:
    if response.status_code in REDIRECTS:
        # The view has committed its work: remember where it sent the user.
        db.session.execute(update(FormSubmission).where(FormSubmission.token == token)
                           .values(redirect_to=response.location))
    else:
        db.session.rollback()
        db.session.execute(delete(FormSubmission).where(FormSubmission.token == token))
    db.session.commit()


def init_app(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)
    app.jinja_env.globals["once"] = once_field
