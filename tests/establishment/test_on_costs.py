"""On-costs as dated rules: employer National Insurance above a secondary threshold per person
(13.8% above £9,100 a year to April 2025, 15% above £5,000 after) plus employer pension; the
flat percentage stays where no rule is set, so the council's seed table is unchanged."""

from datetime import date
from decimal import Decimal

import pytest

from app.establishment.costs import on_cost_rules, salaried_cost
from app.establishment.services import post_annual_cost_pence
from app.extensions import db
from app.models.auth import Role
from app.models.establishment import OnCostRule

from ..conftest import error_messages, page
from ..factories import make_grade, make_post


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


@pytest.fixture
def rules(world, sign_in, client):
    """HR sets the provider's rules on the screen."""
    sign_in(world.user(Role.HR))
    for when, rate, threshold in ((date(2024, 4, 6), "13.8", "£9,100"), (date(2025, 4, 6), "15", "5,000")):
        response = client.post("/establishment/on-costs/new", data={
            "effective_from": _day(when), "method": "statutory", "ni_rate": rate, "ni_threshold": threshold,
            "pension_rate": "20"})
        assert response.status_code == 302
    return client


def test_ni_above_the_threshold_per_person_so_part_time_pays_proportionally_less(world, rules):
    grade = make_grade("NI1", mid_pence=2_500_000, on_cost_bp=3000, effective_from=date(2024, 4, 1))
    full, half = (make_post(provider=world.provider, grade=grade, fte=fte) for fte in ("1.0", "0.5"))
    db.session.commit()
    # 2024/25: 25,000 + (25,000 - 9,100) x 13.8% + 25,000 x 20% = 32,194.20
    assert post_annual_cost_pence(full, date(2024, 6, 1)) == Decimal("3219420")
    # 2025/26: 25,000 + 20,000 x 15% + 5,000 = 33,000; half time: 12,500 + 7,500 x 15% + 2,500 = 16,125
    assert post_annual_cost_pence(full, date(2025, 6, 1)) == Decimal("3300000")
    assert post_annual_cost_pence(half, date(2025, 6, 1)) == Decimal("1612500")
    assert post_annual_cost_pence(half, date(2025, 6, 1)) < post_annual_cost_pence(full, date(2025, 6, 1)) / 2


def test_a_contract_across_the_change_is_priced_by_days_either_side(world, rules):
    grade = make_grade("NI2", mid_pence=2_500_000, on_cost_bp=3000, effective_from=date(2024, 4, 1))
    db.session.commit()
    cost = salaried_cost(grade.pay_points, Decimal(1), date(2025, 4, 1), date(2026, 3, 31),
                         on_cost_rules(world.provider.id))
    # 5 days at 32,194.20 a year and 360 at 33,000: 441.02 + 32,547.95
    assert abs(cost - Decimal("3298897")) < 2


def test_with_no_rule_the_flat_percentage_stays(world):
    grade = make_grade("NI3", mid_pence=2_500_000, on_cost_bp=3000, effective_from=date(2024, 4, 1))
    post = make_post(provider=world.provider, grade=grade, fte="1.0")
    db.session.commit()
    assert post_annual_cost_pence(post, date(2025, 6, 1)) == Decimal("3250000")


def test_a_providers_rules_are_its_own(world, rules, app):
    other = make_post(provider=world.other_provider, grade=make_grade("NI4", mid_pence=2_500_000,
                                                                      effective_from=date(2024, 4, 1)))
    db.session.commit()
    assert post_annual_cost_pence(other, date(2025, 6, 1)) == Decimal("3250000")  # still flat 30%
    assert {r.provider_id for r in db.session.scalars(db.select(OnCostRule))} == {world.provider.id}


def test_a_statutory_rule_needs_its_rates(world, sign_in, client):
    sign_in(world.user(Role.HR))
    response = client.post("/establishment/on-costs/new", data={
        "effective_from": _day(date(2026, 4, 6)), "method": "statutory", "ni_rate": "15"})
    assert error_messages(response) == ["Enter the National Insurance rate, its threshold and the pension rate"]
    assert db.session.scalar(db.select(OnCostRule)) is None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AREA_FACILITATOR, Role.VOLUNTEER])
def test_only_hr_and_the_co_ordinator_set_on_costs(world, sign_in, client, role):
    sign_in(world.user(role))
    assert client.post("/establishment/on-costs/new", data={}).status_code == 403


def test_the_grades_page_shows_the_on_cost_actually_applied(world, rules):
    """Once a statutory rule replaces the flat percentage, the grades page says what pricing uses."""
    make_grade("NI5", mid_pence=2_500_000, on_cost_bp=3000, effective_from=date(2024, 4, 1))
    make_grade("NI5B", mid_pence=2_500_000, on_cost_bp=3000, effective_from=date(2025, 6, 1))
    db.session.commit()
    text = page(rules.get("/establishment/grades")).get_text(" ", strip=True)
    # From 1 April 2024, before the first rule on 6 April: the grade's flat 30.0%.
    assert "1 April 2024 £25,000.00 £25,000.00 £25,000.00 30.0%" in text
    # From 1 June 2025: (25,000 - 5,000) x 15% + 20% pension = 8,000 on 25,000: 32.0%.
    assert ("32.0% full time at the mid-point: employer NI 15% above £5,000 a year, pension 20%") in text


def test_a_providers_own_grades_are_not_shown_to_another(world, sign_in, client):
    make_grade("MINE", provider=world.other_provider, effective_from=date(2024, 4, 1))
    make_grade("OURS", effective_from=date(2024, 4, 1))
    db.session.commit()
    sign_in(world.user(Role.HR))
    text = page(client.get("/establishment/grades")).get_text()
    assert "OURS" in text and "MINE" not in text


def test_many_providers_rules_read_at_once_are_each_their_own_or_the_council_s():
    """One query for every provider a page prices: a provider with rules of its own gets those,
    one without gets the council's, exactly as asking for each alone does."""
    from app.establishment.costs import on_cost_rules_of

    from ..factories import make_provider

    own, other, bare = make_provider(), make_provider(), make_provider()
    db.session.add_all([
        OnCostRule(provider_id=None, effective_from=date(2024, 4, 6), method="statutory", ni_rate_bp=1380,
                   ni_threshold_pence=910_000, pension_rate_bp=300),
        OnCostRule(provider_id=own.id, effective_from=date(2025, 4, 6), method="statutory", ni_rate_bp=1500,
                   ni_threshold_pence=500_000, pension_rate_bp=500),
        OnCostRule(provider_id=own.id, effective_from=date(2024, 4, 6), method="flat"),
        OnCostRule(provider_id=other.id, effective_from=date(2024, 4, 6), method="flat"),
    ])
    db.session.flush()
    together = on_cost_rules_of(db.session, [own.id, other.id, bare.id, None])
    assert set(together) == {own.id, other.id, bare.id, None}
    assert [(day, terms is None) for day, terms in together[own.id]] == [(date(2024, 4, 6), True),
                                                                          (date(2025, 4, 6), False)]
    assert together[own.id][1][1].pension_rate_bp == 500
    assert [terms.ni_rate_bp for _day, terms in together[bare.id]] == [1380]
    assert together[bare.id] == together[None]
    assert [terms for _day, terms in together[other.id]] == [None]
