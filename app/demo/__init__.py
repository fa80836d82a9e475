"""Demo data: the seed's establishment and budget, a workforce, and one sign-in per role.

Every step looks for what it would create first, so loading twice adds nothing.
"""

from datetime import date

from sqlalchemy import select

from app.council import services as council
from app.extensions import db
from app.models.auth import User
from app.models.people import Person, Provider

from .delivery import load_delivery
from .equality import load_equality_answers
from .establishment import get_or_create, load_areas, load_contract_years, load_grades, load_posts
from .expenses import load_expenses
from .hours import load_hours
from .pay import load_payroll, load_points, place_staff
from .people import load_people, load_users
from .recruitment import load_applicants
from .training import load_training

DEMO_PROVIDER = "Kent Parent Pathways CIC"


def load_demo(today: date) -> list[tuple[str, str, str]]:
    """Load (or top up) the demo data; returns the demo sign-ins. The caller commits."""
    areas = load_areas()
    grades = load_grades()
    provider, _ = get_or_create(Provider, name=DEMO_PROVIDER)
    posts = load_posts(provider, areas, grades)
    load_contract_years(provider, posts)
    _load_commission(provider, areas)
    if db.session.scalar(select(Person.id).where(Person.provider_id == provider.id).limit(1)):
        named = _named_people(provider)
    else:
        named = load_people(provider, areas, posts, today)
    sign_ins = load_users(provider, areas, named)
    load_hours(provider, today)
    load_delivery(provider, today)
    load_expenses(provider, today)
    load_training(provider, today)
    load_points(grades)
    place_staff(provider)
    load_payroll(provider, today)
    load_applicants(provider, areas, today)
    load_equality_answers(provider)
    return sign_ins


def _load_commission(provider: Provider, areas: dict) -> None:
    """The council's contract: three years from April 2025 with the seed's funding each year,
    let in one lot of all four areas to the demo provider."""
    if council.the_commission() is not None:
        return
    commission = council.set_up_commission(name="Supporting Parents of Children with SEND",
                                           starts_on=date(2025, 4, 1), term="three_years",
                                           extension_years_allowed=2, actor=None, council="Kent County Council")
    for year in commission.years:
        council.set_funding(year, source="Kent County Council", amount_pence=40_000_000, actor=None)
        council.set_funding(year, source="NHS (CCG)", amount_pence=10_000_000, actor=None)
    council.add_lot(commission, name="Lot 1: the whole county", provider=provider, areas=list(areas.values()),
                    offers="All four offers", first_year_on=commission.starts_on, last_year_on=None, actor=None)


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
