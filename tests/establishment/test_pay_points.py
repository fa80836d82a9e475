"""Pay as people are paid: points a person sits on, increments to the top of the grade (on 1 April
or the anniversary, as the provider chooses), HR moving a person's point (dated, audited), pay
awards that move every point (backdated too), and sessional hourly rates. Each figure is worked
out by hand in the test."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.budget.services import build_monitor
from app.establishment import contracts
from app.establishment.costs import contract_cost, pence
from app.establishment.points import increment_dates
from app.establishment.services import load_contract_year
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.establishment import Contract, GradePoint, PointPlacement
from app.models.people import Stage
from app.returns.costs import line_costs

from ..conftest import error_messages, page
from ..factories import make_contract, make_grade, make_hours, make_post, pay_line

YEAR_2025, YEAR_2026 = 365, 365  # 1 April 2025 to 31 March 2026; 1 April 2026 to 31 March 2027
FLAT = Decimal("1.3")  # the grade's 30% on-costs


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


@pytest.fixture
def scale(world):
    """KR6 with points 10, 11 and 12 at £24,000, £25,000 and £26,000 a year from 1 April 2025,
    a 37-hour post on it, and Sam starting on 15 January 2026."""
    grade = make_grade("KR6", mid_pence=2_500_000, on_cost_bp=3000, effective_from=date(2025, 4, 1),
                       provider=world.provider)
    for point, amount in ((10, 2_400_000), (11, 2_500_000), (12, 2_600_000)):
        grade.points.append(GradePoint(point=point, effective_from=date(2025, 4, 1), annual_pence=amount))
    post = make_post(provider=world.provider, grade=grade, area=world.south, title="Area worker", fte="1.0")
    sam = world.south_person
    sam.stage = Stage.EMPLOYEE
    db.session.commit()
    return {"grade": grade, "post": post, "sam": sam}


def _start(world, scale, *, point: int | None = 10):
    contract = contracts.start_contract(scale["sam"], post=scale["post"], weekly_hours=Decimal(37),
                                        is_sessional=False, starts_on=date(2026, 1, 15),
                                        actor=world.user(Role.HR), point=point)
    db.session.commit()
    return contract


def test_increment_dates_on_1_april_and_on_the_anniversary():
    assert increment_dates(date(2026, 1, 15), date(2028, 12, 31), "april") == [
        date(2026, 4, 1), date(2027, 4, 1), date(2028, 4, 1)]
    assert increment_dates(date(2026, 1, 15), date(2028, 1, 14), "anniversary") == [date(2027, 1, 15)]
    assert increment_dates(date(2024, 2, 29), date(2026, 3, 31), "anniversary") == [
        date(2025, 3, 1), date(2026, 3, 1)]
    assert increment_dates(date(2026, 4, 1), date(2026, 4, 1), "april") == []  # not on the placement day


def test_a_starter_on_a_point_goes_up_each_april_until_the_top(world, scale):
    contract = _start(world, scale)
    # 15 January to 31 March 2026 (76 days) at point 10: 24,000 x 1.3 x 76/365.
    assert pence(contract_cost(contract, date(2026, 1, 1), date(2026, 3, 31))) == pence(
        Decimal(2_400_000) * FLAT * 76 / YEAR_2025)
    # 1 April 2026 to 31 March 2027 at point 11, all year: 25,000 x 1.3.
    assert pence(contract_cost(contract, date(2026, 4, 1), date(2027, 3, 31))) == 3_250_000
    # From 1 April 2027 point 12, and on 1 April 2028 it stays there: 12 is the top.
    assert pence(contract_cost(contract, date(2028, 4, 1), date(2028, 4, 30))) == pence(
        Decimal(2_600_000) * FLAT * 30 / 365)


def test_increments_on_the_anniversary_when_the_provider_chooses(world, scale):
    world.provider.increment_on = "anniversary"
    contract = _start(world, scale)
    # 2026/27: point 10 to 14 January 2027 (289 days), point 11 from 15 January (76 days).
    expected = Decimal(2_400_000) * FLAT * 289 / YEAR_2026 + Decimal(2_500_000) * FLAT * 76 / YEAR_2026
    assert abs(contract_cost(contract, date(2026, 4, 1), date(2027, 3, 31)) - expected) < 1


def test_a_backdated_award_moves_every_point_from_its_date(world, scale, sign_in, client):
    contract = _start(world, scale)
    sign_in(world.user(Role.HR))
    data = {"effective_from": _day(date(2026, 4, 1)), "how": "percent", "percent": "4", "confirm": "1"}
    assert client.post("/establishment/pay-award", data=data).status_code == 302
    grade = scale["grade"]
    db.session.refresh(grade)
    assert grade.points_on(date(2026, 4, 1)) == {10: 2_496_000, 11: 2_600_000, 12: 2_704_000}
    assert grade.points_on(date(2026, 3, 31)) == {10: 2_400_000, 11: 2_500_000, 12: 2_600_000}
    # Sam on point 11 all 2026/27 at the new 26,000: 26,000 x 1.3 = 33,800; before April unchanged.
    assert pence(contract_cost(contract, date(2026, 4, 1), date(2027, 3, 31))) == 3_380_000
    assert pence(contract_cost(contract, date(2026, 1, 15), date(2026, 3, 31))) == pence(
        Decimal(2_400_000) * FLAT * 76 / YEAR_2025)


def test_hr_moves_a_persons_point_dated_and_audited(world, scale, sign_in, client):
    contract = _start(world, scale)
    sign_in(world.user(Role.HR))
    form = client.get(f"/contracts/{contract.id}/point")
    assert "Point 12: £26,000 a year" in page(form).get_text()
    response = client.post(f"/contracts/{contract.id}/point", data={
        "point": "12", "effective_from": _day(date(2026, 10, 1)), "reason": "Regraded after review"})
    assert response.status_code == 302
    placements = db.session.scalars(select(PointPlacement).order_by(PointPlacement.effective_from)).all()
    assert [(p.point, p.effective_from, p.reason) for p in placements] == [
        (10, date(2026, 1, 15), "Starting point"), (12, date(2026, 10, 1), "Regraded after review")]
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.summary.like("Put % point 12%"))) == (
        f"Put {scale['sam'].name} on KR6 point 12 (£26,000 a year) from 1 October 2026: Regraded after review")
    # 2026/27: point 11 from 1 April to 30 September (183 days), point 12 after (182 days).
    expected = Decimal(2_500_000) * FLAT * 183 / 365 + Decimal(2_600_000) * FLAT * 182 / 365
    assert abs(contract_cost(contract, date(2026, 4, 1), date(2027, 3, 31)) - expected) < 1
    text = page(client.get(f"/people/{scale['sam'].id}")).get_text(" ", strip=True)
    assert "Point 12: £26,000 a year" in text


def test_a_point_the_grade_does_not_have_is_refused_and_nothing_changes(world, scale, sign_in, client):
    contract = _start(world, scale)
    sign_in(world.user(Role.HR))
    response = client.post(f"/contracts/{contract.id}/point", data={
        "point": "11", "effective_from": _day(date(2025, 12, 1)), "reason": "Too early"})
    assert error_messages(response) == [f"{scale['sam'].name} has no contract on KR6 on 1 December 2025"]
    assert db.session.scalar(select(PointPlacement.point).where(PointPlacement.effective_from == date(2025, 12, 1))
                             ) is None


def test_starting_on_a_point_the_grade_lacks_is_refused_whole(world, scale, sign_in, client):
    sign_in(world.user(Role.HR))
    response = client.post(f"/people/{scale['sam'].id}/contracts/new", data={
        "post_id": str(scale["post"].id), "basis": "salaried", "weekly_hours": "37",
        "starts_on": _day(date(2026, 1, 15)), "point": "14"})
    assert error_messages(response) == ["KR6 has no point 14 on 15 January 2026 (its points then: 10, 11, 12)"]
    assert db.session.scalar(select(Contract).where(Contract.person_id == scale["sam"].id)) is None


@pytest.mark.parametrize("role", [Role.AREA_FACILITATOR, Role.VOLUNTEER, Role.ADMIN, Role.COORDINATOR])
def test_only_hr_moves_a_point(world, scale, sign_in, client, role):
    contract = _start(world, scale)
    sign_in(world.user(role))
    response = client.post(f"/contracts/{contract.id}/point", data={
        "point": "12", "effective_from": _day(date(2026, 10, 1)), "reason": "Mine"})
    assert response.status_code in (403, 404)
    assert db.session.scalar(select(PointPlacement).where(PointPlacement.point == 12)) is None
    assert "Point 11" not in page(client.get(f"/people/{scale['sam'].id}")).get_text()


def test_grade_points_and_an_hourly_rate_are_kept_on_screens(world, sign_in, client):
    sign_in(world.user(Role.HR))
    grade = make_grade("S1", provider=world.provider, mid_pence=2_000_000, effective_from=date(2025, 4, 1))
    db.session.commit()
    ok = client.post(f"/establishment/grades/{grade.id}/points/new", data={
        "point": "5", "annual": "21,500", "effective_from": _day(date(2026, 4, 1))})
    assert ok.status_code == 302
    again = client.post(f"/establishment/grades/{grade.id}/points/new", data={
        "point": "5", "annual": "22,000", "effective_from": _day(date(2026, 4, 1))})
    assert error_messages(again) == ["Point 5 of S1 already has an amount from 1 April 2026"]
    nothing = client.post(f"/establishment/grades/{grade.id}/points/new", data={
        "point": "6", "annual": "0", "effective_from": _day(date(2026, 4, 1))})
    assert error_messages(nothing) == ["Enter an annual salary of more than £0"]
    assert client.post(f"/establishment/grades/{grade.id}/hourly-rates/new", data={
        "rate": "13.50", "effective_from": _day(date(2026, 4, 1))}).status_code == 302
    text = page(client.get("/establishment/grades")).get_text(" ", strip=True)
    assert "£21,500.00" in text and "£13.50 from 1 April 2026" in text


def test_sessional_hours_cost_the_grades_hourly_rate(world, sign_in, client):
    """10 approved hours at £13.50 = 135.00, holiday pay at 12.07% = 16.29, 30% on-costs on the two = 45.39:
    £196.68, in the monitor and the return."""
    grade = make_grade("S2", provider=world.provider, mid_pence=2_000_000, effective_from=date(2025, 4, 1))
    post = make_post(provider=world.provider, grade=grade, area=world.south, title="Sessional worker", fte="0.5")
    casual = world.south_person
    make_contract(person=casual, post=post, hours="0", starts_on=date(2026, 4, 1)).is_sessional = True
    make_hours(casual, worked_on=date(2026, 6, 10), hours="10")
    year = pay_line(world.provider, [post], "Sessional workers")
    sign_in(world.user(Role.HR))
    assert client.post(f"/establishment/grades/{grade.id}/hourly-rates/new", data={
        "rate": "13.50", "effective_from": _day(date(2026, 4, 1))}).status_code == 302
    figures = next(f for f in build_monitor(load_contract_year(year.id), today=date(2026, 6, 30)).lines
                   if f.line.name == "Sessional workers")
    assert figures.by_month[date(2026, 6, 1)] == 19_668
    costs = line_costs(world.provider.id, date(2026, 6, 1), date(2026, 6, 30))
    assert round(costs["pay_cost"][world.south.id]["Sessional workers"], 2) == 196.68


def test_the_return_prices_a_placed_person_as_the_monitor_does(world, scale):
    contract = _start(world, scale)
    year = pay_line(world.provider, [scale["post"]], "Area workers")
    figures = next(f for f in build_monitor(load_contract_year(year.id), today=date(2027, 3, 31)).lines
                   if f.line.name == "Area workers")
    assert abs(figures.actual - 3_250_000) <= 12  # point 11 all year (each month rounded to the penny)
    costs = line_costs(world.provider.id, date(2026, 4, 1), date(2027, 3, 31))
    # Both read the cost ledger: the same months, rounded to the penny as payroll rounds them.
    assert round(costs["pay_cost"][world.south.id]["Area workers"] * 100) == figures.actual
    assert contract.id


def test_a_contracts_import_may_place_people_on_points(world, scale):
    from app.imports.csvfile import ImportFailed
    from app.imports.establishment import import_contracts

    header = "person_ref,post_title,post_area,basis,weekly_hours,starts_on,pay_point\r\n"
    with pytest.raises(ImportFailed) as failed:
        import_contracts(header + f"{scale['sam'].ref},Area worker,South Kent,salaried,37,15/01/2026,14\r\n",
                         provider=world.provider, actor=world.user(Role.HR))
    assert failed.value.report.errors == [(2, "KR6 has no point 14 on 15 January 2026 (its points then: 10, 11, 12)")]
    db.session.rollback()  # as the import screen and command do
    import_contracts(header + f"{scale['sam'].ref},Area worker,South Kent,salaried,37,15/01/2026,11\r\n",
                     provider=world.provider, actor=world.user(Role.HR))
    assert db.session.scalar(select(PointPlacement.point)) == 11


def test_hr_records_a_pension_opt_out_and_pay_settings(world, scale, sign_in, client):
    _start(world, scale)
    sign_in(world.user(Role.HR))
    assert client.post(f"/people/{scale['sam'].id}/pension-opt-out",
                       data={"opted_out_on": _day(date(2026, 2, 1))}).status_code == 302
    again = client.post(f"/people/{scale['sam'].id}/pension-opt-out", data={"opted_out_on": _day(date(2026, 2, 1))})
    assert error_messages(again) == [f"{scale['sam'].name}'s opt-out on 1 February 2026 is already recorded"]
    assert "Opted out of the workplace pension from 1 February 2026" in page(
        client.get(f"/people/{scale['sam'].id}")).get_text()
    response = client.post("/establishment/pay-settings", data={
        "increment_on": "anniversary", "pay_proration": "working", "holiday_accrual": "10.17"})
    assert response.status_code == 302
    db.session.refresh(world.provider)
    assert (world.provider.increment_on, world.provider.pay_proration, world.provider.holiday_accrual_bp) == (
        "anniversary", "working", 1017)
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.summary.like("Changed the pay settings%")))
    bad = client.post("/establishment/pay-settings", data={
        "increment_on": "anniversary", "pay_proration": "working", "holiday_accrual": "45"})
    assert error_messages(bad) == ["Between 0% and 30%"]


@pytest.mark.parametrize("role", [Role.AREA_FACILITATOR, Role.VOLUNTEER, Role.ADMIN, Role.COORDINATOR])
def test_only_hr_records_an_opt_out_or_changes_pay_settings(world, scale, sign_in, client, role):
    sign_in(world.user(role))
    assert client.post(f"/people/{scale['sam'].id}/pension-opt-out",
                       data={"opted_out_on": _day(date(2026, 2, 1))}).status_code in (403, 404)
    assert client.post("/establishment/pay-settings", data={
        "increment_on": "anniversary", "pay_proration": "working", "holiday_accrual": "10"}).status_code == 403
