"""Vacancies that mean something: a post nobody holds is vacant; a post held by a sessional
co-facilitator is filled, and its budgeted FTE beyond contracted hours is under-contracted."""

from datetime import date
from decimal import Decimal

from app.demo import load_demo
from app.establishment.services import establishment_fill
from app.extensions import db
from app.models.people import Provider
from app.returns.services import build_return

from ..factories import make_area, make_contract, make_person, make_post, make_provider


def test_a_sessional_holder_fills_a_post_and_shows_as_under_contracted():
    provider, north = make_provider(), make_area("North Kent")
    posts = make_post(provider=provider, grade=None, area=north, title="Parent Co-Facilitator", posts=3, fte="1.5")
    contracted, sessional = (make_person(provider=provider, area=north, joined_on=date(2025, 1, 1)) for _ in range(2))
    make_contract(person=contracted, post=posts, hours="18.5", starts_on=date(2025, 1, 1))
    make_contract(person=sessional, post=posts, hours="0", starts_on=date(2025, 1, 1)).is_sessional = True
    db.session.commit()

    [fill] = establishment_fill(provider.id, date(2026, 6, 30))
    # Three posts of 0.5 FTE: one held at 0.5, one held sessionally, one held by nobody.
    assert (fill.people, fill.vacant_fte, fill.under_contracted_fte) == (2, Decimal("0.5"), Decimal("0.5"))

    figures = build_return(start=date(2026, 4, 1), end=date(2026, 6, 30), provider=provider)
    assert figures.value("vacancy_fte", "Parent Co-Facilitator") == 0.5
    assert figures.value("under_contracted_fte", "Parent Co-Facilitator") == 0.5
    assert figures.value("vacancy_rate_pct") == round(0.5 * 100 / 1.5, 1)


def test_more_holders_than_posts_leave_nothing_vacant_and_nothing_negative():
    provider, south = make_provider(), make_area("South Kent")
    post = make_post(provider=provider, grade=None, area=south, title="Parent Volunteer", posts=1, fte="0.25")
    for _ in range(2):
        make_contract(person=make_person(provider=provider, area=south, joined_on=date(2025, 1, 1)), post=post,
                      hours="9.25", starts_on=date(2025, 1, 1))
    db.session.commit()
    [fill] = establishment_fill(provider.id, date(2026, 6, 30))
    assert (fill.vacant_fte, fill.under_contracted_fte) == (0, 0)


def test_in_the_demo_every_co_facilitator_post_is_held_so_none_is_vacant():
    load_demo(today=date(2026, 11, 23))
    db.session.commit()
    provider = db.session.scalar(db.select(Provider).order_by(Provider.id))
    cofac = [f for f in establishment_fill(provider.id, date(2026, 11, 23)) if f.post.title == "Parent Co-Facilitator"]
    assert sum(f.people for f in cofac) == sum(f.post.number_of_posts for f in cofac) == 12
    assert sum(f.vacant_fte for f in cofac) == 0
    assert sum(f.under_contracted_fte for f in cofac) > 0  # the sessional ones


def test_alike_posts_each_count_in_the_return_as_the_establishment_counts_them():
    """The return works out posts alike in every figure once and counts them: three identical
    vacant posts are three posts' vacancy, and posts alike but for their holders stay apart."""
    provider, north = make_provider(), make_area("North Kent")
    alike = [make_post(provider=provider, grade=None, area=north, title="Parent Volunteer", posts=2, fte="0.5")
             for _ in range(3)]
    held = make_post(provider=provider, grade=None, area=north, title="Parent Volunteer", posts=2, fte="0.5")
    make_contract(person=make_person(provider=provider, area=north, joined_on=date(2025, 1, 1)), post=held,
                  hours="3.7", starts_on=date(2025, 1, 1))
    db.session.commit()
    fills = [f for f in establishment_fill(provider.id, date(2026, 6, 30)) if f.post in alike + [held]]
    figures = build_return(start=date(2026, 4, 1), end=date(2026, 6, 30), provider=provider)
    assert figures.value("vacancy_fte", "Parent Volunteer") == float(sum(f.vacant_fte for f in fills)) == 1.75
    assert (figures.value("under_contracted_fte", "Parent Volunteer")
            == float(sum(f.under_contracted_fte for f in fills)) == 0.15)
