"""The seed's budget table, computed from pay points, on-costs and FTE."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from app.demo import load_demo
from app.establishment.services import (
    PricingError,
    annual_post_cost_pence,
    budget_table,
    load_contract_year,
    post_annual_cost_pence,
)
from app.extensions import db
from app.models.auth import Role
from app.models.establishment import ContractYear

from ..conftest import page
from ..factories import make_grade, make_post, make_provider

SEED = [
    ("1", "1.0", "Service Coordinator", "KR11", "56359"),
    ("4", "4.0", "Area Facilitator", "KR9", "164964"),
    ("12", "6.0", "Parent Co-Facilitator", "KR6", "166962"),
    ("12", "3.0", "Parent Volunteers", "expenses", "12000"),
    ("1", "1.0", "Admin Assistant", "KR3", "19425"),
    ("", "", "Training & Development", "-", "30000"),
    ("", "", "Training materials, room hire, etc.", "-", "26000"),
    ("", "", "Total", "", "475710"),
]


@pytest.fixture
def demo():
    load_demo(today=date(2026, 11, 23))
    db.session.commit()
    return db.session.scalar(db.select(ContractYear).where(ContractYear.label == "2025/26"))


def test_annual_cost_is_fte_times_mid_point_plus_on_costs():
    assert annual_post_cost_pence(1, Decimal("0.5"), 2_000_000, 3000, None) == Decimal("1300000")


def test_pay_award_after_the_basis_date_does_not_change_the_budget():
    grade = make_grade("KR9", mid_pence=3_000_000, effective_from=date(2021, 4, 1))
    post = make_post(provider=make_provider(), grade=grade, fte="1.0")
    from app.models.establishment import PayPoint

    grade.pay_points.append(PayPoint(financial_year=2024, effective_from=date(2024, 4, 1),
                                     min_pence=3_500_000, mid_pence=3_500_000,
                                     max_pence=3_500_000, on_cost_bp=3000))
    assert post_annual_cost_pence(post, date(2021, 4, 1)) == Decimal("3900000")
    assert post_annual_cost_pence(post, date(2024, 4, 1)) == Decimal("4550000")
    with pytest.raises(PricingError):
        post_annual_cost_pence(post, date(2020, 4, 1))


def test_demo_budget_reproduces_the_seed_table(demo):
    table = budget_table(load_contract_year(demo.id))
    rows = [(str(r.posts or ""), f"{r.fte:.1f}" if r.fte is not None else "", r.line.name,
             r.grade, str(r.annual_pence // 100)) for r in table.rows]
    assert rows == [tuple(row) for row in SEED[:-1]]
    assert (table.total_pence, table.funding_pence, table.headroom_pence) == (
        47_571_000, 50_000_000, 2_429_000)


def test_budget_csv_matches_the_seed(demo, world, sign_in):
    client = sign_in(world.user(Role.COORDINATOR))
    response = client.get(f"/establishment/budget.csv?provider={demo.provider_id}&year={demo.id}")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["posts", "fte", "post_title", "grade", "annual_cost_gbp"]
    assert rows[1:9] == [list(row) for row in SEED]
    assert rows[-2:] == [["", "", "Funding total", "", "500000"], ["", "", "Headroom", "", "24290"]]


def test_establishment_page_shows_the_table(demo, world, sign_in):
    client = sign_in(world.user(Role.COORDINATOR))
    soup = page(client.get(f"/establishment/?provider={demo.provider_id}&year={demo.id}"))
    rows = soup.select("table")[0].select("tbody tr")
    cells = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in rows]
    assert cells[0] == ["1", "1.0", "Service Coordinator", "KR11", "£56,359"]
    assert ["", "", "Total", "", "£475,710"] in cells
    assert ["", "", "Headroom against funding", "", "£24,290"] in cells


def test_a_year_of_another_provider_is_not_found(demo, world, sign_in):
    client = sign_in(world.user(Role.HR))
    assert client.get(f"/establishment/?year={demo.id}").status_code == 404


def test_every_line_s_budget_read_as_plain_rows_is_its_budget_row():
    """``priced_lines`` (the all-provider return's pricing, from plain rows) gives each line what
    ``budget_row`` gives it: the pay point in force on the pricing date, each provider's own grades
    and on-costs, ungraded posts at nothing, a line that cannot be priced 0, non-pay lines their amount."""
    from app.establishment.services import budget_row, priced_lines
    from app.models.establishment import BudgetLine, BudgetLineKind, OnCostRule, PayPoint

    from ..factories import make_area, make_contract_year

    area = make_area()
    years = []
    for n, start_year in enumerate((2025, 2026, 2026)):
        provider = make_provider()
        awarded = make_grade(f"AW{n}", mid_pence=2_400_000, on_cost_bp=2500, provider=provider)
        awarded.pay_points.append(PayPoint(financial_year=2026, effective_from=date(2026, 4, 1), min_pence=2_600_000,
                                           mid_pence=2_600_000, max_pence=2_600_000, on_cost_bp=3100))
        later = make_grade(f"LT{n}", effective_from=date(2027, 4, 1), provider=provider)
        if n == 2:  # its own on-costs, from the year it starts: the others' (one the same year) are the council's
            db.session.add(OnCostRule(provider_id=provider.id, effective_from=date(2026, 4, 1), method="statutory",
                                      ni_rate_bp=1500, ni_threshold_pence=500_000, pension_rate_bp=300))
        year = make_contract_year(provider, start_year=start_year)
        posts = [make_post(provider=provider, grade=awarded, area=area, posts=2, fte="1.5"),
                 make_post(provider=provider, grade=awarded, area=area, posts=0, fte="0.4"),
                 make_post(provider=provider, grade=None, area=area, volunteer=False)]
        year.budget_lines += [
            BudgetLine(kind=BudgetLineKind.PAY, name="Pay", sort_order=2, posts=posts),
            BudgetLine(kind=BudgetLineKind.PAY, name="Not yet priced", sort_order=3,
                       posts=[make_post(provider=provider, grade=later, area=area), posts[0]]),
            BudgetLine(kind=BudgetLineKind.PAY, name="No posts", sort_order=4)]
        years.append(year)
    db.session.flush()

    priced = priced_lines([year.id for year in years])
    found = {line.id: line.annual_pence for line in priced}
    in_order = {}
    for line in priced:
        in_order.setdefault(line.contract_year_id, []).append((line.id, line.name, sorted(line.post_ids)))
    assert in_order == {year.id: [(line.id, line.name, sorted(p.id for p in line.posts)) for line in year.budget_lines]
                        for year in years}
    expected = {line.id: budget_row(line, year.pay_basis_on).annual_pence
                for year in years for line in year.budget_lines}
    assert found == expected
    pay = [found[year.budget_lines[1].id] for year in years]
    assert pay[0] != pay[1] > 0  # each year at the pay point in force on its own pricing date
    assert pay[2] != pay[1] > 0  # each provider at its own on-costs, the same year
    assert [found[line.id] for line in years[0].budget_lines[2:]] == [0, 0]
    assert found[years[0].budget_lines[0].id] == 100_000
