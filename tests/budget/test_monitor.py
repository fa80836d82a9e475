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
    # The leaver, April to September at 24,000 (183 days) and October at 26,000 (31 days):
    # 1,560,000 x 183/365 + 1,690,000 x 31/365 = 782,136.99 + 143,534.25
    # The sessional worker: 10 approved hours (6 + 5 - 1) at 26,000/52.143/37 x 1.3 = 17,519.39
    october = 143_534 + 17_519
    assert line.by_month[date(2025, 10, 1)] == october
    assert line.by_month[date(2025, 9, 1)] == 128_219
    assert line.actual == sum(line.by_month.values())
    # Committed: the leaver runs on to 15 November at today's terms (1,690,000 x 15/365 = 69,452),
    # plus the sessional run rate: 17,519 x 151 days left / 214 days elapsed = 12,362.
    assert line.committed == 69_452 + round(17_519 * 151 / 214)
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
    """Worked by hand, in pounds:
    budget: 1.5 FTE x 20,000 x 1.3 = 39,000.00
    salaried: 26,000 x 183/365 (April to September) + 28,600 x 182/365 = 27,296.44; at budget prices 26,000.00
    sessional: 10 h x 20,000/52.143/37 x 1.3 = 134.76 (June) + 10 h at 22,000 = 148.24 (November) = 283.00;
    at budget prices 2 x 134.76 = 269.53
    price = 26,269.53 - 27,579.44 = -1,309.91; volume = 39,000 - 26,269.53 = 12,730.47."""
    line = build_monitor(award_year, today=date(2027, 3, 31)).lines[0]
    assert line.budget == 3_900_000
    assert abs(line.forecast - 2_757_944) <= 100  # each month is rounded to the penny
    assert abs(line.price_variance - -130_991) <= 100
    assert abs(line.volume_variance - 1_273_047) <= 100
    assert line.price_variance + line.volume_variance == line.variance


def test_before_any_award_there_is_no_price_variance(award_year):
    line = build_monitor(award_year, today=date(2026, 9, 30)).lines[0]
    assert abs(line.price_variance) <= 10  # pennies of monthly rounding


def test_a_few_pence_over_is_never_shown_as_minus_nothing():
    from app.formatting import pounds

    assert [pounds(-40), pounds(-49), pounds(-0.4, pence_shown=True)] == ["£0", "£0", "£0.00"]
    assert [pounds(-151), pounds(-12345, pence_shown=True)] == ["-£2", "-£123.45"]
