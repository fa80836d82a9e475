"""The workforce return for a small hand-built fixture, against figures worked out by hand.

Period: 1 April to 30 June 2026 (91 days, 13 weeks exactly).
"""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.hours.services import correct_entry
from app.models.auth import Role
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear
from app.models.people import Stage
from app.models.returns import ReturnSubmission
from app.people.services import record_stage_change
from app.returns.outputs import CSV_COLUMNS, to_csv, to_pdf, to_xlsx
from app.returns.services import build_return, from_submission, submit_return

from ..conftest import page
from ..factories import (
    make_area,
    make_claim,
    make_contract,
    make_grade,
    make_hours,
    make_person,
    make_post,
    make_provider,
    make_user,
)

START, END = date(2026, 4, 1), date(2026, 6, 30)
NOW = datetime(2026, 7, 2, tzinfo=UTC)


@pytest.fixture
def fixture():
    provider, north, south = make_provider(name="Fixture CIC"), make_area("North Kent"), make_area("South Kent")
    hr = make_user(Role.HR, provider=provider)
    grade = make_grade("KR9", mid_pence=3_000_000, on_cost_bp=3000, effective_from=date(2026, 4, 1))
    vol_post = make_post(provider=provider, grade=None, area=north, title="Parent Volunteer", posts=3, fte="0.75")
    cofac_post = make_post(provider=provider, grade=None, area=north, title="Parent Co-Facilitator", posts=3,
                           fte="1.5", volunteer=False)
    af_post = make_post(provider=provider, grade=grade, area=south, title="Area Facilitator", fte="1.0")
    a = make_person(provider=provider, area=north, first_name="Alice", joined_on=date(2025, 1, 1))
    b = make_person(provider=provider, area=north, first_name="Bea", joined_on=date(2026, 5, 1),
                    has_lived_experience=False)
    c = make_person(provider=provider, area=south, first_name="Cleo", joined_on=date(2025, 1, 1),
                    left_on=date(2026, 6, 15))
    d = make_person(provider=provider, area=north, first_name="Dina", joined_on=date(2025, 1, 1))
    e = make_person(provider=provider, area=south, first_name="Esme", stage=Stage.EMPLOYEE,
                    joined_on=date(2024, 1, 1), has_lived_experience=False)
    make_contract(person=a, post=vol_post, hours="9.25", starts_on=date(2025, 1, 1))
    make_contract(person=d, post=vol_post, hours="9.25", starts_on=date(2025, 1, 1), ends_on=date(2026, 5, 9))
    make_contract(person=d, post=cofac_post, hours="18.5", starts_on=date(2026, 5, 10))  # part of the period
    make_contract(person=e, post=af_post, hours="37", starts_on=date(2024, 1, 1))
    record_stage_change(d, Stage.CO_FACILITATOR, on=date(2026, 5, 10), actor=hr, reason="Ready")
    make_hours(a, worked_on=date(2026, 4, 10), hours="10")
    make_hours(a, worked_on=date(2026, 4, 11), hours="3", status="submitted")  # not approved: not counted
    make_hours(b, worked_on=date(2026, 5, 5), hours="5", activity_name="Workshop")
    make_hours(d, worked_on=date(2026, 4, 20), hours="6")  # as a volunteer
    one_to_one = make_hours(d, worked_on=date(2026, 6, 1), hours="8", activity_name="1:1 family advice")
    correct_entry(one_to_one, correct_minutes=6 * 60, reason="Finished early", actor=hr, now=NOW, approve=True)
    make_hours(e, worked_on=date(2026, 6, 2), hours="7.5", activity_name="Preparation and admin")
    make_hours(e, worked_on=date(2026, 6, 3), hours="7.5", activity_name="Preparation and admin")
    make_claim(a, status="approved", lines=[{"amount": 1000, "spent_on": date(2026, 5, 1)}])
    make_claim(c, status="paid", lines=[{"amount": 2000, "spent_on": date(2026, 4, 15)}])
    year = ContractYear(provider_id=provider.id, label="2026/27", starts_on=date(2026, 4, 1),
                        ends_on=date(2027, 3, 31), pay_basis_on=date(2026, 4, 1))
    line = BudgetLine(kind=BudgetLineKind.PAY, name="Area Facilitator", sort_order=1)
    line.posts = [af_post]
    year.budget_lines.append(line)
    db.session.add(year)
    db.session.commit()
    return provider, hr, one_to_one


def _return(provider):
    return build_return(start=START, end=END, provider=provider)


def test_each_measure_against_hand_computed_values(fixture):
    provider, _, _ = fixture
    r = _return(provider)
    v = r.value
    assert (v("headcount", "volunteer"), v("headcount", "co_facilitator"), v("headcount", "employee")) == (2, 1, 1)
    assert v("headcount", "volunteer", "North Kent") == 2 and v("headcount", "employee", "South Kent") == 1
    # A volunteer role is never a contract: Alice's 9.25 expected hours are no contracted FTE.
    assert (v("fte_contracted", "volunteer"), v("fte_contracted", "co_facilitator"),
            v("fte_contracted", "employee")) == (0, 0.5, 1.0)
    # 21 volunteer hours, 6 as a co-facilitator (8 corrected to 6), 15 employed; / (37 x 13) = 481.
    assert (v("fte_used", "volunteer"), v("fte_used", "co_facilitator"), v("fte_used", "employee")) == (
        round(21 / 481, 2), round(6 / 481, 2), round(15 / 481, 2))
    assert v("starters", "volunteer") == 1 and v("starters", "volunteer", "North Kent") == 1
    assert v("leavers", "volunteer") == 1 and v("leavers", "volunteer", "South Kent") == 1
    # Headcount 4 at the start and 4 at the end: 1 leaver / 4 = 25%; South Kent 1 / 1.5.
    assert v("turnover_pct") == 25.0 and v("turnover_pct", area="South Kent") == 66.7
    assert v("turnover_pct", area="North Kent") == 0.0
    assert v("progressions", "volunteer->co_facilitator") == 1
    assert {f.breakdown: f.value for f in r.figures if f.measure == "hours" and f.area == "All"} == {
        "Peer support group": 16, "Workshop": 5, "1:1 family advice": 6, "Preparation and admin": 15}
    assert (v("vacancy_fte", "Parent Volunteer"), v("vacancy_fte", "Parent Co-Facilitator"),
            v("vacancy_fte", "Area Facilitator")) == (0.5, 1.0, 0.0)
    assert v("vacancy_rate_pct") == round(1.5 * 100 / 3.25, 1)
    assert (v("training_compliance_pct"), v("dbs_compliance_pct")) == (100.0, 0.0)
    assert (v("expenses_approved"), v("expenses_paid")) == (30.0, 20.0)
    # Paid as payroll pays it, a twelfth a month: 30,000 x 1.0 FTE / 12 x 3 months x 1.3 = 9,750.00,
    # for both the cost and the pro-rata budget (a year's budget is spent a twelfth a month).
    assert v("pay_cost", "Area Facilitator") == 9750.00 == v("budget", "Area Facilitator")
    # 2 people with and 2 without: suppressed, and so is the share that would give them away.
    assert v("headcount_lived_experience", "yes") is None and v("lived_experience_pct") is None
    assert v("volunteer_hours_value") == round(21 * 12.71, 2)


def test_csv_has_exactly_the_tidy_columns(fixture):
    provider, _, _ = fixture
    rows = list(csv.reader(io.StringIO(to_csv(_return(provider)))))
    assert rows[0] == CSV_COLUMNS == ["period_start", "period_end", "provider", "area", "measure", "breakdown",
                                      "value"]
    assert ["2026-04-01", "2026-06-30", "Fixture CIC", "All", "headcount", "volunteer", "2"] in rows
    assert ["2026-04-01", "2026-06-30", "Fixture CIC", "All", "turnover_pct", "", "25"] in rows
    assert not [row for row in rows if row[4] == "headcount_lived_experience"]  # suppressed cells left out
    for row in rows[1:]:
        float(row[6])  # every value a plain number


def test_xlsx_and_pdf_carry_the_same_totals(fixture, app):
    provider, _, _ = fixture
    r = _return(provider)
    book = load_workbook(io.BytesIO(to_xlsx(r)))
    assert book.sheetnames == ["Summary", "Workforce", "Posts and vacancies", "Hours", "Training and checks", "Money",
                               "Recruitment", "Equality", "Delivery", "Definitions", "Tidy"]
    money = {(row[0], row[1], row[2]): row[3] for row in book["Money"].iter_rows(min_row=2, values_only=True)}
    assert money[("All", "Pay cost (£)", "Area Facilitator")] == 9750
    tidy = {(row[3], row[4], row[5]): row[6] for row in book["Tidy"].iter_rows(min_row=2, values_only=True)}
    assert tidy[("All", "pay_cost", "Area Facilitator")] == 9750  # the analysts' sheet keeps its codes
    hours = {(row[0], row[2]): row[3] for row in book["Hours"].iter_rows(min_row=2, values_only=True)}
    assert hours[("All", "Peer support group")] == 16
    with app.test_request_context():
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(r))).pages)
    assert "Workforce return" in text and "Definitions" in text and "9,750" in text and "66.70" in text


def test_a_submitted_return_does_not_change_when_hours_are_corrected(fixture):
    provider, hr, one_to_one = fixture
    first = submit_return(_return(provider), provider=provider, actor=hr, now=NOW)
    db.session.commit()
    correct_entry(one_to_one, correct_minutes=8 * 60, reason="Register checked: it was 8", actor=hr, now=NOW,
                  approve=True)
    db.session.commit()
    assert _return(provider).value("hours", "1:1 family advice") == 8
    frozen = from_submission(db.session.get(ReturnSubmission, first.id))
    assert frozen.value("hours", "1:1 family advice") == 6
    second = submit_return(_return(provider), provider=provider, actor=hr, now=NOW)
    db.session.commit()
    versions = db.session.execute(select(ReturnSubmission.version).where(
        ReturnSubmission.provider_id == provider.id).order_by(ReturnSubmission.version)).scalars().all()
    assert versions == [1, 2] and second.version == 2
    assert from_submission(db.session.get(ReturnSubmission, first.id)).value("hours", "1:1 family advice") == 6


def test_return_pages_and_downloads(fixture, sign_in, client):
    provider, hr, _ = fixture
    sign_in(hr)
    assert client.get("/returns/?from=2026-04-01&to=2026-06-30").status_code == 200
    csv_text = client.get("/returns/return.csv?from=2026-04-01&to=2026-06-30").get_data(as_text=True)
    assert csv_text.splitlines()[0] == ",".join(CSV_COLUMNS)
    response = client.post("/returns/download", data={"from": "2026-04-01", "to": "2026-06-30", "format": "xlsx"})
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    workbook = client.get(f"/jobs/{job_id}/download").data
    assert load_workbook(io.BytesIO(workbook))["Hours"].max_row > 1
    question = client.get("/returns/submit?from=2026-04-01&to=2026-06-30").get_data(as_text=True)
    assert "Submit the workforce return to the council?" in question and "are frozen" in question
    assert db.session.scalar(select(ReturnSubmission).where(ReturnSubmission.provider_id == provider.id)) is None
    response = client.post("/returns/submit", data={"from": "2026-04-01", "to": "2026-06-30"})
    assert response.status_code == 302
    assert db.session.scalar(select(ReturnSubmission).where(ReturnSubmission.provider_id == provider.id))


def test_cli_writes_each_format(fixture, app, tmp_path):
    runner = app.test_cli_runner()
    for fmt in ("csv", "xlsx", "pdf"):
        out = tmp_path / f"return.{fmt}"
        result = runner.invoke(args=["return", "--from", "2026-04-01", "--to", "2026-06-30", "--provider",
                                     "Fixture CIC", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 100
    assert "Fixture CIC,All,headcount,volunteer,2" in (tmp_path / "return.csv").read_text()


def test_a_submitted_return_downloads_as_csv_pdf_and_xlsx_from_its_page(fixture, sign_in, client):
    provider, hr, _ = fixture
    submission = submit_return(_return(provider), provider=provider, actor=hr, now=NOW)
    db.session.commit()
    sign_in(hr)
    page = BeautifulSoup(client.get(f"/returns/submitted/{submission.id}").data, "html.parser")
    forms = {form.find(attrs={"name": "format"})["value"]: {field["name"]: field.get("value") for field in
                                                             form.find_all("input")}
             for form in page.select("form[action='/returns/download']")}
    assert set(forms) == {"pdf", "xlsx"} and forms["pdf"]["submission"] == str(submission.id)
    csv_text = client.get(f"/returns/submitted/{submission.id}?format=csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == ",".join(CSV_COLUMNS)
    files = {}
    for fmt, fields in forms.items():
        response = client.post("/returns/download", data=fields)
        job_id = int(response.headers["Location"].rsplit("/", 1)[1])
        files[fmt] = client.get(f"/jobs/{job_id}/download").data
    assert load_workbook(io.BytesIO(files["xlsx"]))["Hours"].max_row > 1
    assert "Workforce return" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages)


@pytest.mark.parametrize("query,field,message", [
    ("from=2026-02-30&to=2026-06-30", "from", "Enter a real date, like 2026-04-01"),
    ("from=2026-04-01&to=yesterday", "to", "Enter a real date, like 2026-04-01"),
    ("from=2026-06-30&to=2026-04-01", "to", "The end date must be the same as or after the start date"),
])
def test_a_bad_period_is_a_message_on_its_field_not_page_not_found(fixture, sign_in, client, query, field, message):
    _, hr, _ = fixture
    sign_in(hr)
    response = client.get(f"/returns/?{query}")
    assert response.status_code == 200
    soup = page(response)
    assert soup.title.text.startswith("Error: ")
    assert soup.select_one(".govuk-error-summary__list a")["href"] == f"#{field}"
    assert soup.find(id=f"{field}-error").get_text(" ", strip=True) == f"Error: {message}"


def test_the_workbook_summary_breaks_down_by_post_and_grade_and_by_line(fixture):
    """On 30 June: the Area Facilitator full time (1 head, 1.0 FTE), the co-facilitator half time; the
    Area Facilitator line cost £9,750.00 against a pro-rata budget of £9,750.00."""
    provider, _, _ = fixture
    r = _return(provider)
    summary = list(load_workbook(io.BytesIO(to_xlsx(r)))["Summary"].iter_rows(values_only=True))
    posts = {row[0]: row[1:3] for row in summary if row and isinstance(row[0], str) and row[0].endswith(")")}
    facilitator = next(label for label in posts if label.startswith("Area Facilitator ("))
    assert posts[facilitator] == (1, 1.0)
    cofac = next(label for label in posts if label.startswith("Parent Co-Facilitator ("))
    assert posts[cofac] == (1, 0.5)
    assert r.value("headcount_by_post", facilitator) == 1 and r.value("fte_by_post", cofac) == 0.5
    lines = {row[0]: row[1:4] for row in summary if row and row[0] == "Area Facilitator"}
    assert lines["Area Facilitator"] == (9750, 9750, 0)


def test_the_expenses_and_their_cost_are_read_once_and_agree(fixture):
    """The return's expenses and its volunteer-expenses line's cost come from one query over the
    expense lines (two before), and are the same pounds."""
    from sqlalchemy import event

    from app.returns.services import _build_return

    provider, _, _ = fixture
    year = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == provider.id))
    year.budget_lines.append(BudgetLine(kind=BudgetLineKind.VOLUNTEER_EXPENSES, name="Volunteer expenses",
                                        amount_pence=50_000, sort_order=2))
    db.session.commit()
    statements = []

    def seen(_connection, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        r = _build_return(start=START, end=END, provider=None)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert sum("FROM expense_line" in s for s in statements) == 1
    assert r.value("non_pay_cost", "Volunteer expenses") == r.value("expenses_approved") == 30.0
