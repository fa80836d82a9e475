"""Each budget line's price, kept on the line in the same transaction as any change that moves it
(app.establishment.line_prices): the return for every provider reads it instead of pricing every
post. (The randomised story in test_ledger.py checks it against a fresh pricing after any mix of
changes; these are the cases one at a time.)"""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.establishment import line_prices
from app.establishment.services import budget_row
from app.extensions import db
from app.models.auth import Role
from app.models.establishment import BudgetLine, ContractYear, Grade, OnCostRule, PayPoint, Post
from app.returns.costs import line_costs

from ..factories import make_area, make_grade, make_post, make_provider, pay_line


def _line(year: ContractYear) -> BudgetLine:
    db.session.expire_all()
    return db.session.scalar(select(BudgetLine).where(BudgetLine.contract_year_id == year.id))


def _priced(line: BudgetLine) -> int:
    return budget_row(line, line.contract_year.pay_basis_on).annual_pence


@pytest.fixture
def two():
    """Two providers, each with a pay line on one post of the same grade."""
    grade = make_grade("KR7", mid_pence=2_800_000, on_cost_bp=3000, effective_from=date(2024, 4, 1))
    area = make_area("North Kent")
    years = []
    for _ in range(2):
        provider = make_provider()
        post = make_post(provider=provider, grade=grade, area=area, title="Area Facilitator", fte="1.0")
        years.append(pay_line(provider, [post], "Facilitation"))
    return grade, years


def test_a_line_is_priced_when_saved_and_again_when_its_post_changes(two):
    _, (year, _) = two
    line = _line(year)
    assert line.priced_pence == _priced(line) > 0 and line.pricing_problem is None
    before = line.priced_pence
    line.posts[0].budgeted_fte = Decimal("0.5")
    db.session.commit()
    line = _line(year)
    assert line.priced_pence == _priced(line) < before


def test_a_pay_award_prices_every_providers_line_again_in_its_commit(two):
    grade, years = two
    before = [_line(year).priced_pence for year in years]
    db.session.add(PayPoint(grade_id=grade.id, financial_year=2026, effective_from=date(2026, 4, 1),
                            min_pence=3_000_000, mid_pence=3_000_000, max_pence=3_000_000, on_cost_bp=3000))
    db.session.commit()
    after = [_line(year) for year in years]
    assert [line.priced_pence for line in after] == [_priced(line) for line in after]
    assert all(new.priced_pence > old for new, old in zip(after, before, strict=True))


def test_the_councils_on_cost_rule_prices_the_lines_of_providers_with_none_of_their_own(two):
    _, years = two
    before = [_line(year).priced_pence for year in years]
    db.session.add(OnCostRule(provider_id=None, effective_from=date(2024, 4, 1), method="statutory",
                              ni_rate_bp=1380, ni_threshold_pence=910_000, pension_rate_bp=300))
    db.session.commit()
    after = [_line(year) for year in years]
    assert [line.priced_pence for line in after] == [_priced(line) for line in after]
    assert all(new.priced_pence != old for new, old in zip(after, before, strict=True))


def test_a_providers_on_cost_rule_prices_only_that_providers_lines(two):
    _, (mine, theirs) = two
    theirs_before = _line(theirs).priced_pence
    db.session.add(OnCostRule(provider_id=mine.provider_id, effective_from=date(2024, 4, 1), method="statutory",
                              ni_rate_bp=1380, ni_threshold_pence=910_000, pension_rate_bp=300))
    db.session.commit()
    line = _line(mine)
    assert line.priced_pence == _priced(line)
    assert _line(theirs).priced_pence == theirs_before


def test_a_bulk_statement_on_posts_prices_the_lines_again(two):
    _, years = two
    before = [_line(year).priced_pence for year in years]
    db.session.execute(update(Post).values(budgeted_fte=Decimal("0.5")))
    db.session.commit()
    after = [_line(year) for year in years]
    assert [line.priced_pence for line in after] == [_priced(line) for line in after]
    assert all(new.priced_pence < old for new, old in zip(after, before, strict=True))


def test_a_line_that_cannot_be_priced_keeps_why_and_costs_nothing():
    provider = make_provider()
    grade = Grade(code="NEW1", name="No pay point yet", provider_id=provider.id)
    db.session.add(grade)
    db.session.flush()
    year = pay_line(provider, [make_post(provider=provider, grade=grade, area=make_area("West Kent"))], "Outreach")
    line = _line(year)
    assert line.priced_pence == 0
    assert line.pricing_problem == "Cannot be priced: no pay point for grade NEW1 on 1 April 2026"


def test_a_line_never_priced_is_priced_as_it_is_read_until_the_rebuild(two, app):
    """As after the upgrade that adds the kept price: the return's budget is still right, `check`
    names the lines and `rebuild` prices them."""
    _, (year, _) = two
    expected = _line(year).priced_pence
    db.session.execute(update(BudgetLine.__table__).values(priced_pence=None))  # no ORM: nothing noticed
    db.session.commit()
    budget = line_costs(year.provider_id, date(2026, 4, 1), date(2027, 3, 31))["budget"][None]["Facilitation"]
    assert budget == expected / 100
    runner = app.test_cli_runner()
    result = runner.invoke(args=["summaries", "check"])
    assert result.exit_code == 1 and "differ" in result.output
    assert runner.invoke(args=["summaries", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["summaries", "check"]).exit_code == 0
    assert _line(year).priced_pence == expected
    assert line_prices.differences(db.session) == []


def test_set_up_through_the_screens_each_change_keeps_the_price_a_fresh_pricing_gives(world, sign_in, client):
    """As a provider sets up without the demo: its own grade, a post and a pay line made on the
    screens, then a pay award from June, the year's pricing date moved into July, a second post
    put on the line and the first resized, each through its screen. After each the kept price is
    what a fresh pricing gives."""
    grade = make_grade("P6", mid_pence=2_000_000, effective_from=date(2025, 4, 1))
    grade.provider_id = world.provider.id
    db.session.commit()
    year = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == world.provider.id))
    sign_in(world.user(Role.HR))

    def kept() -> int:
        assert line_prices.differences(db.session) == []
        return _line_named(year, "Family work").priced_pence

    post_form = {"title": "Family Worker", "basis": "salaried", "grade_id": str(grade.id),
                 "area_id": str(world.north.id), "number_of_posts": "2", "budgeted_fte": "1.5"}
    assert client.post("/establishment/posts/new", data=post_form).status_code == 302
    post = db.session.scalar(select(Post).where(Post.title == "Family Worker"))
    assert client.post(f"/establishment/years/{year.id}/lines/new", data={
        "kind": "pay", "name": "Family work", "post_ids": [str(post.id)]}).status_code == 302
    first = kept()
    assert first > 0
    assert client.post("/establishment/pay-award", data={
        "effective_from": _day(date(2026, 6, 1)), "how": "percent", "percent": "5", "confirm": "1"}).status_code == 302
    assert kept() == first  # priced at 1 April, before the award
    assert client.post(f"/establishment/years/{year.id}/pricing-date", data={
        "pay_basis_on": _day(date(2026, 7, 1))}).status_code == 302
    awarded = kept()
    assert awarded > first
    assert client.post("/establishment/posts/new", data={**post_form, "title": "Outreach Worker"}).status_code == 302
    other = db.session.scalar(select(Post).where(Post.title == "Outreach Worker"))
    line = _line_named(year, "Family work")
    assert client.post(f"/establishment/lines/{line.id}", data={
        "kind": "pay", "name": "Family work", "post_ids": [str(post.id), str(other.id)]}).status_code == 302
    both = kept()
    assert both > awarded
    assert client.post(f"/establishment/posts/{post.id}", data={**post_form, "budgeted_fte": "0.5"}).status_code == 302
    assert awarded < kept() < both


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _line_named(year: ContractYear, name: str) -> BudgetLine:
    db.session.expire_all()
    return db.session.scalar(select(BudgetLine).where(BudgetLine.contract_year_id == year.id, BudgetLine.name == name))
