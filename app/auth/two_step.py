"""The second step of signing in: a code from an authenticator app (TOTP, through pyotp) or
a code sent by email, and ten single-use recovery codes for when neither is to hand.

Each function that changes an account writes the audit history and flushes; the caller commits.
"""

import hashlib
import hmac
import io
import secrets
from datetime import datetime, timedelta

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app
from markupsafe import Markup
from sqlalchemy import select, update

from app.access import may_turn_off_second_step
from app.audit import services as audit
from app.extensions import db
from app.mail import send_email
from app.models.auth import RecoveryCode, User

from .services import _as_aware, end_all_sessions

APP, EMAIL, RECOVERY = "app", "email", "recovery"
METHOD_NAMES = {APP: "Codes from an authenticator app", EMAIL: "Codes sent by email"}
EMAIL_CODE_LIFETIME = timedelta(minutes=10)
RECOVERY_CODE_COUNT = 10


def has_real_email(user: User) -> bool:
    return not user.email.endswith(".invalid")


def methods_for(user: User) -> list[str]:
    """The ways this account may take the second step: an app always; email where the provider
    (or, for the council's own accounts, the council) allows it and the account has an address."""
    email_allowed = (user.provider.email_codes_allowed if user.provider is not None
                     else current_app.config["COUNCIL_EMAIL_CODES_ALLOWED"])
    return [APP] + ([EMAIL] if email_allowed and has_real_email(user) else [])


def is_set_up(user: User) -> bool:
    """Whether the account has a second step it may still use."""
    return user.two_step_method is not None and user.two_step_method in methods_for(user)


def _digest(user: User, code: str) -> str:
    return hashlib.sha256(f"{user.id}:{code}".encode()).hexdigest()


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


# An authenticator app ------------------------------------------------------------------

def new_secret() -> str:
    return pyotp.random_base32()


def qr_code_svg(user: User, secret: str) -> Markup:
    """A QR code an authenticator app scans: the account's name and the secret."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SERVICE_NAME"])
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8, border=2).save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg"):].replace("<svg", '<svg role="img" aria-label="QR code for your authenticator app"', 1)
    return Markup(svg)  # noqa: S704 - built here from the qrcode library's own output


def app_code_step(secret: str, code: str, *, now: datetime, after: int | None) -> int | None:
    """The time step ``code`` belongs to (this one, or one either side for a slow clock), if it is
    right and later than ``after``, the last step used; otherwise None."""
    code = _digits(code)
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# A code by email -----------------------------------------------------------------------

def issue_email_code(user: User, *, now: datetime) -> str:
    """A new 6-digit code for the account (the previous one stops working); the caller sends it."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    user.email_code_hash = _digest(user, code)
    user.email_code_expires_at = now + EMAIL_CODE_LIFETIME
    db.session.flush()
    return code


def email_code_is_live(user: User, *, now: datetime) -> bool:
    expires = _as_aware(user.email_code_expires_at, now)
    return user.email_code_hash is not None and expires is not None and expires > now


def send_email_code(user: User, *, now: datetime) -> None:
    code = issue_email_code(user, now=now)
    send_email(user.email, f"Your Pathway sign-in code is {code}",
               f"Hello {user.name},\n\nYour code to finish signing in to Pathway is {code}. It works once, for "
               f"{int(EMAIL_CODE_LIFETIME.total_seconds() // 60)} minutes.\n\nIf you did not just sign in, someone "
               "else knows your password: change it now, and tell your administrator.",
               provider_id=user.provider_id)


def _use_email_code(user: User, code: str, *, now: datetime) -> bool:
    code = _digits(code)
    if len(code) != 6 or not email_code_is_live(user, now=now):
        return False
    if not hmac.compare_digest(user.email_code_hash, _digest(user, code)):
        return False
    user.email_code_hash = user.email_code_expires_at = None
    return True


# Recovery codes ------------------------------------------------------------------------

def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Ten new single-use codes, shown once; the earlier ones stop working."""
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(user, code)) for code in codes)
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def _use_recovery_code(user: User, code: str, *, now: datetime) -> bool:
    code = _normalise_recovery(code)
    if len(code) != 10:
        return False
    used = db.session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(user, code),
        RecoveryCode.used_at.is_(None)).values(used_at=now)).rowcount
    if used:
        audit.record(actor=user, action="second_step", entity=user, provider_id=user.provider_id,
                     summary=f"Signed in with a recovery code ({recovery_codes_left(user)} left)")
    return bool(used)


# Checking and changing -----------------------------------------------------------------

def check(user: User, code: str, *, now: datetime) -> str | None:
    """How ``code`` passes the account's second step (APP, EMAIL or RECOVERY), or None.

    An app code or an email code works once; a recovery code works once.
    """
    code = (code or "").strip()[:40]
    if user.two_step_method == APP and user.totp_secret:
        step = app_code_step(user.totp_secret, code, now=now, after=user.totp_last_counter)
        if step is not None:
            user.totp_last_counter = step
            return APP
    if user.two_step_method == EMAIL and _use_email_code(user, code, now=now):
        return EMAIL
    if _use_recovery_code(user, code, now=now):
        return RECOVERY
    return None


def set_up(user: User, method: str, *, secret: str | None = None, code: str, now: datetime) -> list[str]:
    """Make ``method`` the account's second step once ``code`` shows it works; returns new
    recovery codes to show once.

    :raises ValueError: with a message for the code field when the code is not right.
    """
    if method not in methods_for(user):
        raise ValueError("Choose how you will get your codes")
    if method == APP:
        step = app_code_step(secret or "", code, now=now, after=None)
        if step is None:
            raise ValueError("That code is not right. Enter the 6-digit code your app shows now")
        user.totp_secret, user.totp_last_counter = secret, step
    else:
        if not _use_email_code(user, code, now=now):
            raise ValueError("That code is not right or has expired. Enter the code from the newest email, "
                             "or send a new one")
        user.totp_secret = user.totp_last_counter = None
    before = user.two_step_method
    user.two_step_method = method
    audit.record(actor=user, action="second_step", entity=user, provider_id=user.provider_id,
                 summary=("Changed" if before else "Set up") + f" two-step sign-in: {METHOD_NAMES[method].lower()}")
    return new_recovery_codes(user)


def turn_off(user: User) -> None:
    """A parent turns their second step off (staff cannot)."""
    if not may_turn_off_second_step(user):
        raise PermissionError("Staff accounts keep two-step sign-in")
    _clear(user)
    audit.record(actor=user, action="second_step", entity=user, provider_id=user.provider_id,
                 summary="Turned off two-step sign-in")


def reset(user: User, *, actor: User) -> None:
    """An administrator resets a lost second step: the person sets one up at their next sign-in,
    and every device they were signed in on is signed out."""
    _clear(user)
    end_all_sessions(user)
    audit.record(actor=actor, action="reset_second_step", entity=user, provider_id=user.provider_id,
                 summary=f"Reset {user.name}'s two-step sign-in: they set it up again when they next sign in")


def _clear(user: User) -> None:
    user.two_step_method = user.totp_secret = user.totp_last_counter = None
    user.email_code_hash = user.email_code_expires_at = None
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    db.session.flush()
