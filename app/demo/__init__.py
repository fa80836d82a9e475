"""Demo data: the seed's establishment and budget, a workforce, and one sign-in per role.

Every step looks for what it would create first, so loading twice adds nothing.
"""

from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.people.models import Person, Provider

from .establishment import get_or_create, load_areas, load_contract_years, load_grades, load_posts
from .expenses import load_expenses
from .hours import load_hours
from .people import load_people, load_users
from .training import load_training

DEMO_PROVIDER = "Kent Parent Pathways CIC"


def load_demo(today: date) -> list[tuple[str, str, str]]:
    """Load (or top up) the demo data; returns the demo sign-ins. The caller commits."""
    areas = load_areas()
    grades = load_grades()
    provider, _ = get_or_create(Provider, name=DEMO_PROVIDER)
    posts = load_posts(provider, areas, grades)
    load_contract_years(provider, posts)
    if db.session.scalar(select(Person.id).where(Person.provider_id == provider.id).limit(1)):
        named = _named_people(provider)
    else:
        named = load_people(provider, areas, posts, today)
    sign_ins = load_users(provider, areas, named)
    load_hours(provider, today)
    load_expenses(provider, today)
    load_training(provider, today)
    return sign_ins


def _named_people(provider: Provider) -> dict[str, Person]:
    """The people the demo sign-ins were linked to on an earlier load."""
    named = {}
    for key, email in (("volunteer", "volunteer@example.org"),
                       ("co_facilitator", "cofacilitator@example.org"),
                       ("facilitator", "facilitator@example.org")):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or user.person is None:
            raise RuntimeError(f"Demo sign-in {email} is missing its person; reset the database")
        named[key] = user.person
    return named
