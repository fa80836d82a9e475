"""Giving people accounts and getting them back in: each takes the acting user (None for
the system), writes the audit history and flushes; the caller commits."""

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from app.access import can
from app.audit import services as audit
from app.auth.passwords import hash_password, password_problem
from app.auth.services import end_all_sessions, find_user_by_email, revoke_tokens
from app.extensions import db
from app.models.auth import AccountToken, Role, TokenKind, User
from app.models.people import Person

LIFETIMES = {TokenKind.INVITE: timedelta(weeks=1), TokenKind.LETTER: timedelta(weeks=2),
             TokenKind.RESET: timedelta(hours=1)}
# Letter codes are read off paper and typed on a phone: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
STAFF_ROLES = (Role.AREA_FACILITATOR, Role.HR, Role.ADMIN)
# Roles that approve, pay or grant: held only by an account linked to its person, and only once
# someone other than whoever granted it has confirmed the grant.
POWER_ROLES = STAFF_ROLES


def needs_confirmation(role: Role) -> bool:
    """Whether giving ``role`` waits for a second person (it approves, pays or grants)."""
    return role in POWER_ROLES


class AccountError(ValueError):
    """A rule was broken; args are (field name, message)."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def issue_token(user: User, kind: TokenKind, *, actor, now: datetime) -> str:
    """A new single-use link token or letter code for ``user``; earlier unused ones of the kind stop working."""
    db.session.execute(update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.kind == kind, AccountToken.used_at.is_(None))
        .values(used_at=now))
    if kind == TokenKind.LETTER:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        raw, stored = f"{code[:4]}-{code[4:]}", code
    else:
        raw = stored = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, kind=kind, token_hash=_digest(stored), created_at=now,
                                expires_at=now + LIFETIMES[kind], created_by_id=actor.id if actor else None))
    db.session.flush()
    return raw


def find_token(raw: str, kinds: tuple[TokenKind, ...], *, now: datetime) -> AccountToken | None:
    """The unused, unexpired token for ``raw`` (a link token or a typed letter code), or None."""
    candidates = {raw, normalise_code(raw)}
    token = db.session.scalar(select(AccountToken).where(
        AccountToken.token_hash.in_([_digest(c) for c in candidates if c]), AccountToken.kind.in_(kinds)))
    if token is None or token.used_at is not None:
        return None
    expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=now.tzinfo)
    return token if expires > now else None


def use_token(token: AccountToken, *, password: str, now: datetime) -> User:
    """Set the password the person chose and sign out every other session. A token never
    switches an account on: a switched-off account's links stopped working when it was.

    :raises AccountError: for a password that is not accepted, a token used meanwhile, or an
        account switched off.
    """
    problem = password_problem(password)
    if problem:
        raise AccountError("password", problem)
    if not token.user.is_enabled:
        raise AccountError("password", "This link no longer works. Ask your administrator")
    used = db.session.execute(update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
                              .values(used_at=now)).rowcount
    if not used:
        raise AccountError("password", "This link has already been used. Ask for a new one")
    user = token.user
    user.password_hash = hash_password(password)
    user.locked_until, user.failed_sign_ins = None, 0
    end_all_sessions(user)
    revoke_tokens(user, now=now)  # the other links (an invitation and a reset) stop working too
    what = {TokenKind.RESET: "Password reset", TokenKind.INVITE: "Invitation accepted",
            TokenKind.LETTER: "Letter code used"}[token.kind]
    audit.record(actor=user, action="set_password", entity=user, summary=f"{what}: password chosen")
    db.session.flush()
    return user


def _check_email_free(email: str, *, except_id: int | None = None) -> None:
    query = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    if db.session.scalar(query) is not None:
        raise AccountError("email", "There is already an account with that email address")


def create_staff_account(*, name: str, email: str, role: Role, area_id: int | None, provider_id: int | None,
                         actor, now: datetime, person: Person | None = None,
                         confirmed: bool = False) -> tuple[User, str]:
    """A staff account with no usable password yet, and the invitation link's token.

    A provider's staff account is linked to its person and waits for someone else to confirm
    its role, unless ``confirmed`` (the council adding a provider's first member of staff is
    already a second person).

    :raises AccountError: for a taken email address or a facilitator with no area.
    """
    if role == Role.AREA_FACILITATOR and not area_id:
        raise AccountError("area_id", "Select the area they look after")
    _check_email_free(email)
    user = User(name=name.strip(), email=email.strip().lower(), role=role, provider_id=provider_id,
                area_id=area_id if role == Role.AREA_FACILITATOR else None,
                person_id=person.id if person is not None else None,
                password_hash=hash_password(secrets.token_urlsafe(32)))
    db.session.add(user)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=user, provider_id=provider_id,
                 summary=f"Created a {role.label} account for {user.name}")
    if role in POWER_ROLES and not confirmed:
        _await_confirmation(user, actor=actor)
    return user, issue_token(user, TokenKind.INVITE, actor=actor, now=now)


def matching_people(provider_id: int | None, *, name: str, email: str) -> list[Person]:
    """The provider's people a new account may be for: the same email address, or the same name."""
    if provider_id is None:
        return []
    first, _, last = (name or "").strip().lower().rpartition(" ")
    by_name = (func.lower(Person.first_name) == first) & (func.lower(Person.last_name) == last) if first else None
    condition = func.lower(Person.email) == (email or "").strip().lower()
    if by_name is not None:
        condition = condition | by_name
    return list(db.session.scalars(select(Person).where(Person.provider_id == provider_id, condition,
                                                        Person.anonymised_at.is_(None)).order_by(Person.ref)))


def _await_confirmation(account: User, *, actor) -> None:
    account.grant_confirmed = False
    account.granted_by_id = actor.id if actor is not None else None
    audit.record(actor=actor, action="grant", entity=account, provider_id=account.provider_id,
                 summary=f"Gave {account.name} the role {account.role.label}: it takes effect when another "
                         "administrator or HR confirms it")


def grant_staff_role(person: Person, *, role: Role, area_id: int | None, actor,
                     now: datetime) -> tuple[User, str | None]:
    """Give a person a staff role from their record: their own account gains it (a parent keeps
    one account and takes the second step from now on), an unlinked account with their email is
    linked, or a new account is made and its invitation token returned. The role has no power
    until someone other than ``actor`` confirms it.

    :raises AccountError: for a role that is not a staff one, a facilitator with no area, or a
        person with no email and no account.
    """
    if role not in POWER_ROLES:
        raise AccountError("role", "Select a staff role")
    if role == Role.AREA_FACILITATOR and not area_id:
        raise AccountError("area_id", "Select the area they look after")
    account = account_for(person) or _unlinked_account(person)
    if account is None:
        if not person.email:
            raise AccountError("role", f"{person.name} has no email address: add one to their record first")
        return create_staff_account(name=person.name, email=person.email, role=role, area_id=area_id,
                                    provider_id=person.provider_id, actor=actor, now=now, person=person)
    before = {"role": account.role.value, "area_id": account.area_id, "person_id": account.person_id}
    account.person_id, account.role = person.id, role
    account.area_id = area_id if role == Role.AREA_FACILITATOR else None
    changes = audit.diff(before, {"role": role.value, "area_id": account.area_id, "person_id": person.id})
    end_all_sessions(account)  # what they may do changed: they sign in again, with the second step
    _await_confirmation(account, actor=actor)
    db.session.flush()
    if changes:
        audit.record(actor=actor, action="update", entity=account, provider_id=account.provider_id,
                     summary=f"Gave {person.name}'s account a staff role: {', '.join(changes)}", changes=changes)
    return account, None


def _unlinked_account(person: Person) -> User | None:
    """An account made under Accounts with the person's email and no person, at their provider."""
    if not person.email:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == person.email.lower(),
                                                User.person_id.is_(None), User.provider_id == person.provider_id))


def link_person(account: User, person: Person, *, actor) -> None:
    """Link an account to the person it belongs to. A staff role waits for confirmation again.

    :raises AccountError: for a person at another provider.
    """
    if person.provider_id != account.provider_id:
        raise AccountError("ref", "There is no person with that reference at your provider")
    account.person_id = person.id
    audit.record(actor=actor, action="update", entity=account, provider_id=account.provider_id,
                 summary=f"Linked {account.name}'s account to {person.name} ({person.ref})")
    if needs_confirmation(account.role):
        _await_confirmation(account, actor=actor)
    db.session.flush()


def confirm_grant(account: User, *, actor) -> None:
    """A second person confirms a staff role, which takes effect now.

    :raises AccountError: for one already confirmed, or one the actor granted or holds.
    """
    if account.grant_confirmed:
        raise AccountError("confirm", "This role is already confirmed")
    if not can(actor, "confirm_grants", account):
        raise AccountError("confirm", "Someone other than who gave the role, and other than its holder, must "
                                      "confirm it")
    account.grant_confirmed = True
    audit.record(actor=actor, action="confirm", entity=account, provider_id=account.provider_id,
                 summary=f"Confirmed {account.name}'s role {account.role.label}")
    db.session.flush()


def council_coordinators() -> list[User]:
    """The council's co-ordinators, switched on: told when a provider submits a return."""
    return list(db.session.scalars(select(User).where(User.role.in_([Role.COORDINATOR]), User.is_enabled)
                                   .order_by(User.name)))


def grant_watchers(account: User) -> list[User]:
    """Who is told of a grant: the provider's other administrators and HR, switched on."""
    return list(db.session.scalars(select(User).where(
        User.provider_id == account.provider_id, User.id != account.id, User.is_enabled,
        User.role.in_([Role.ADMIN, Role.HR])).order_by(User.name)))


def change_account(account: User, *, role: Role, area_id: int | None, actor) -> dict:
    """Change an account's role or area; returns what changed. A new staff role waits for a
    second person to confirm it, and needs the account linked to its person.

    :raises AccountError: for a facilitator with no area, or a staff role on an unlinked account.
    """
    if role == Role.AREA_FACILITATOR and not area_id:
        raise AccountError("area_id", "Select the area they look after")
    if role in POWER_ROLES and role != account.role and account.person_id is None:
        raise AccountError("role", "Link this account to its person first: a staff role that approves, pays or "
                                   "grants belongs to a person")
    before = {"role": account.role.value, "area_id": account.area_id}
    account.role, account.area_id = role, area_id if role == Role.AREA_FACILITATOR else None
    changes = audit.diff(before, {"role": account.role.value, "area_id": account.area_id})
    if changes:
        audit.record(actor=actor, action="update", entity=account, provider_id=account.provider_id,
                     summary=f"Changed {account.name}'s account: {', '.join(changes)}", changes=changes)
        end_all_sessions(account)  # what they may do changed: they sign in again
        if "role" in changes and role in POWER_ROLES:
            _await_confirmation(account, actor=actor)
    db.session.flush()
    return changes


def set_enabled(user: User, enabled: bool, *, actor, reason: str) -> None:
    """Switch an account off (it can no longer sign in; its history stays) or back on."""
    if user.is_enabled == enabled:
        return
    user.is_enabled = enabled
    if not enabled:
        end_all_sessions(user)
        revoke_tokens(user, now=datetime.now(UTC))
    audit.record(actor=actor, action="enable" if enabled else "disable", entity=user, provider_id=user.provider_id,
                 summary=f"{'Switched on' if enabled else 'Switched off'} {user.name}'s account: {reason}")
    db.session.flush()


def account_for(person: Person) -> User | None:
    return db.session.scalar(select(User).where(User.person_id == person.id))


def parent_account(person: Person, *, actor) -> User:
    """The person's own sign-in account, made (with no usable password) if they have none.

    A parent with no email address signs in with their reference instead.
    """
    user = account_for(person) or _unlinked_account(person)
    if user is not None and user.person_id is None:
        user.person_id = person.id  # made under Accounts before the person was on the records
        audit.record(actor=actor, action="update", entity=user, provider_id=person.provider_id,
                     summary=f"Linked {user.name}'s account to {person.name} ({person.ref})")
    if user is None:
        email = (person.email or f"{person.ref.lower()}@no-email.invalid").lower()
        _check_email_free(email)
        user = User(name=person.name, email=email, role=Role.VOLUNTEER, provider_id=person.provider_id,
                    person_id=person.id, password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(user)
        db.session.flush()
        audit.record(actor=actor, action="create", entity=user, provider_id=person.provider_id,
                     summary=f"Created a sign-in for {person.name}")
    return user


def account_state(person: Person) -> str:
    """Where a person's sign-in stands, in words for their page."""
    user = account_for(person)
    if user is None:
        return "Not invited"
    if not user.is_enabled:
        return "Switched off"
    if user.last_sign_in_at is not None:
        return "Active"
    invited = db.session.scalar(select(func.max(AccountToken.created_at)).where(
        AccountToken.user_id == user.id, AccountToken.kind.in_([TokenKind.INVITE, TokenKind.LETTER])))
    return f"Invited on {invited:%-d %B %Y}, not signed in yet" if invited else "Not invited"


def reset_token_for(email: str, *, now: datetime) -> tuple[User, str] | None:
    """A reset link's token when ``email`` is a switched-on account with a real address, else None."""
    user = find_user_by_email(email)
    if user is None or not user.is_enabled or user.email.endswith(".invalid"):
        return None
    return user, issue_token(user, TokenKind.RESET, actor=None, now=now)


def switch_off_leavers(*, today: date, now: datetime) -> int:
    """Switch off the accounts of people whose leaving date has passed; returns how many."""
    users = db.session.scalars(select(User).join(Person, Person.id == User.person_id).where(
        User.is_enabled, Person.left_on.is_not(None), Person.left_on < today)).all()
    for user in users:
        set_enabled(user, False, actor=None, reason=f"left on {user.person.left_on:%-d %B %Y}")
    return len(users)
