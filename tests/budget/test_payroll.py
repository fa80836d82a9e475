"""Actuals from payroll: the bureau's monthly report imported (its own column names, saved once),
a month's reconciliation beside Pathway's estimate with the reasons it can name, and the
budget monitor using payroll's figures for the months it has paid, marked as such."""

import io
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from app.budget.services import build_monitor
from app.establishment.services import load_contract_year
from app.extensions import db
from app.imports.payroll import money_pence, pay_period
from app.models.auth import Role
from app.models.payroll import PayrollColumns, PayrollLine
from app.models.people import Stage

from ..conftest import page
from ..factories import make_contract, make_grade, make_person, make_post, pay_line

TODAY = date(2027, 2, 10)
BUREAU_COLUMNS = {"person_ref": "Employee Ref", "pay_period": "Period", "gross_pay": "Gross",
                  "employer_ni": "Er NI", "employer_pension": "Er Pension"}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def staff(world):
    """Sam, full time all year; Nina, a starter on 15 January; Pat, whom payroll pays with no
    contract in Pathway. KR6's mid-point is £24,000 with 30% on-costs."""
    grade = make_grade("KR6", mid_pence=2_400_000, on_cost_bp=3000, effective_from=date(2026, 4, 1))
    post = make_post(provider=world.provider, grade=grade, area=world.north, title="Area worker", posts=2,
                     fte="2.0")
    sam, nina = world.south_person, world.neighbour
    sam.stage = nina.stage = Stage.EMPLOYEE
    make_contract(person=sam, post=post, hours="37", starts_on=date(2026, 4, 1))
    make_contract(person=nina, post=post, hours="37", starts_on=date(2027, 1, 15))
    pat = make_person(provider=world.provider, area=world.north, stage=Stage.EMPLOYEE, first_name="Pat",
                      last_name="Payroll")
    year = pay_line(world.provider, [post], "Area workers")
    return {"sam": sam, "nina": nina, "pat": pat, "year": year}


def _report(staff, *, period: str = "January 2027") -> bytes:
    """The bureau's report: its own column names, a column Pathway does not need, amounts as printed."""
    rows = [("Employee Ref", "Name", "Period", "Gross", "Tax", "Er NI", "Er Pension"),
            (staff["sam"].ref, "Sam South", period, "2,000.00", "250.00", "225.00", "400.00"),
            (staff["nina"].ref, "Nina Neighbour", period, "1,096.77", "0.00", "102.18", "219.35"),
            (staff["pat"].ref, "Pat Payroll", period, "£500.00", "0.00", "0.00", "0.00")]
    return "\r\n".join(",".join(f'"{v}"' for v in row) for row in rows).encode()


def _upload(client, data: bytes, name: str = "payroll-jan.csv"):
    return client.post("/imports/", data={"kind": "payroll", "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def imported(world, staff, sign_in, client):
    sign_in(world.user(Role.HR))
    assert client.post("/imports/payroll-columns", data=BUREAU_COLUMNS).status_code == 302
    response = _upload(client, _report(staff))
    assert response.status_code == 302, page(response).get_text(" ", strip=True)[:2000]
    return client


def test_a_payroll_report_is_read_through_the_bureaus_column_names(world, staff, imported):
    lines = {line.person_id: line for line in db.session.scalars(select(PayrollLine))}
    assert {pid: (p.period, p.gross_pence, p.employer_ni_pence, p.employer_pension_pence)
            for pid, p in lines.items()} == {
        staff["sam"].id: (date(2027, 1, 1), 200_000, 22_500, 40_000),
        staff["nina"].id: (date(2027, 1, 1), 109_677, 10_218, 21_935),
        staff["pat"].id: (date(2027, 1, 1), 50_000, 0, 0)}
    assert db.session.get(PayrollColumns, world.provider.id).mapping()["gross_pay"] == "gross"


def test_a_month_imported_once_is_never_overwritten(world, staff, imported):
    """The same people and month again (a different file) is refused whole: undo the first import."""
    again = _report(staff).replace(b"2,000.00", b"2,100.00")
    response = _upload(imported, again, "payroll-jan-corrected.csv")
    text = page(response).get_text(" ", strip=True)
    assert "Nothing was imported" in text
    assert "this person's January 2027 pay was imported on" in text
    assert db.session.scalar(select(func.count(PayrollLine.id))) == 3
    assert db.session.scalar(select(PayrollLine.gross_pence).where(
        PayrollLine.person_id == staff["sam"].id)) == 200_000


@pytest.mark.parametrize("row,problem", [
    ("NOPE,January 2027,1.00,0,0", "person_ref 'NOPE' is not a person at this provider"),
    ("{ref},Smarch 2027,1.00,0,0", "pay_period 'Smarch 2027' is not a month like 2027-02 or February 2027"),
    ("{ref},2027-03,1.00,0,0", "pay_period is a month still to come"),
    ("{ref},2027-01,lots,0,0", "gross_pay 'lots' is not an amount of money like 1,234.56"),
    ("{ref},2027-01,1.001,0,0", "gross_pay '1.001' is not an amount of money like 1,234.56"),
])
def test_each_bad_payroll_row_is_named_and_nothing_is_imported(world, staff, sign_in, client, row, problem):
    sign_in(world.user(Role.HR))
    body = "person_ref,pay_period,gross_pay,employer_ni,employer_pension\r\n" + row.format(ref=staff["sam"].ref)
    text = page(_upload(client, body.encode())).get_text(" ", strip=True)
    assert problem in text
    assert db.session.scalar(select(func.count(PayrollLine.id))) == 0


def test_without_the_column_names_the_import_says_where_to_set_them(world, staff, sign_in, client):
    sign_in(world.user(Role.HR))
    text = page(_upload(client, _report(staff))).get_text(" ", strip=True)
    assert "Missing column" in text and "Payroll columns" in text
    assert db.session.scalar(select(func.count(PayrollLine.id))) == 0


@pytest.mark.parametrize("text,month", [
    ("2027-02", date(2027, 2, 1)), ("02/2027", date(2027, 2, 1)), ("February 2027", date(2027, 2, 1)),
    ("Feb 2027", date(2027, 2, 1)), ("feb-27", date(2027, 2, 1)), ("28/02/2027", date(2027, 2, 1)),
    ("2027-13", None), ("Ma 2027", None), ("", None)])
def test_pay_periods_as_bureaux_write_them(text, month):
    assert pay_period(text) == month


@pytest.mark.parametrize("text,amount", [("1,234.56", 123_456), ("£12", 1_200), ("(12.50)", -1_250),
                                         ("-3.10", -310), ("1.234", None), ("NaN", None), ("", None),
                                         ("1e308", None), ("-1e30", None)])
def test_amounts_as_payroll_prints_them(text, amount):
    assert money_pence(text) == amount


def test_the_reconciliation_names_what_it_can(world, staff, imported):
    """January 2027, worked as payroll works a month (the world's provider has no statutory rule, so
    the grade's flat 30% on-costs): Sam's estimate is 24,000 / 12 = 2,000.00 + 600.00 = £2,600.00 against
    payroll's £2,625.00; Nina started on 15 January, 2,000.00 x 17/31 = 1,096.77 + 329.03 = £1,425.80
    against £1,418.30; Pat was paid £500.00 with no contract."""
    response = imported.get("/budget/payroll/2027-01")
    assert response.status_code == 200
    rows = {r.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in r.select("td")]
            for r in page(response).select("tbody tr")}
    assert rows["Sam South"][:3] == ["£2,625.00", "£2,600.00", "£25.00"]
    assert "No reason Pathway can name" in rows["Sam South"][3]
    assert rows["Nina Neighbour"][:3] == ["£1,418.30", "£1,425.80", "-£7.50"]
    assert "Area worker started on 15 January: a part month" in rows["Nina Neighbour"][3]
    assert rows["Pat Payroll"][:3] == ["£500.00", "£0.00", "£500.00"]
    assert "No contract in Pathway for this month" in rows["Pat Payroll"][3]
    csv_text = imported.get("/budget/payroll/2027-01.csv").get_data(as_text=True)
    assert (f"{staff['nina'].ref},Nina Neighbour,1096.77,102.18,219.35,1418.30,1096.77,0.00,329.03,0.00,1425.80,"
            "-7.50,") in csv_text
    # December: nobody's payroll yet, so Sam is listed as not paid.
    december = page(imported.get("/budget/payroll/2026-12")).get_text(" ", strip=True)
    assert "Not in this month's payroll" in december
    assert imported.get("/budget/payroll/January").status_code == 404


def test_the_monitor_uses_payroll_where_it_has_paid_and_says_so(world, staff, imported):
    monitor = build_monitor(load_contract_year(staff["year"].id), today=TODAY)
    line = next(f for f in monitor.lines if f.line.name == "Area workers")
    # January: what payroll paid Sam and Nina (Pat holds no contract on the line).
    assert line.by_month[date(2027, 1, 1)] == 262_500 + 141_830
    # December: the ledger's estimate, a twelfth of 24,000 with the 30% on-cost: 2,000 + 600.
    assert line.by_month[date(2026, 12, 1)] == 260_000
    assert monitor.payroll_months == {date(2027, 1, 1)}
    assert line.actual == sum(line.by_month.values())
    cells = {r.th.get_text(strip=True): r.select("td")[-1].get_text(strip=True)
             for r in page(imported.get("/budget/")).select("tbody tr") if r.th}
    assert cells["January 2027"] == "Payroll" and cells["December 2026"] == "Estimate" and cells["March 2027"] == "-"


def test_undoing_the_import_brings_the_estimate_back(world, staff, imported):
    batch_id = db.session.scalar(select(PayrollLine.import_batch_id).limit(1))
    assert imported.post(f"/imports/batches/{batch_id}/undo").status_code == 302
    assert db.session.scalar(select(func.count(PayrollLine.id))) == 0
    line = next(f for f in build_monitor(load_contract_year(staff["year"].id), today=TODAY).lines
                if f.line.name == "Area workers")
    # Sam a whole month, 2,000 + 600 on-cost; Nina from 15 January, 17/31 of 2,000 = 1,096.77 + 329.03.
    assert line.by_month[date(2027, 1, 1)] == 260_000 + 109_677 + 32_903


def test_the_command_line_import_uses_the_same_rules(world, staff, app, tmp_path):
    db.session.add(PayrollColumns(provider_id=world.provider.id, **BUREAU_COLUMNS))
    db.session.commit()
    report = tmp_path / "jan.csv"
    report.write_bytes(_report(staff))
    result = app.test_cli_runner().invoke(args=["import", "payroll", str(report), "--provider", world.provider.name])
    assert result.exit_code == 0, result.output
    assert "Imported 3 payroll rows" in result.output
    assert db.session.scalar(select(func.count(PayrollLine.id))) == 3


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.ADMIN, Role.COORDINATOR])
def test_only_hr_sees_what_payroll_paid(world, staff, sign_in, client, role):
    sign_in(world.user(role))
    for url in ("/budget/payroll", "/budget/payroll/2027-01", "/budget/payroll/2027-01.csv"):
        assert client.get(url).status_code == 403


def test_another_providers_hr_sees_none_of_it(world, staff, imported):
    imported.post("/sign-out")
    from ..conftest import sign_in_with

    sign_in_with(imported, world.other_hr)
    text = page(imported.get("/budget/payroll/2027-01")).get_text(" ", strip=True)
    assert "Sam South" not in text and "Nobody was paid in January 2027" in text
    assert "January 2027" not in page(imported.get("/budget/payroll")).select_one("main").get_text()


def test_the_estimate_works_a_month_as_payroll_does(world, staff):
    """With employer NI 15% above £5,000 a year and 5% pension on qualifying earnings, January 2027:
    Sam, 2,000.00: NI (2,000.00 - 416.67) x 15% = 237.50; pension (2,000.00 - 520.00) x 5% = 74.00.
    Nina from 15 January, 1,096.77: NI against the whole month's threshold (1,096.77 - 416.67) x 15%
    = 102.02; she opted out of the pension on 1 January, so none.
    Cass, sessional, 30 hours at £13.50 = 405.00 with 12.07% holiday pay 48.88: NI (453.88 - 416.67) x
    15% = 5.58; below the £833.33 monthly trigger, not enrolled."""
    from app.budget.reconcile import reconciliation
    from app.establishment.setup import add_on_cost_rule
    from app.models.establishment import PensionOptOut

    from ..factories import make_hours

    add_on_cost_rule(provider_id=world.provider.id, effective_from=date(2025, 4, 6), method="statutory",
                     ni_rate_bp=1500, ni_threshold_pence=500_000, pension_rate_bp=500, pension_basis="qualifying",
                     actor=world.user(Role.HR))
    db.session.add(PensionOptOut(person_id=staff["nina"].id, opted_out_on=date(2027, 1, 1)))
    grade = staff["sam"].contracts[0].post.grade
    from app.establishment.setup import add_hourly_rate

    add_hourly_rate(grade, pence_per_hour=1350, effective_from=date(2026, 4, 1), actor=world.user(Role.HR))
    cass = world.me
    cass.stage = Stage.CO_FACILITATOR
    contract = make_contract(person=cass, post=staff["sam"].contracts[0].post, hours="0",
                             starts_on=date(2026, 4, 1))
    contract.is_sessional = True
    for day in (11, 12, 13, 14, 15):
        make_hours(cass, worked_on=date(2027, 1, day), hours="6")
    db.session.commit()
    rows = {row.person.id: row.cost for row in reconciliation(world.provider.id, date(2027, 1, 1))}
    sam, nina, cass_month = rows[staff["sam"].id], rows[staff["nina"].id], rows[cass.id]
    assert (sam.pay, sam.employer_ni, sam.employer_pension, sam.total) == (200_000, 23_750, 7_400, 231_150)
    assert (nina.pay, nina.employer_ni, nina.employer_pension) == (109_677, 10_202, 0)
    assert (cass_month.pay, cass_month.holiday_pay, cass_month.employer_ni, cass_month.employer_pension) == (
        40_500, 4_888, 558, 0)


def test_employment_allowance_is_used_up_in_month_four_and_lowers_the_forecast(world, sign_in, client):
    """£30,000 full time with employer NI 15% above £5,000: each month (2,500.00 - 416.67) x 15% =
    312.50 of NI. £1,000 of allowance covers April, May and June and 62.50 of July."""
    from app.establishment.setup import add_on_cost_rule
    from app.models.establishment import EmploymentAllowance

    add_on_cost_rule(provider_id=world.provider.id, effective_from=date(2025, 4, 6), method="statutory",
                     ni_rate_bp=1500, ni_threshold_pence=500_000, pension_rate_bp=0, actor=world.user(Role.HR))
    grade = make_grade("EA1", mid_pence=3_000_000, on_cost_bp=0, effective_from=date(2026, 4, 1))
    post = make_post(provider=world.provider, grade=grade, area=world.south, title="Manager", fte="1.0")
    make_contract(person=world.south_person, post=post, hours="37", starts_on=date(2026, 4, 1))
    year = pay_line(world.provider, [post], "Managers")
    before = build_monitor(load_contract_year(year.id), today=date(2026, 6, 15))
    sign_in(world.user(Role.HR))
    response = client.post("/establishment/pay-settings", data={
        "increment_on": "april", "pay_proration": "calendar", "holiday_accrual": "12.07", "allowance": "1,000"})
    assert response.status_code == 302
    assert db.session.scalar(select(EmploymentAllowance.amount_pence)) == 100_000
    monitor = build_monitor(load_contract_year(year.id), today=date(2026, 6, 15))
    assert monitor.allowance == {date(2026, 4, 1): 31_250, date(2026, 5, 1): 31_250, date(2026, 6, 1): 31_250,
                                 date(2026, 7, 1): 6_250}
    assert (monitor.allowance_actual, monitor.allowance_committed) == (93_750, 6_250)
    assert monitor.total("forecast") == before.total("forecast") - 100_000
    assert monitor.month_total(date(2026, 5, 1)) == before.month_total(date(2026, 5, 1)) - 31_250
    text = page(client.get(f"/budget/?year={year.id}")).get_text(" ", strip=True)
    assert "Employment Allowance" in text
