"""A return's pay cost for any period is the sum of its parts, across 1 April too: each
contract is priced within each contract year it touches, on that year's line."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models.establishment import BudgetLine, BudgetLineKind, Contract, ContractYear, PayPoint
from app.returns.costs import line_costs

from ..factories import make_contract, make_contract_year, make_grade, make_hours, make_person, make_post


@pytest.fixture
def two_years(world):
    """A salaried holder and a sessional worker, in posts budgeted in 2025/26 and 2026/27,
    with a pay award on 1 April 2026 and sessional hours either side of it."""
    grade = make_grade("KR7", mid_pence=2_800_000, effective_from=date(2024, 4, 1))
    grade.pay_points.append(PayPoint(financial_year=2026, effective_from=date(2026, 4, 1), min_pence=2_900_000,
                                     mid_pence=2_900_000, max_pence=2_900_000, on_cost_bp=3000))
    salaried = make_post(provider=world.provider, grade=grade, area=world.north, title="Area Facilitator")
    sessional = make_post(provider=world.provider, grade=grade, area=world.north, title="Session worker")
    existing = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == world.provider.id))
    for year in (make_contract_year(world.provider, start_year=2025), existing):  # the world's is 2026/27
        year.budget_lines.append(BudgetLine(kind=BudgetLineKind.PAY, name="Facilitation", sort_order=2,
                                            posts=[salaried, sessional]))
    holder = make_person(provider=world.provider, area=world.north, joined_on=date(2025, 5, 1))
    make_contract(person=holder, post=salaried, hours="30", starts_on=date(2025, 6, 1))
    worker = make_person(provider=world.provider, area=world.north, joined_on=date(2025, 5, 1))
    db.session.add(Contract(person_id=worker.id, post_id=sessional.id, weekly_hours=Decimal(0), is_sessional=True,
                            starts_on=date(2025, 5, 1)))
    for day in (date(2026, 3, 2), date(2026, 3, 30), date(2026, 4, 1), date(2026, 4, 20), date(2026, 6, 8)):
        make_hours(worker, worked_on=day, hours="6")
    db.session.commit()
    return world


def _pay(provider_id: int, start: date, end: date) -> float:
    costs = line_costs(provider_id, start, end)
    return sum(value for area in costs["pay_cost"].values() for value in area.values())


def test_a_period_across_1_april_keeps_the_earlier_years_pay(two_years):
    provider_id = two_years.provider.id
    whole = _pay(provider_id, date(2026, 1, 1), date(2026, 6, 30))
    before, after = _pay(provider_id, date(2026, 1, 1), date(2026, 3, 31)), _pay(provider_id, date(2026, 4, 1),
                                                                              date(2026, 6, 30))
    assert before > 0 and after > 0
    assert whole == pytest.approx(before + after, abs=0.005)


def test_across_1_april_each_year_s_line_takes_its_own_months(two_years):
    """Whole months either side of 1 April are each costed on their own year's line (the pay of
    posts in one year only is read month by month where a year begins or ends among the months)."""
    provider_id = two_years.provider.id
    for line in db.session.scalars(select(BudgetLine).join(ContractYear).where(
            ContractYear.provider_id == provider_id, BudgetLine.kind == BudgetLineKind.PAY)):
        line.name = f"Facilitation from {line.contract_year.starts_on.year}"
    db.session.commit()
    costs = line_costs(provider_id, date(2026, 1, 1), date(2026, 6, 30))["pay_cost"]
    by_line = {name: sum(area.get(name, 0) for area in costs.values())
               for name in ("Facilitation from 2025", "Facilitation from 2026")}
    assert by_line["Facilitation from 2025"] == pytest.approx(_pay(provider_id, date(2026, 1, 1),
                                                                   date(2026, 3, 31)), abs=0.005)
    assert by_line["Facilitation from 2026"] == pytest.approx(_pay(provider_id, date(2026, 4, 1),
                                                                   date(2026, 6, 30)), abs=0.005)
    assert by_line["Facilitation from 2025"] > 0 and by_line["Facilitation from 2026"] > 0


DAYS = st.integers(0, 700).map(lambda n: date(2025, 4, 1) + timedelta(days=n))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=DAYS, length=st.integers(1, 400), cut=st.integers(1, 399))
def test_the_pay_cost_of_any_period_is_the_sum_of_its_parts(two_years, first, length, cut):
    last = first + timedelta(days=length)
    split = first + timedelta(days=min(cut, length))  # the second part starts here
    provider_id = two_years.provider.id
    whole = _pay(provider_id, first, last)
    parts = _pay(provider_id, first, split - timedelta(days=1)) + _pay(provider_id, split, last)
    assert whole == pytest.approx(parts, abs=0.005)


def test_volunteer_expenses_across_1_april_are_each_year_s_line_and_the_whole(world):
    """Across 1 April each contract year's volunteer-expenses line takes the expenses of its own
    part of the period; together they are the return's expenses approved, and the sum of the parts."""
    from app.returns.services import _build_return

    from ..factories import make_claim

    existing = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == world.provider.id))
    for year in (make_contract_year(world.provider, start_year=2025), existing):
        year.budget_lines.append(BudgetLine(kind=BudgetLineKind.VOLUNTEER_EXPENSES, name="Volunteer expenses",
                                            amount_pence=60_000, sort_order=3))
    parent = make_person(provider=world.provider, area=world.north, joined_on=date(2025, 5, 1))
    for day, pence in ((date(2026, 3, 31), 1_250), (date(2026, 4, 1), 2_000), (date(2026, 5, 20), 730)):
        make_claim(parent, status="approved", lines=[{"amount": pence, "spent_on": day}])
    db.session.commit()

    def expenses(start, end):
        found = _build_return(start=start, end=end, provider=world.provider)
        return found.value("non_pay_cost", "Volunteer expenses"), found.value("expenses_approved")

    line, approved = expenses(date(2026, 2, 1), date(2026, 5, 31))
    assert line == approved >= 39.80
    before, after = expenses(date(2026, 2, 1), date(2026, 3, 31)), expenses(date(2026, 4, 1), date(2026, 5, 31))
    assert line == pytest.approx(before[0] + after[0], abs=0.005) and before[0] >= 12.50 and after[0] >= 27.30
