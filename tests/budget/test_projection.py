"""The projection over a 3-year contract with its 2-year extension, at a 3% assumed award,
against hand-computed figures, naming the year funding stops covering the establishment."""

from datetime import date
from decimal import Decimal

import pytest

from app.budget.projection import project
from app.council import services as council
from app.extensions import db
from app.models.auth import Role
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear, Funding, PayPoint

from ..conftest import page
from ..factories import make_grade, make_post, make_provider


@pytest.fixture
def provider():
    """One full-time post on a grade at £20,000 with 30% on-costs, a known award of £21,000 from
    April 2027; a £1,000 non-pay line; £28,500 a year of funding; the contract 2026 to 2031."""
    provider = make_provider()
    grade = make_grade("PX", mid_pence=2_000_000, on_cost_bp=3000, effective_from=date(2026, 4, 1))
    grade.pay_points.append(PayPoint(financial_year=2027, effective_from=date(2027, 4, 1), min_pence=2_100_000,
                                     mid_pence=2_100_000, max_pence=2_100_000, on_cost_bp=3000))
    make_post(provider=provider, grade=grade, posts=1, fte="1.0")
    year = ContractYear(provider_id=provider.id, label="2026/27", starts_on=date(2026, 4, 1),
                        ends_on=date(2027, 3, 31), pay_basis_on=date(2026, 4, 1))
    year.budget_lines.append(BudgetLine(kind=BudgetLineKind.NON_PAY, name="Rooms", amount_pence=100_000))
    year.funding.append(Funding(source="Council", amount_pence=2_850_000))
    db.session.add(year)
    commission = council.set_up_commission(name="Supporting Parents", starts_on=date(2026, 4, 1),
                                           term="three_years", extension_years_allowed=2, actor=None)
    council.take_extension(commission, years=2, actor=None)
    db.session.commit()
    return provider


def test_the_projection_matches_hand_computed_figures_and_names_the_short_year(provider):
    result = project(provider.id, award_pct=Decimal(3), today=date(2026, 11, 29))
    # Pay = 1.0 FTE x mid x 1.3:
    # 2026/27 known £20,000 -> 26,000.00; 2027/28 known £21,000 -> 27,300.00;
    # 2028/29 assumed 21,000 x 1.03 -> 28,119.00; 2029/30 21,000 x 1.03^2 -> 28,962.57;
    # 2030/31 21,000 x 1.03^3 -> 29,831.45 (the last two are the extension).
    assert [(y.label, y.pay_pence, y.assumed, y.is_extension) for y in result.years] == [
        ("2026/27", 2_600_000, False, False), ("2027/28", 2_730_000, False, False),
        ("2028/29", 2_811_900, True, False), ("2029/30", 2_896_257, True, True),
        ("2030/31", 2_983_145, True, True)]
    # With £1,000 of other lines against £28,500: 27,000 and 28,300 are covered; 29,119 is not.
    assert [y.headroom_pence for y in result.years] == [150_000, 20_000, -61_900, -146_257, -233_145]
    assert result.first_short_year.label == "2028/29"


def test_with_no_further_awards_the_funding_covers_every_year(provider):
    result = project(provider.id, award_pct=Decimal(0), today=date(2026, 11, 29))
    assert result.first_short_year is None  # 28,300 a year from 2027/28 against 28,500
    assert {y.total_pence for y in result.years[1:]} == {2_830_000}


def test_the_page_says_which_year_and_shows_a_chart(world, sign_in, client, provider):
    sign_in(world.user(Role.COORDINATOR))
    soup = page(client.get(f"/budget/projection?provider={provider.id}&award=3"))
    assert "From 2028/29 the funding no longer covers the establishment: £619 short" in soup.get_text(" ")
    assert soup.select_one("svg.pathway-chart") is not None
    bad = page(client.get(f"/budget/projection?provider={provider.id}&award=lots"))
    assert "Enter the assumed pay award as a percentage between 0 and 20" in bad.get_text(" ")
    client.post("/sign-out")
    sign_in(world.user(Role.HR))  # another provider's HR
    assert client.get(f"/budget/projection?provider={provider.id}").status_code in (403, 404)


def test_a_closed_year_shows_its_outturn_not_its_establishment(provider):
    """Seen from 2028/29, 2026/27 has closed. Its post stood empty all year (nobody held it), so it
    spent only its £1,000 of rooms' budget... which nothing recorded either: its outturn is £0 against
    £28,500 of funding, where pricing the establishment said £27,000. It is never the short year."""
    later = project(provider.id, award_pct=Decimal(3), today=date(2028, 6, 1))
    closed = later.years[0]
    assert (closed.label, closed.closed, closed.pay_pence, closed.non_pay_pence) == ("2026/27", True, 0, 0)
    assert closed.headroom_pence == 2_850_000
    assert all(not y.closed for y in later.years[1:])
    assert later.first_short_year.label == "2028/29"


def test_a_closed_year_with_its_post_held_shows_what_it_spent(provider):
    """The post held all 2026/27 by one person full time: 20,000 x 1.3 = £26,000 spent (each month
    rounded to the penny), against £28,500."""
    from app.models.establishment import Post

    from ..factories import make_area, make_contract, make_person

    post = db.session.scalar(db.select(Post).where(Post.provider_id == provider.id))
    year = db.session.scalar(db.select(ContractYear).where(ContractYear.provider_id == provider.id))
    line = BudgetLine(kind=BudgetLineKind.PAY, name="Workers", sort_order=0)
    line.posts = [post]
    year.budget_lines.append(line)
    holder = make_person(provider=provider, area=make_area(), joined_on=date(2026, 4, 1))
    make_contract(person=holder, post=post, hours="37", starts_on=date(2026, 4, 1))
    db.session.commit()
    closed = project(provider.id, award_pct=Decimal(3), today=date(2027, 6, 1)).years[0]
    assert closed.closed and abs(closed.pay_pence - 2_600_000) <= 12
    assert abs(closed.headroom_pence - 250_000) <= 12
