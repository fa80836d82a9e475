"""The budget monitor for a small fixture, against hand-computed figures."""

from datetime import date

import pytest

from app.budget.services import build_monitor, fte_report
from app.establishment.services import load_contract_year
from app.extensions import db
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear, PayPoint

from ..factories import (
    make_area,
    make_contract,
    make_grade,
    make_hours,
    make_person,
    make_post,
    make_provider,
)


@pytest.fixture
def year():
    provider, area = make_provider(), make_area("North Kent")
    grade = make_grade("KR6", mid_pence=2_400_000, on_cost_bp=3000, effective_from=date(2025, 4, 1))
    grade.pay_points.append(PayPoint(financial_year=2025, effective_from=date(2025, 10, 1),
                                     min_pence=2_600_000, mid_pence=2_600_000, max_pence=2_600_000,
                                     on_cost_bp=3000))
    post = make_post(provider=provider, grade=grade, area=area, posts=3, fte="1.5")
    leaver = make_person(provider=provider, area=area, joined_on=date(2025, 4, 1),
                         left_on=date(2025, 11, 15))
    make_contract(person=leaver, post=post, hours="18.5", starts_on=date(2025, 4, 1))
    sessional = make_person(provider=provider, area=area, joined_on=date(2025, 4, 1))
    contract = make_contract(person=sessional, post=post, hours="0", starts_on=date(2025, 4, 1))
    contract.is_sessional = True
    make_hours(sessional, worked_on=date(2025, 10, 6), hours="6")
    correction_of = make_hours(sessional, worked_on=date(2025, 10, 7), hours="5")
    make_hours(sessional, worked_on=date(2025, 10, 7), hours="-1", corrects_id=correction_of.id)
    make_hours(sessional, worked_on=date(2025, 10, 8), hours="3", status="submitted")  # not counted
    cy = ContractYear(provider_id=provider.id, label="2025/26", starts_on=date(2025, 4, 1),
                      ends_on=date(2026, 3, 31), pay_basis_on=date(2025, 4, 1))
    line = BudgetLine(kind=BudgetLineKind.PAY, name="Parent Co-Facilitator", sort_order=1)
    line.posts = [post]
    cy.budget_lines.append(line)
    db.session.add(cy)
    db.session.commit()
    return load_contract_year(cy.id)


def test_monitor_matches_hand_computed_figures(year):
    monitor = build_monitor(year, today=date(2025, 10, 31))
    line = monitor.lines[0]
    # Budget: 1.5 FTE x 24,000 x 1.3 = £46,800.
    assert line.budget == 4_680_000
    # From the cost ledger, as payroll pays it, a twelfth a month with the grade's 30% on-cost:
    # the leaver (half time) 24,000 x 0.5 / 12 = 1,000.00 + 300.00 in September; 26,000 from
    # 1 October: 1,083.33 + 325.00 in October.
    # The sessional worker: 10 approved hours (6 + 5 - 1) at 26,000/52.143/37 = 134.76, holiday
    # pay at 12.07% = 16.27, on-cost 30% of 151.03 = 45.31: 196.34.
    assert line.by_month[date(2025, 9, 1)] == 130_000
    assert line.by_month[date(2025, 10, 1)] == 140_833 + 19_634
    assert line.actual == sum(line.by_month.values())
    # Committed: the leaver's half November to the 15th, 1,083.33 x 15/30 = 541.67 + 162.50, plus
    # the sessional run rate: 196.34 x 151 days left / 214 days elapsed = 138.54.
    assert line.committed == 70_417 + round(19_634 * 151 / 214)
    assert line.forecast == line.actual + line.committed
    assert line.variance == line.budget - line.forecast


def test_fte_report_counts_approved_hours_and_corrections(year):
    rows = fte_report(year.provider_id, date(2025, 10, 6), date(2025, 10, 12))
    (row,) = rows
    assert (row.group, row.minutes) == ("Parent Co-Facilitator", 600)
    # 10 hours in one week / 37 = 0.270 FTE against 1.5 budgeted.
    assert str(row.fte_used) == "0.270" and row.status == "under"


@pytest.fixture
def award_year():
    """One salaried post and one sessional, and a 10% pay award on 1 October, in a year
    whose budget was set at the April pay points."""
    provider, area = make_provider(), make_area("South Kent")
    grade = make_grade("KR5", mid_pence=2_000_000, on_cost_bp=3000, effective_from=date(2026, 4, 1))
    grade.pay_points.append(PayPoint(financial_year=2026, effective_from=date(2026, 10, 1), min_pence=2_200_000,
                                     mid_pence=2_200_000, max_pence=2_200_000, on_cost_bp=3000))
    salaried_post = make_post(provider=provider, grade=grade, area=area, title="Worker", posts=1, fte="1.0")
    sessional_post = make_post(provider=provider, grade=grade, area=area, title="Sessional", posts=1, fte="0.5")
    worker = make_person(provider=provider, area=area, joined_on=date(2026, 4, 1))
    make_contract(person=worker, post=salaried_post, hours="37", starts_on=date(2026, 4, 1))
    casual = make_person(provider=provider, area=area, joined_on=date(2026, 4, 1))
    make_contract(person=casual, post=sessional_post, hours="0", starts_on=date(2026, 4, 1)).is_sessional = True
    make_hours(casual, worked_on=date(2026, 6, 10), hours="10")
    make_hours(casual, worked_on=date(2026, 11, 10), hours="10")
    cy = ContractYear(provider_id=provider.id, label="2026/27", starts_on=date(2026, 4, 1),
                      ends_on=date(2027, 3, 31), pay_basis_on=date(2026, 4, 1))
    line = BudgetLine(kind=BudgetLineKind.PAY, name="Workers", sort_order=1)
    line.posts = [salaried_post, sessional_post]
    cy.budget_lines.append(line)
    db.session.add(cy)
    db.session.commit()
    return load_contract_year(cy.id)


def test_a_pay_award_shows_as_price_variance_not_volume(award_year):
    """Worked by hand, in pounds, a twelfth a month as payroll pays it:
    budget: 1.5 FTE x 20,000 x 1.3 = 39,000.00
    salaried: 6 x (1,666.67 + 500.00) (April to September) + 6 x (1,833.33 + 550.00) = 27,300.00;
    at budget prices 26,000.00
    sessional: 10 h x 20,000/52.143/37 = 103.66, holiday pay 12.51, on-cost 34.85 = 151.02 (June);
    10 h at 22,000: 114.03 + 13.76 + 38.34 = 166.13 (November); 317.15;
    at budget prices 2 x 151.02 = 302.04
    price = 26,302.04 - 27,617.15 = -1,315.11; volume = 39,000 - 26,302.04 = 12,697.96."""
    line = build_monitor(award_year, today=date(2027, 3, 31)).lines[0]
    assert line.budget == 3_900_000
    assert abs(line.forecast - 2_761_715) <= 5  # each figure of a month is rounded to the penny
    assert abs(line.price_variance - -131_511) <= 5
    assert abs(line.volume_variance - 1_269_796) <= 5
    assert line.price_variance + line.volume_variance == line.variance


def test_an_award_agreed_for_later_is_in_the_forecast_before_it_is_paid(award_year):
    """On 30 September the award from 1 October is agreed: the committed months are priced at it,
    so the price variance is its cost for the rest of the year, 6 x 166.67 x 1.3 = 1,300.00."""
    line = build_monitor(award_year, today=date(2026, 9, 30)).lines[0]
    assert abs(line.price_variance - -130_000) <= 10  # pennies of monthly rounding


def test_a_few_pence_over_is_never_shown_as_minus_nothing():
    from app.formatting import pounds

    assert [pounds(-40), pounds(-49), pounds(-0.4, pence_shown=True)] == ["£0", "£0", "£0.00"]
    assert [pounds(-151), pounds(-12345, pence_shown=True)] == ["-£2", "-£123.45"]


def test_share_out_always_adds_up_to_the_whole():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from app.establishment.services import share_out

    @settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(st.integers(0, 10**9), st.lists(st.decimals(0, 10**6, places=3), min_size=1, max_size=8))
    def check(total, weights):
        shares = share_out(total, dict(enumerate(weights)))
        assert sum(shares.values()) == total and all(v >= 0 for v in shares.values())

    check()


def test_each_areas_budget_adds_up_to_the_line_to_the_penny():
    """Three areas' posts at awkward FTEs: each area's rounded share used to be its own rounding to
    the pound, so the area pages' budgets came to £1 more or less than the whole line's."""
    provider, areas = make_provider(), [make_area("North Kent"), make_area("South Kent"), make_area("West Kent")]
    grade = make_grade("KR6", mid_pence=2_412_345, on_cost_bp=2777, effective_from=date(2025, 4, 1))
    posts = [make_post(provider=provider, grade=grade, area=area, title=f"Worker {index}", fte=fte)
             for index, (area, fte) in enumerate(zip(areas, ("0.37", "1.13", "0.51"), strict=True))]
    cy = ContractYear(provider_id=provider.id, label="2025/26", starts_on=date(2025, 4, 1),
                      ends_on=date(2026, 3, 31), pay_basis_on=date(2025, 4, 1))
    cy.budget_lines.append(BudgetLine(kind=BudgetLineKind.PAY, name="Workers", sort_order=1, posts=posts))
    cy.budget_lines.append(BudgetLine(kind=BudgetLineKind.VOLUNTEER_EXPENSES, name="Expenses", sort_order=2,
                                      posts=posts, amount_pence=100_001))
    db.session.add(cy)
    db.session.commit()
    year = load_contract_year(cy.id)
    whole = {f.line.name: f.budget for f in build_monitor(year, today=date(2025, 10, 31)).lines}
    by_area = [{f.line.name: f.budget for f in build_monitor(year, today=date(2025, 10, 31), area_id=a.id).lines}
               for a in areas]
    assert whole["Workers"] % 100 == 0  # the line is budgeted to the pound
    for name in ("Workers", "Expenses"):
        assert sum(area[name] for area in by_area) == whole[name]
