import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select, update

from app.access import may_turn_off_second_step, needs_second_step, permission_required, public
from app.audit import services as audit
from app.auth.forms import NotificationsForm
from app.extensions import db, limiter, login_manager
from app.models.auth import KnownDevice, User, UserSession
from app.views import whole_number

from . import two_step
from .forms import ChangePasswordForm, ChooseMethodForm, CodeForm, EmptyForm, SignInForm
from .services import (
    SignInError,
    _as_aware,
    authenticate,
    change_password,
    code_passed,
    count_code_failure,
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


def _device_hash() -> str | None:
    """This browser's device id, hashed as it is kept; None without a well-formed cookie."""
    token = request.cookies.get(KNOWN_DEVICE_COOKIE, "")
    if not 20 <= len(token) <= 100 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return hashlib.sha256(token.encode()).hexdigest()


def _is_known_device(email: str) -> bool:
    """Whether this browser has signed in to the account with ``email`` before."""
    digest = _device_hash()
    return digest is not None and db.session.scalar(
        select(KnownDevice.id).join(User, User.id == KnownDevice.user_id)
        .where(KnownDevice.token_hash == digest, func.lower(User.email) == email.strip().lower()).limit(1)) is not None


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
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
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
            db.session.commit()
            next_page = safe_next(request.args.get("next"))
            if needs_second_step(user):
                return await_second_step(user, next_page)
            return complete_sign_in(user, second_step=None, next_page=next_page)
    return render_template("auth/sign_in.html", form=form)


PENDING = "pending_sign_in"
PENDING_FOR = timedelta(minutes=15)


def await_second_step(user: User, next_page: str | None):
    """The password was right; the account is not signed in until the second step is done."""
    session.clear()
    session[PENDING] = {"user": user.id, "token": user.session_token, "at": datetime.now(UTC).timestamp(),
                        "next": next_page}
    if two_step.is_set_up(user):
        return redirect(url_for("auth.second_step"))
    return redirect(url_for("auth.set_up_second_step"))


def pending_user() -> User | None:
    """The account whose password was entered in this browser in the last few minutes, still
    waiting for its second step; None once that has lapsed, or the account was locked or changed."""
    pending = session.get(PENDING)
    now = datetime.now(UTC)
    if not isinstance(pending, dict) or now.timestamp() - pending.get("at", 0) > PENDING_FOR.total_seconds():
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_enabled or user.session_token != pending.get("token"):
        return None
    locked_until = _as_aware(user.locked_until, now)
    if locked_until is not None and locked_until > now and not _is_known_device(user.email):
        return None
    return user


def complete_sign_in(user: User, *, second_step: str | None, next_page: str | None, page=None):
    """Sign the account in on this device; the response is a redirect, or ``page()`` rendered."""
    if second_step is not None:
        code_passed(user)
    start_session(user, user_agent=request.headers.get("User-Agent", ""), now=datetime.now(UTC),
                  second_step=second_step)
    db.session.commit()
    session.clear()  # a fresh session: nothing carried over from before sign-in
    login_user(user)
    response = make_response(page()) if page else redirect(next_page or url_for("main.home"))
    _remember_device(response, user)
    return response


def _start_again():
    session.pop(PENDING, None)
    flash("Sign in again to continue", "important")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in/second-step", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@public
def second_step():
    user = pending_user()
    if user is None:
        return _start_again()
    if not two_step.is_set_up(user):
        return redirect(url_for("auth.set_up_second_step"))
    now = datetime.now(UTC)
    form = CodeForm()
    if request.method == "POST" and request.form.get("resend"):
        return _resend(user, url_for("auth.second_step"))
    if user.two_step_method == two_step.EMAIL and request.method == "GET" and not two_step.email_code_is_live(
            user, now=now):
        two_step.send_email_code(user, now=now)
        db.session.commit()
    if form.validate_on_submit():
        passed = two_step.check(user, form.code.data, now=now)
        if passed:
            return complete_sign_in(user, second_step=passed, next_page=session.get(PENDING, {}).get("next"))
        if _count_code_failure(user, now):
            return _start_again()
        form.code.errors.append("That code is not right or has expired. Check it and try again")
    return render_template("auth/second_step.html", form=form, user=user, resend=EmptyForm(),
                           method=user.two_step_method)


@bp.route("/sign-in/set-up-second-step", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@public
def set_up_second_step():
    """A staff account with no second step yet sets one up before it is let in."""
    user = pending_user()
    if user is None:
        return _start_again()
    return _set_up(user, signed_in=False)


@bp.route("/account/two-step/set-up", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@permission_required("use_account")
def change_second_step():
    return _set_up(current_user, signed_in=True)


NEW_SECRET = "new_totp_secret"


def _set_up(user: User, *, signed_in: bool):
    """Choose a way to get codes, prove it works with a code, then see recovery codes once."""
    now = datetime.now(UTC)
    methods = two_step.methods_for(user)
    method = _method_asked_for(methods)
    if method is None:
        return _choose_method(user, methods, signed_in)
    if request.method == "POST" and request.form.get("resend"):
        return _resend(user, url_for(request.endpoint, method=method))
    if request.method == "GET":
        _start_method(user, method, now)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_step.set_up(user, method, secret=session.get(NEW_SECRET), code=form.code.data, now=now)
        except ValueError as error:
            form.code.errors.append(str(error))
            if not signed_in and _count_code_failure(user, now):
                return _start_again()
        else:
            return _show_recovery_codes(user, codes, method=method, signed_in=signed_in)
    secret = session.get(NEW_SECRET) if method == two_step.APP else None
    if method == two_step.APP and not secret:
        return redirect(url_for(request.endpoint, method=method))
    return render_template("auth/set_up_second_step.html", form=form, method=method, signed_in=signed_in,
                           secret=secret, qr=two_step.qr_code_svg(user, secret) if secret else None,
                           email=user.email, resend=EmptyForm(), several=len(methods) > 1)


def _method_asked_for(methods: list[str]) -> str | None:
    if request.args.get("method") in methods:
        return request.args["method"]
    return methods[0] if len(methods) == 1 else None


def _start_method(user: User, method: str, now: datetime) -> None:
    """A new secret for an app to scan, or a code sent by email (unless one is still live)."""
    if method == two_step.APP:
        session[NEW_SECRET] = two_step.new_secret()
    elif not two_step.email_code_is_live(user, now=now):
        two_step.send_email_code(user, now=now)
        db.session.commit()


def _choose_method(user: User, methods: list[str], signed_in: bool):
    form = ChooseMethodForm()
    form.method.choices = [(m, {two_step.APP: "An authenticator app on your phone (recommended)",
                                two_step.EMAIL: f"A code sent by email to {user.email}"}[m]) for m in methods]
    if form.validate_on_submit():
        return redirect(url_for(request.endpoint, method=form.method.data))
    return render_template("auth/choose_second_step.html", form=form, signed_in=signed_in)


def _resend(user: User, back: str):
    if EmptyForm().validate_on_submit():
        two_step.send_email_code(user, now=datetime.now(UTC))
        db.session.commit()
        flash(f"We have sent a new code to {user.email}", "success")
    return redirect(back)


def _count_code_failure(user: User, now: datetime) -> bool:
    """A wrong code, on its own counter; returns whether the account is now locked."""
    config = current_app.config
    locked = count_code_failure(user, now=now, max_failures=config["LOCKOUT_AFTER_FAILURES"],
                                lockout=timedelta(minutes=config["LOCKOUT_MINUTES"]))
    db.session.commit()
    return locked


def _show_recovery_codes(user: User, codes: list[str], *, method: str, signed_in: bool):
    session.pop(NEW_SECRET, None)
    next_page = None if signed_in else session.get(PENDING, {}).get("next")
    db.session.commit()

    def page():
        return render_template("auth/recovery_codes.html", codes=codes, next_page=next_page or url_for("main.home"),
                               first_time=not signed_in)

    if signed_in:
        return page()
    return complete_sign_in(user, second_step=method, next_page=None, page=page)


@bp.route("/account/two-step", methods=["GET", "POST"])
@permission_required("use_account")
def two_step_settings():
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "recovery" and current_user.two_step_method:
            codes = two_step.new_recovery_codes(current_user)
            audit.record(actor=current_user, action="second_step", entity=current_user,
                         provider_id=current_user.provider_id, summary="Made new recovery codes")
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, next_page=url_for("auth.two_step_settings"),
                                   first_time=False)
        if request.form.get("action") == "off" and may_turn_off_second_step(current_user):
            two_step.turn_off(current_user)
            db.session.commit()
            flash("Two-step sign-in is off. You sign in with your password alone", "success")
        return redirect(url_for("auth.two_step_settings"))
    return render_template("auth/two_step.html", form=form, method=current_user.two_step_method,
                           names=two_step.METHOD_NAMES, left=two_step.recovery_codes_left(current_user),
                           may_turn_off=may_turn_off_second_step(current_user))


def _remember_device(response, user: User) -> None:
    """Note this browser against the account: the cookie is a random id, nothing more."""
    token = request.cookies.get(KNOWN_DEVICE_COOKIE, "") if _device_hash() else secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    if db.session.scalar(select(KnownDevice.id).where(KnownDevice.token_hash == digest,
                                                      KnownDevice.user_id == user.id)) is None:
        db.session.add(KnownDevice(token_hash=digest, user_id=user.id))
        db.session.commit()
    response.set_cookie(KNOWN_DEVICE_COOKIE, token, max_age=180 * 24 * 3600,
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
        if request.form.get("reason") == "idle":
            flash("We signed you out because you had not done anything for a while. Anything you had typed is "
                  "kept: sign in again to carry on", "important")
        else:
            flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/keep-alive", methods=["POST"])
@permission_required("use_account")
def keep_alive():
    """"Stay signed in" on the timeout warning: the device counts as used now."""
    if EmptyForm().validate_on_submit():
        db.session.execute(update(UserSession).where(UserSession.token == current_user.device_token)
                           .values(last_seen_at=datetime.now(UTC)))
        db.session.commit()
        return "", 204
    return "", 400


@bp.route("/account/notifications", methods=["GET", "POST"])
@permission_required("use_account")
def notifications():
    form = NotificationsForm()
    if request.method == "GET":
        form.email.data = "yes" if current_user.email_notifications else "no"
    if form.validate_on_submit():
        current_user.email_notifications = form.email.data == "yes"
        audit.record(actor=current_user, action="update", entity=current_user,
                     summary="Turned email notifications " + ("on" if current_user.email_notifications else "off"))
        db.session.commit()
        flash("Emails turned " + ("on" if current_user.email_notifications else "off: your home page still "
                                  "shows what happened"), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/notifications.html", form=form)


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
            UserSession.user_id == current_user.id, UserSession.id == request.form.get("device", type=whole_number),
            UserSession.token != current_user.device_token)).rowcount
        db.session.commit()
        flash("That device has been signed out" if ended else "That device was already signed out", "success")
        return redirect(url_for("auth.devices"))
    return render_template("auth/devices.html", devices=list_devices(current_user), form=form,
                           current_token=current_user.device_token)
