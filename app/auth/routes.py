from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.access import permission_required, public
from app.extensions import db, limiter, login_manager

from .forms import ChangePasswordForm, EmptyForm, SignInForm
from .models import User
from .services import SignInError, authenticate, change_password, end_session

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return db.session.scalar(select(User).where(User.session_token == session_token))


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, never a scheme."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        config = current_app.config
        try:
            user = authenticate(
                form.email.data, form.password.data, now=datetime.now(UTC),
                max_failures=config["LOCKOUT_AFTER_FAILURES"],
                lockout=timedelta(minutes=config["LOCKOUT_MINUTES"]),
            )
        except SignInError as error:
            db.session.commit()  # keep the failure count
            form.password.errors.append(str(error))
        else:
            user.rotate_session_token()
            db.session.commit()
            session.clear()  # a fresh session: nothing carried over from before sign-in
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@permission_required("use_account")
def sign_out():
    form = EmptyForm()
    if form.validate_on_submit():
        end_session(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@permission_required("use_account")
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, current=form.current_password.data,
                            new=form.new_password.data)
        except ValueError as error:
            field, message = error.args
            form[field].errors.append(message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # new token: keep this session
            flash("Your password has been changed. Other sessions have been signed out",
                  "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
