"""SQL scopes: the people (and records) a user may see or act on, as conditions that lists,
queues and loaders add to their queries."""

from typing import Any

from flask import has_request_context, request
from sqlalchemy import false, func, select, true

from app import generation
from app.extensions import db
from app.models.auth import Role, User
from app.models.people import Person, Stage

from .policy import area_choices


def person_scope(user: User):
    """SQL condition for the people ``user`` may see."""
    if user.role == Role.COORDINATOR:
        return true()
    if user.role == Role.VOLUNTEER:
        return Person.id == user.person_id
    if user.role == Role.AREA_FACILITATOR:
        return (Person.provider_id == user.provider_id) & (Person.area_id == user.area_id)
    return Person.provider_id == user.provider_id


def acting_people(user: User) -> frozenset[int]:
    """The person records that are this user: the one their account is linked to, and anyone at
    their provider with their email address, so an account made unlinked (under Accounts, before
    the person was imported) cannot slip past a "not your own" rule. A second account linked to
    the same person is the same person."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    key = user.id
    # Kept on the request itself (not g, which a test's requests share), so a link made by one
    # request is seen by the next.
    answers = request.environ.setdefault("pathway.acting_people", {}) if has_request_context() else {}
    if key not in answers:
        # Kept until the data changes (app.generation): a person added or given this email
        # address is seen by the next request.
        answers[key] = generation.kept(
            ("acting people", user.id, user.person_id, user.provider_id, (user.email or "").lower()),
            lambda: _acting_people(user.person_id, user.provider_id, user.email))
    return answers[key]


def _acting_people(person_id: int | None, provider_id: int | None, email: str | None) -> frozenset[int]:
    ids = set() if person_id is None else {person_id}
    if provider_id is not None and email:
        ids.update(db.session.scalars(select(Person.id).where(
            Person.provider_id == provider_id, func.lower(Person.email) == email.lower())))
    return frozenset(ids)


def same_human(user: User, other: User | None) -> bool:
    """Whether two accounts are one person: the same account, the same linked person, or the
    same email address."""
    if other is None:
        return False
    if other.id == user.id or other.email.lower() == user.email.lower():
        return True
    return bool(acting_people(user) & acting_people(other))


def _not_own(user: User):
    mine = acting_people(user)
    return Person.id.not_in(sorted(mine)) if mine else true()


def _own_provider_people(user: User):
    return Person.provider_id == user.provider_id if user.provider_id else false()


def _session_scope(user: User):
    """People a session's recorder may name as its facilitators: a facilitator's area, the
    provider's for HR, and a co-facilitator's own area's for a co-facilitator."""
    if user.role == Role.VOLUNTEER:
        own_area = select(Person.area_id).where(Person.id == user.person_id).scalar_subquery()
        return (Person.provider_id == user.provider_id) & (Person.area_id == own_area)
    return _manage_scope(user)


def _session_recorder(user: User, record: Any) -> bool:
    """A parent records sessions only as a co-facilitator."""
    if user.role != Role.VOLUNTEER:
        return True
    return user.person is not None and user.person.stage == Stage.CO_FACILITATOR


def records_as_lead(user: User) -> bool:
    """A co-facilitator records only a session they led or co-led."""
    return user.role == Role.VOLUNTEER


def session_areas(user: User, areas: list) -> list:
    """The areas a user records and reads sessions for: a facilitator's or co-facilitator's own."""
    if user.role == Role.VOLUNTEER:
        return [a for a in areas if user.person is not None and a.id == user.person.area_id]
    return area_choices(user, areas)


def _manage_scope(user: User):
    """People a facilitator or HR looks after: their area, or their provider."""
    if user.role == Role.AREA_FACILITATOR:
        return (Person.provider_id == user.provider_id) & (Person.area_id == user.area_id)
    if user.role == Role.HR:
        return _own_provider_people(user)
    return false()


def _invite_scope(user: User):
    """People a user may give a sign-in: those they look after, or (an administrator) the provider's."""
    if user.role == Role.ADMIN:
        return _own_provider_people(user)
    return _manage_scope(user)


def _decide_scope(user: User):
    """What an approver may decide: their people, never their own items."""
    return _manage_scope(user) & _not_own(user)


def _log_scope(user: User):
    if user.role == Role.VOLUNTEER:
        return Person.id == user.person_id
    return _manage_scope(user)


def _hr_not_own(user: User):
    return (_own_provider_people(user) & _not_own(user)) if user.role == Role.HR else false()
