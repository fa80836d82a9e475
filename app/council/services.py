"""Adding providers (with their first member of staff, invited) and areas; audited, flushed."""

from datetime import datetime

from sqlalchemy import func, select

from app.accounts.services import AccountError, create_staff_account
from app.audit import services as audit
from app.auth.models import Role, User
from app.extensions import db
from app.people.models import Area, Provider


class CouncilError(ValueError):
    """A rule was broken; args are (field name, message)."""


def add_provider(*, name: str, person_name: str, email: str, role: str, actor, now: datetime) -> tuple[User, str]:
    """A provider and its first member of staff; returns their account and invitation token.

    :raises CouncilError: for a name or email address already in use.
    """
    name = name.strip()
    if db.session.scalar(select(Provider.id).where(func.lower(Provider.name) == name.lower())) is not None:
        raise CouncilError("name", f"There is already a provider called {name}")
    provider = Provider(name=name)
    db.session.add(provider)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=provider, provider_id=provider.id,
                 summary=f"Added the provider {name}")
    try:
        return create_staff_account(name=person_name, email=email, role=Role(role), area_id=None,
                                    provider_id=provider.id, actor=actor, now=now)
    except AccountError as error:
        raise CouncilError(error.args[0], error.args[1]) from error


def add_area(*, name: str, actor) -> Area:
    """:raises CouncilError: for a name already in use."""
    name = name.strip()
    if db.session.scalar(select(Area.id).where(func.lower(Area.name) == name.lower())) is not None:
        raise CouncilError("name", f"There is already an area called {name}")
    area = Area(name=name)
    db.session.add(area)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=area, summary=f"Added the area {name}", council=True)
    return area
