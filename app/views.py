"""The shape most form views share: try the change, put a broken rule's message by its field,
otherwise commit, say what happened and go on."""

from flask import flash, redirect

from app.extensions import db


def save_or_show(form, action, *, errors: tuple[type[Exception], ...], message: str, to: str):
    """Run ``action``; an error from ``errors`` (args: field name, message) goes by its field and
    None is returned so the form is shown again; otherwise commit, flash ``message``, redirect."""
    try:
        action()
    except errors as error:
        form[error.args[0]].errors.append(error.args[1])
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(to)
