"""Pay costs checked against figures worked out by hand (see each comment)."""

from datetime import date
from decimal import Decimal

import pytest

from app.establishment.costs import contract_cost, hourly_rate, pence, salaried_cost, sessional_cost
from app.models.establishment import PayPoint

from ..factories import make_area, make_contract, make_grade, make_person, make_post, make_provider


@pytest.fixture
def kr6():
    # £24,000 from 1 April 2025, then a pay award to £26,000 from 1 October 2025; 30% on-costs.
    grade = make_grade("KR6", mid_pence=2_400_000, on_cost_bp=3000, effective_from=date(2025, 4, 1))
    grade.pay_points.append(PayPoint(financial_year=2025, effective_from=date(2025, 10, 1),
                                     min_pence=2_600_000, mid_pence=2_600_000, max_pence=2_600_000,
                                     on_cost_bp=3000))
    return grade


@pytest.fixture
def half_time(kr6):
    provider, area = make_provider(), make_area()
    person = make_person(provider=provider, area=area, joined_on=date(2025, 4, 1),
                         left_on=date(2025, 11, 15))
    post = make_post(provider=provider, grade=kr6, area=area)
    return make_contract(person=person, post=post, hours="18.5", starts_on=date(2025, 4, 1))


def test_a_month_before_the_award(half_time):
    # 24,000 x 0.5 x 1.3 x 30/365 = £1,282.19
    assert pence(contract_cost(half_time, date(2025, 9, 1), date(2025, 9, 30))) == 128_219


def test_a_month_after_the_award(half_time):
    # 26,000 x 0.5 x 1.3 x 31/365 = £1,435.34
    assert pence(contract_cost(half_time, date(2025, 10, 1), date(2025, 10, 31))) == 143_534


def test_a_period_across_the_award_is_pro_rata_by_days(half_time):
    # 15 days at 24,000 and 15 days at 26,000: 641.10 + 694.52 = £1,335.62
    assert pence(contract_cost(half_time, date(2025, 9, 16), date(2025, 10, 15))) == 133_562


def test_a_leaver_mid_month_is_costed_to_their_last_day(half_time):
    # 1 to 15 November at 26,000: 26,000 x 0.5 x 1.3 x 15/365 = £694.52
    cost = contract_cost(half_time, date(2025, 11, 1), date(2025, 11, 30), left_on=date(2025, 11, 15))
    assert pence(cost) == 69_452


def test_a_whole_financial_year_at_one_rate_is_the_annual_cost(kr6):
    assert salaried_cost(kr6.pay_points[:1], Decimal(1), date(2025, 4, 1), date(2026, 3, 31)) == (
        Decimal(2_400_000) * Decimal("1.3"))


def test_sessional_hours_at_the_grade_hourly_rate(kr6):
    point = kr6.pay_points[1]
    # 26,000 / 52.143 / 37 = £13.48 an hour; 10 hours with 30% on-costs = £175.19
    assert pence(hourly_rate(point)) == 1348
    assert pence(sessional_cost(600, point)) == 17_519
