"""The shape most form views share: try the change, put a broken rule's message by its field,
otherwise commit, say what happened and go on."""

from datetime import date

from flask import current_app, flash, redirect, request, url_for

from app.extensions import db
from app.ids import whole_number  # noqa: F401  (where views have always found it)


def save_or_show(form, action, *, errors: tuple[type[Exception], ...], message: str, to: str):
    """Run ``action``; an error from ``errors`` (args: field name, message) goes by its field and
    None is returned so the form is shown again; otherwise commit, flash ``message``, redirect."""
    try:
        action()
    except errors as error:
        db.session.rollback()  # whatever the action wrote before it was refused goes too
        name, message = error.args[0], error.args[1]
        (form[name] if name in form else form.submit).errors.append(message)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(to)


def public_base() -> str:
    """The service's public address, ending in "/": PUBLIC_BASE_URL, or in development the
    address this request came to."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    return configured.rstrip("/") + "/" if configured else request.url_root


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an email, a letter or a QR code, never built from the Host header."""
    return public_base().rstrip("/") + url_for(endpoint, **values)


# Names url_for reads for itself: never passed on from a query string.
URL_FOR_RESERVED = {"endpoint", "values", "_external", "_anchor", "_method", "_scheme"}


def same_filters() -> dict[str, str]:
    """The request's query string, safe to pass to url_for (to link to the same list as a CSV)."""
    return {key: value for key, value in request.args.items() if key not in URL_FOR_RESERVED}


def date_filter(name: str, default: date, errors: dict[str, str]) -> date:
    """A date a list or report is filtered by (``?name=2026-04-01``). A value that is not a date
    falls back to ``default`` and puts a message by the field in ``errors``: a message on the
    filter, never "Page not found"."""
    text = (request.values.get(name) or "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = "Enter a real date, like 2026-04-01"
        return default
