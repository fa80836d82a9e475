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
from itsdangerous import BadSignature, URLSafeSerializer

from app.access import permission_required, public
from app.extensions import db, limiter, login_manager

from .forms import ChangePasswordForm, EmptyForm, SignInForm
from .models import User, UserSession
from .services import (
    SignInError,
    authenticate,
    change_password,
    end_all_sessions,
    end_session,
    load_session,
    start_session,
)
from .services import devices as list_devices

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(device_token: str) -> User | None:
    return load_session(device_token, now=datetime.now(UTC))


KNOWN_DEVICE_COOKIE = "pathway_device"


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _is_known_device(email: str) -> bool:
    """Whether this browser has signed in to the account with ``email`` before (a signed cookie)."""
    try:
        known = _device_serializer().loads(request.cookies.get(KNOWN_DEVICE_COOKIE, ""))
    except BadSignature:
        return False
    return isinstance(known, list) and email.strip().lower() in known


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
                known_device=_is_known_device(form.email.data),
            )
        except SignInError as error:
            db.session.commit()  # keep the failure count
            form.password.errors.append(str(error))
        else:
            start_session(user, user_agent=request.headers.get("User-Agent", ""), now=datetime.now(UTC))
            db.session.commit()
            session.clear()  # a fresh session: nothing carried over from before sign-in
            login_user(user)
            response = redirect(safe_next(request.args.get("next")) or url_for("main.home"))
            _remember_device(response, user.email)
            return response
    return render_template("auth/sign_in.html", form=form)


def _remember_device(response, email: str) -> None:
    try:
        known = _device_serializer().loads(request.cookies.get(KNOWN_DEVICE_COOKIE, ""))
    except BadSignature:
        known = []
    known = [e for e in known if e != email.lower()][-4:] + [email.lower()]
    response.set_cookie(KNOWN_DEVICE_COOKIE, _device_serializer().dumps(known), max_age=180 * 24 * 3600,
                        httponly=True, samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))


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
            flash("Your password has been changed. Other sessions have been signed out",
                  "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/devices", methods=["GET", "POST"])
@permission_required("use_account")
def devices():
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("everywhere"):
            end_all_sessions(current_user)
            db.session.commit()
            logout_user()
            session.clear()
            flash("You have signed out on every device", "success")
            return redirect(url_for("auth.sign_in"))
        ended = db.session.execute(UserSession.__table__.delete().where(
            UserSession.user_id == current_user.id, UserSession.id == request.form.get("device", type=int),
            UserSession.token != current_user.device_token)).rowcount
        db.session.commit()
        flash("That device has been signed out" if ended else "That device was already signed out", "success")
        return redirect(url_for("auth.devices"))
    return render_template("auth/devices.html", devices=list_devices(current_user), form=form,
                           current_token=current_user.device_token)
