"""View decorators: every view declares its permission once.

``@permission_required("approve_hours")`` lets in the roles that hold the permission.
``@permission_required("record_training", load=Person)`` also loads the record the URL names
(``person_id``) through its scoped loader (a 404 when the user may not see it), checks the
permission against it (a 403), and hands it to the view as ``person``: the view never loads,
checks or names its permission again (an expense line is checked as its claim's).
"""

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from flask import abort, g
from flask_login import current_user

from app.extensions import login_manager
from app.models.auth import User
from app.models.certificates import Certificate
from app.models.delivery import DeliverySession
from app.models.establishment import BudgetLine, Contract, ContractYear, Funding, Grade, Post, VolunteerRole
from app.models.expenses import ExpenseClaim, ExpenseLine
from app.models.hours import HoursEntry
from app.models.people import Person
from app.models.recruitment import Applicant
from app.models.spending import Spend

from . import loaders
from .permissions import PERMISSIONS, can, has_role_for, scope

# Each loadable model: the URL argument that names it, and its scoped loader.
LOADERS: dict[type, tuple[str, Callable[..., Any]]] = {
    Person: ("person_id", loaders.get_person_or_404),
    User: ("account_id", loaders.get_account_or_404),
    HoursEntry: ("entry_id", loaders.get_hours_or_404),
    Contract: ("contract_id", loaders.get_contract_or_404),
    VolunteerRole: ("role_id", loaders.get_volunteer_role_or_404),
    Applicant: ("applicant_id", loaders.get_applicant_or_404),
    ExpenseClaim: ("claim_id", loaders.get_claim_or_404),
    ExpenseLine: ("line_id", loaders.get_line_or_404),
    Spend: ("spend_id", loaders.get_spend_or_404),
    DeliverySession: ("session_id", loaders.get_session_or_404),
    Certificate: ("certificate_id", loaders.get_certificate_or_404),
    Post: ("post_id", partial(loaders.get_establishment_record_or_404, Post)),
    ContractYear: ("year_id", partial(loaders.get_establishment_record_or_404, ContractYear)),
    BudgetLine: ("budget_line_id", partial(loaders.get_establishment_record_or_404, BudgetLine)),
    Funding: ("funding_id", partial(loaders.get_establishment_record_or_404, Funding)),
    Grade: ("grade_id", partial(loaders.get_establishment_record_or_404, Grade)),
}


def permission_required(name: str, *, load: type | None = None):
    """Allow the view to signed-in users whose role holds permission ``name``; with ``load``,
    load the view's record, check ``name`` against it and pass it in place of its id.

    :raises NotFound: for a record the user may not see.
    :raises Forbidden: for a signed-in user without the permission (on that record).
    """
    if name not in PERMISSIONS:
        raise KeyError(f"Unknown permission {name!r}: add it to PERMISSIONS in app/access/permissions.py")
    if load is not None and load not in LOADERS:
        raise KeyError(f"No scoped loader for {load.__name__}: add it to LOADERS in app/access/decorators.py")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role_for(current_user, name):
                abort(403)
            g.view_permission = name
            if load is not None:
                argument, loader = LOADERS[load]
                record = loader(kwargs.pop(argument), for_user=current_user)
                if not can(current_user, name, record):
                    abort(403)
                kwargs[argument.removesuffix("_id")] = record
            return view(*args, **kwargs)

        wrapped.permission = name
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to everyone, signed in or not."""
    view.permission = "public"
    return view


# For a view whose record is not one the URL names (a new post, the provider a return is for),
# or that lists many: the same question, of the permission the view declared, never named twice.


def allowed(record: Any = None) -> bool:
    """Whether the current user may take the current view's action on ``record``."""
    return can(current_user, g.view_permission, record)


def require_allowed(record: Any = None) -> None:
    """Abort unless the current user may take the current view's action on ``record``.

    :raises Forbidden: when they may not.
    """
    if not allowed(record):
        abort(403)


def view_scope():
    """The SQL condition (on Person) for the records the current view's action reaches."""
    return scope(g.view_permission, current_user)
