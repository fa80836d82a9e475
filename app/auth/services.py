"""Signing in and out, lockout after repeated failures, changing passwords."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.access import idle_minutes, needs_second_step, session_lifetime
from app.audit import services as audit
from app.extensions import db
from app.models.auth import AccountToken, User, UserSession
from app.models.people import Person

from .passwords import dummy_hash, hash_password, password_problem, verify_password


class SignInError(Exception):
    pass


def find_user_by_email(email: str) -> User | None:
    """The account with this email address; a parent with no email signs in with their reference."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None and "@" not in email and email.strip():
        user = db.session.scalar(select(User).join(Person, Person.id == User.person_id)
                                 .where(func.upper(Person.ref) == email.strip().upper()))
    return user


def _as_aware(moment: datetime | None, now: datetime) -> datetime | None:
    # SQLite hands back naive datetimes; they were stored as UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment


GENERIC_REFUSAL = "Enter a correct email address and password"


def authenticate(email: str, password: str, *, now: datetime, max_failures: int,
                 lockout: timedelta, known_device: bool = False) -> User:
    """The user with these credentials, counting failures toward a lockout.

    A lockout stops guessing from new browsers; a browser this account has signed in
    from before (``known_device``) is not locked out, so nobody can lock a colleague
    out of their own computer by guessing at their address.

    :raises SignInError: with a message safe to show, whatever went wrong.
    """
    user = find_user_by_email(email)
    # Every refusal is the same message after the same work (one password check), so a
    # reply says nothing about whether an address has an account or is locked.
    matches = verify_password(user.password_hash if user else dummy_hash(), password)
    if user is None:
        raise SignInError(GENERIC_REFUSAL)
    locked_until = _as_aware(user.locked_until, now)
    locked = locked_until is not None and locked_until > now and not known_device
    if locked or not matches or not user.is_enabled:
        if not locked:
            _count_failure(user, now=now, max_failures=max_failures, lockout=lockout)
        raise SignInError(GENERIC_REFUSAL)
    user.failed_sign_ins = 0
    user.locked_until = None
    return user


def _count_failure(user: User, *, now, max_failures: int, lockout: timedelta) -> None:
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= max_failures:
        user.locked_until = now + lockout
        user.failed_sign_ins = 0
        audit.record(actor=None, action="lock", entity=user,
                     summary=f"Account locked after {max_failures} failed sign-ins")


def count_code_failure(user: User, *, now: datetime, max_failures: int, lockout: timedelta) -> bool:
    """A wrong second-step code. Counted apart from wrong passwords and reset only by a passed
    second step, so typing the password again between guesses gains nothing; the last one
    allowed locks the account and ends the sign-in waiting for its code. Returns whether it locked.
    """
    user.failed_codes = (user.failed_codes or 0) + 1
    if user.failed_codes < max_failures:
        return False
    user.failed_codes = 0
    user.locked_until = now + lockout
    user.rotate_session_token()  # the password step waiting for this code no longer counts
    audit.record(actor=None, action="lock", entity=user, provider_id=user.provider_id,
                 summary=f"Account locked after {max_failures} wrong sign-in codes")
    return True


def code_passed(user: User) -> None:
    """The second step was passed: wrong codes before it stop counting."""
    user.failed_codes = 0


def revoke_tokens(user: User, *, now: datetime) -> int:
    """Mark every unused invitation, reset link and letter code of ``user`` used; returns how many.

    Called whenever the password changes, the account is switched off or anonymised: an old
    link must never set a password or let anyone in afterwards.
    """
    return db.session.execute(AccountToken.__table__.update().where(
        AccountToken.user_id == user.id, AccountToken.used_at.is_(None)).values(used_at=now)).rowcount


def start_session(user: User, *, user_agent: str, now: datetime, second_step: str | None = None) -> UserSession:
    """A new signed-in device for ``user``; their other devices stay signed in.

    ``second_step`` says how the device passed the second step; a staff account's device
    that passed none is refused by ``load_session``.
    """
    user.last_sign_in_at = now
    device = UserSession(user_id=user.id, user_agent=(user_agent or "")[:200], created_at=now, last_seen_at=now,
                         second_step=second_step)
    db.session.add(device)
    db.session.flush()
    user.device_token = device.token
    return device


def load_session(token: str, *, now: datetime, idle_limit: timedelta | None = None) -> User | None:
    """The user signed in on the device with ``token``, or None if it was signed out or left idle.

    An idle device is signed out here, so its cookie never works again.
    """
    device = db.session.scalar(select(UserSession).where(UserSession.token == token)  # the header names the provider
                               .options(joinedload(UserSession.user).joinedload(User.provider)))
    if device is None or not device.user.is_active:
        return None
    if device.second_step is None and needs_second_step(device.user):
        return None  # signed in before the account needed a second step: sign in again
    limit = idle_limit if idle_limit is not None else idle_limit_for(device.user)
    started = _as_aware(device.created_at, now)
    if _as_aware(device.last_seen_at, now) + limit < now or started + lifetime_for(device.user) < now:
        db.session.delete(device)
        db.session.commit()
        return None
    if now - _as_aware(device.last_seen_at, now) > timedelta(minutes=1):  # not a write per request
        device.last_seen_at = now
        db.session.commit()
    device.user.device_token = token
    device.user.device_ends_at = started + lifetime_for(device.user)
    return device.user


def lifetime_for(user: User) -> timedelta:
    from flask import current_app

    return session_lifetime(user, current_app.config)


def idle_limit_for(user: User) -> timedelta:
    from flask import current_app

    return timedelta(minutes=idle_minutes(user, current_app.config))


def end_session(user: User) -> None:
    """Sign out this device only."""
    if user.device_token:
        db.session.execute(UserSession.__table__.delete().where(UserSession.token == user.device_token))


def end_all_sessions(user: User, *, keep_current: bool = False) -> int:
    """Sign the user out everywhere (or everywhere but this device); returns how many ended."""
    query = UserSession.__table__.delete().where(UserSession.user_id == user.id)
    if keep_current and user.device_token:
        query = query.where(UserSession.token != user.device_token)
    ended = db.session.execute(query).rowcount
    user.rotate_session_token()
    return ended


def devices(user: User) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.last_seen_at.desc())))


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
    end_all_sessions(user, keep_current=True)
    revoke_tokens(user, now=datetime.now(UTC))
    audit.record(actor=user, action="update", entity=user, summary="Password changed")


def unlock(user: User, *, actor: User) -> None:
    user.locked_until = None
    user.failed_sign_ins = 0
    audit.record(actor=actor, action="unlock", entity=user, summary="Account unlocked")
