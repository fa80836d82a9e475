"""The council's contract over its life: years and review points, the extension, funding by
source, lots held by providers, and the county budget adding every provider's lines against
the contract's funding. Only the co-ordinator sees it; each provider sees only its own."""

from datetime import date

import pytest

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.council import Commission, Decision, Lot
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear

from ..conftest import error_messages, page
from ..factories import make_area, make_contract_year, make_grade


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _set_up(client, **overrides):
    return client.post("/council/contract", data={
        "name": "Supporting Parents", "council_name": "Medway Council", "starts_on": _day(date(2025, 4, 1)),
        "term": "single_years",
        "extension_years_allowed": "2", **overrides})


def test_the_co_ordinator_sets_up_the_contract_reviews_it_and_takes_the_extension(world, sign_in, client):
    sign_in(world.user(Role.COORDINATOR))
    assert "Set up the contract" in client.get("/council/contract").get_data(as_text=True)
    assert _set_up(client).status_code == 302
    commission = db.session.scalar(db.select(Commission))
    assert [y.label for y in commission.years] == ["2025/26", "2026/27", "2027/28"]
    assert [p.due_on for p in commission.review_points] == [date(2025, 12, 31), date(2026, 12, 31),
                                                           date(2027, 12, 31)]
    first = commission.review_points[0]
    vague = client.post(f"/council/contract/reviews/{first.id}", data={"decision": "continue_with_changes"})
    assert error_messages(vague) == ["Say what changes"]
    client.post(f"/council/contract/reviews/{first.id}", data={"decision": "continue_with_changes",
                                                              "note": "Add a weekend group in East Kent"})
    decided = db.session.get(type(first), first.id)
    assert (decided.decision, decided.decided_by_id) == (Decision.CHANGES, world.user(Role.COORDINATOR).id)
    client.post("/council/contract/extension", data={"years": "2"})
    commission = db.session.get(Commission, commission.id)
    assert [y.label for y in commission.years][-2:] == ["2028/29", "2029/30"]
    assert all(y.is_extension for y in commission.years[-2:]) and commission.extension_years_taken == 2
    client.post("/council/contract/extension", data={"years": "1"})  # none left
    assert len(db.session.get(Commission, commission.id).years) == 5
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.summary.contains("Took a 2-year extension")))
    text = page(client.get("/council/contract")).get_text(" ")
    assert "Extension" in text and "Add a weekend group in East Kent" in text


@pytest.fixture
def two_lots(world, sign_in, client):
    """Two providers, each holding a lot of two areas, each with its own 2026/27 budget."""
    sign_in(world.user(Role.COORDINATOR))
    _set_up(client, term="three_years")
    commission = db.session.scalar(db.select(Commission))
    year = commission.years[1]  # 2026/27
    for source, amount in [("Kent County Council", "400,000"), ("NHS (CCG)", "£100,000")]:
        client.post(f"/council/contract/years/{year.id}/funding", data={"source": source, "amount": amount})
    east, west = make_area("East Kent"), make_area("West Kent")
    db.session.commit()
    for name, provider, areas in [("Lot 1", world.provider, [world.north, west]),
                                  ("Lot 2", world.other_provider, [world.south, east])]:
        response = client.post("/council/contract/lots/new", data={
            "name": name, "provider_id": str(provider.id), "area_ids": [str(a.id) for a in areas],
            "offers": "All four offers", "first_year_id": str(commission.years[0].id), "last_year_id": ""})
        assert response.status_code == 302
    budgets = {}
    for provider, amount in [(world.provider, 24_000_000), (world.other_provider, 22_500_000)]:
        provider_year = db.session.scalar(db.select(ContractYear).where(
            ContractYear.provider_id == provider.id, ContractYear.starts_on == date(2026, 4, 1))) or \
            make_contract_year(provider, start_year=2026)
        provider_year.budget_lines.append(BudgetLine(kind=BudgetLineKind.NON_PAY, name="Delivery",
                                                     amount_pence=amount, sort_order=2))
        budgets[provider.id] = amount + 100_000  # and the factory's room hire
    db.session.commit()
    return commission, year, budgets


def _county_cells(client, year) -> list[list[str]]:
    return [[c.get_text(" ", strip=True) for c in tr.select("th, td")]
            for tr in page(client.get(f"/council/contract?year={year.id}")).select("#county ~ div table tbody tr")]


def test_the_county_budget_adds_every_provider_against_the_contracts_funding(world, sign_in, client, two_lots):
    commission, year, budgets = two_lots
    # Providers' figures are worked out in the background (each hour, or when asked), never on the page.
    shown = page(client.get(f"/council/contract?year={year.id}"))
    assert "Not worked out yet: Provider A, Provider B" in shown.select_one(".govuk-inset-text").get_text(" ")
    assert _county_cells(client, year)[0] == ["No provider's figures are worked out yet."]
    response = client.post(f"/council/contract/years/{year.id}/forecasts")
    assert response.status_code == 302 and response.location.endswith(f"?year={year.id}#county")
    assert "Working out every provider's forecast for 2026/27" in page(client.get(response.location)).get_text(" ")
    cells = _county_cells(client, year)
    assert ["Provider A", "£241,000"] == cells[0][:2] and ["Provider B", "£226,000"] == cells[1][:2]
    assert cells[2][:2] == ["County total", "£467,000"]
    assert cells[3][:2] == ["Contract funding", "£500,000"]
    assert cells[4][:2] == ["Headroom", "£33,000"]
    assert sum(budgets.values()) == 46_700_000
    assert "Providers' figures as worked out on " in page(client.get(f"/council/contract?year={year.id}")).get_text()
    assert [lot.provider_id for lot in db.session.scalars(db.select(Lot).order_by(Lot.name))] == [
        world.provider.id, world.other_provider.id]


def test_an_area_is_let_to_one_lot_at_a_time(world, sign_in, client, two_lots):
    commission, _, _ = two_lots
    response = client.post("/council/contract/lots/new", data={
        "name": "Lot 3", "provider_id": str(world.provider.id), "area_ids": [str(world.south.id)],
        "first_year_id": str(commission.years[2].id), "last_year_id": ""})
    assert error_messages(response) == ["South Kent is already in Lot 2 (Provider B) for those years"]


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN, Role.AREA_FACILITATOR, Role.VOLUNTEER])
def test_providers_see_only_their_own(world, sign_in, client, two_lots, role):
    client.post("/sign-out")
    sign_in(world.user(role))
    assert client.get("/council/contract").status_code == 403
    if role in (Role.HR, Role.ADMIN):
        assert client.get(f"/establishment/?provider={world.other_provider.id}").status_code in (403, 404)
        text = client.get("/establishment/").get_data(as_text=True)
        assert "Provider B" not in text


def test_the_councils_own_post_and_providers_spending_count_in_the_county_budget(world, sign_in, client, two_lots):
    from app.budget.county import county_budget
    from app.models.spending import Spend, SpendStatus

    commission, year, budgets = two_lots
    grade = make_grade("KR11X", mid_pence=4_335_308, on_cost_bp=3000, effective_from=date(2021, 4, 1))
    db.session.commit()
    response = client.post("/council/contract/council-posts/new", data={
        "title": "Service Co-ordinator", "grade_id": str(grade.id), "fte": "1"})
    assert response.status_code == 302
    county = county_budget(db.session.get(type(year), year.id), today=date(2026, 11, 29))
    assert county.council_pence == 5_635_900  # £43,353.08 x 1.3 = £56,359, as the seed's table
    assert county.budget_pence == sum(budgets.values()) + 5_635_900
    before = county.forecast_pence
    line = db.session.scalar(db.select(BudgetLine).join(ContractYear).where(
        ContractYear.provider_id == world.other_provider.id, BudgetLine.name == "Delivery"))
    db.session.add(Spend(provider_id=world.other_provider.id, budget_line_id=line.id, spent_on=date(2026, 6, 1),
                         supplier="Hall", description="Room", amount_pence=50_000, status=SpendStatus.APPROVED))
    db.session.commit()
    after = county_budget(db.session.get(type(year), year.id), today=date(2026, 11, 29)).forecast_pence
    assert after == before + 50_000


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN, Role.AREA_FACILITATOR, Role.VOLUNTEER])
def test_only_the_coordinator_has_the_forecasts_worked_out(world, sign_in, client, two_lots, role):
    from app.models.establishment import ProviderForecast

    _, year, _ = two_lots
    client.post("/sign-out")
    sign_in(world.user(role))
    assert client.post(f"/council/contract/years/{year.id}/forecasts").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(ProviderForecast)) == 0
