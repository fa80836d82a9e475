"""Signing in and out, lockout after repeated failures, changing passwords."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.audit import services as audit
from app.extensions import db

from .models import User
from .passwords import dummy_hash, hash_password, password_problem, verify_password


class SignInError(Exception):
    pass


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _as_aware(moment: datetime | None, now: datetime) -> datetime | None:
    # SQLite hands back naive datetimes; they were stored as UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment


def authenticate(email: str, password: str, *, now: datetime, max_failures: int,
                 lockout: timedelta) -> User:
    """The user with these credentials, counting failures toward a lockout.

    :raises SignInError: with a message safe to show, whatever went wrong.
    """
    user = find_user_by_email(email)
    if user is None:
        verify_password(dummy_hash(), password)
        raise SignInError("Enter a correct email address and password")
    locked_until = _as_aware(user.locked_until, now)
    if locked_until is not None and locked_until > now:
        raise SignInError(
            "This account is locked after too many failed attempts. Try again later "
            "or ask your administrator to unlock it"
        )
    if not verify_password(user.password_hash, password) or not user.is_enabled:
        _count_failure(user, now=now, max_failures=max_failures, lockout=lockout)
        raise SignInError("Enter a correct email address and password")
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    return user


def _count_failure(user: User, *, now, max_failures: int, lockout: timedelta) -> None:
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= max_failures:
        user.locked_until = now + lockout
        user.failed_sign_ins = 0
        audit.record(actor=None, action="lock", entity=user,
                     summary=f"Account locked after {max_failures} failed sign-ins")


def end_session(user: User) -> None:
    """Invalidate every cookie issued for the user's current session."""
    user.rotate_session_token()


def change_password(user: User, *, current: str, new: str) -> None:
    """Set a new password and end other sessions.

    :raises ValueError: naming the field and problem when a password is not accepted.
    """
    if not verify_password(user.password_hash, current):
        raise ValueError("current_password", "Your current password is not right")
    problem = password_problem(new)
    if problem:
        raise ValueError("new_password", problem)
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    audit.record(actor=user, action="update", entity=user, summary="Password changed")


def unlock(user: User, *, actor: User) -> None:
    user.locked_until = None
    user.failed_sign_ins = 0
    audit.record(actor=actor, action="unlock", entity=user, summary="Account unlocked")
