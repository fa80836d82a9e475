"""Who may do what: every access rule lives here.

Views declare their roles with @role_required (or @public); the test suite
walks app.url_map and fails for any view without a declaration. Records are
loaded through scoped loaders, so a person outside the user's scope is a 404,
indistinguishable from one that does not exist.
"""

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select, true

from app.auth.models import Role, User
from app.extensions import db, login_manager
from app.people.models import Person, Provider

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.AREA_FACILITATOR, Role.HR, Role.ADMIN, Role.COORDINATOR})
PEOPLE_EDITORS = frozenset({Role.HR})
PROVIDER_OFFICE = frozenset({Role.HR, Role.ADMIN, Role.COORDINATOR})


def role_required(*roles: Role):
    """Allow the view to signed-in users holding one of ``roles``.

    :raises Forbidden: for a signed-in user with another role.
    """
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to everyone, signed in or not."""
    view.allowed_roles = "public"
    return view


def person_scope(user: User):
    """SQL condition for the people ``user`` may see."""
    if user.role == Role.COORDINATOR:
        return true()
    if user.role == Role.VOLUNTEER:
        return Person.id == user.person_id
    if user.role == Role.AREA_FACILITATOR:
        return (Person.provider_id == user.provider_id) & (Person.area_id == user.area_id)
    return Person.provider_id == user.provider_id


def scoped_people(user: User) -> Select:
    return select(Person).where(person_scope(user))


def get_person_or_404(person_id: int, *, for_user: User) -> Person:
    """Load a person the user may see.

    :raises NotFound: if there is no such person or it is outside the user's scope.
    """
    person = db.session.scalar(scoped_people(for_user).where(Person.id == person_id))
    if person is None:
        abort(404)
    return person


def visible_providers(user: User) -> list[Provider]:
    query = select(Provider).order_by(Provider.name)
    if user.role != Role.COORDINATOR:
        query = query.where(Provider.id == user.provider_id)
    return list(db.session.scalars(query))


def get_provider_or_404(provider_id: int | None, *, for_user: User) -> Provider:
    """The provider asked for, or the user's own; the co-ordinator may pick any.

    :raises NotFound: for a provider outside the user's scope.
    """
    providers = visible_providers(for_user)
    if not providers:
        abort(404)
    if provider_id is None:
        return providers[0]
    for provider in providers:
        if provider.id == provider_id:
            return provider
    abort(404)


def can_edit_people(user: User) -> bool:
    return user.role in PEOPLE_EDITORS


def can_see_personal_details(user: User) -> bool:
    """Contact details are for the person, their line manager and their provider's HR."""
    return user.role in (Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR, Role.ADMIN)


APPROVERS = frozenset({Role.AREA_FACILITATOR, Role.HR})


def get_hours_or_404(entry_id: int, *, for_user: User):
    """Load an hours entry whose person the user may see.

    :raises NotFound: if there is no such entry or its person is out of scope.
    """
    from app.hours.models import HoursEntry

    entry = db.session.scalar(
        select(HoursEntry).join(Person, Person.id == HoursEntry.person_id)
        .where(HoursEntry.id == entry_id, person_scope(for_user)))
    if entry is None:
        abort(404)
    return entry


def can_approve(user: User, person: Person) -> bool:
    """Area facilitators approve for their area; HR for their provider."""
    if user.role == Role.HR:
        return person.provider_id == user.provider_id
    if user.role == Role.AREA_FACILITATOR:
        return person.provider_id == user.provider_id and person.area_id == user.area_id
    return False


def can_log_for(user: User, person: Person) -> bool:
    """A parent logs their own hours; approvers log on behalf of people they approve for."""
    if user.role == Role.VOLUNTEER:
        return user.person_id == person.id
    return can_approve(user, person)


EXPENSE_VIEWERS = frozenset({Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR})


def get_claim_or_404(claim_id: int, *, for_user: User):
    """Load an expense claim whose person the user may see (admins and the co-ordinator see
    expenses only in aggregate).

    :raises NotFound: if there is no such claim or it is out of scope.
    """
    from app.expenses.models import ExpenseClaim

    if for_user.role not in EXPENSE_VIEWERS:
        abort(404)
    claim = db.session.scalar(
        select(ExpenseClaim).join(Person, Person.id == ExpenseClaim.person_id)
        .where(ExpenseClaim.id == claim_id, person_scope(for_user)))
    if claim is None:
        abort(404)
    return claim


def get_receipt_or_404(receipt_id: int, *, for_user: User):
    """A receipt, only for the claimant, their area facilitator and their provider's HR.

    :raises NotFound: for anyone else, as if it did not exist.
    """
    from app.expenses.models import ExpenseClaim, ExpenseLine, Receipt

    if for_user.role not in EXPENSE_VIEWERS:
        abort(404)
    receipt = db.session.scalar(
        select(Receipt).join(ExpenseLine, ExpenseLine.receipt_id == Receipt.id)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
        .join(Person, Person.id == ExpenseClaim.person_id)
        .where(Receipt.id == receipt_id, person_scope(for_user)).limit(1))
    if receipt is None:
        abort(404)
    return receipt
