"""Imports: a good file lands whole; any bad row and nothing is written."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.imports.csvfile import ImportFailed
from app.imports.services import import_hours, import_people
from app.models.auth import Role
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person, Stage

from ..conftest import page

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, tzinfo=UTC)
HEADER = "person_ref,date,hours,activity,area,status\n"


def _counts():
    return (db.session.scalar(select(func.count(Person.id))),
            db.session.scalar(select(func.count(HoursEntry.id))))


def _hours(world, text):
    return import_hours(text, provider=world.provider, actor=world.user(Role.HR), today=TODAY, now=NOW)


def test_good_hours_file(world):
    ref = world.me.ref
    report = _hours(world, HEADER + f"{ref},2026-11-02,2.5,peer SUPPORT group,north kent,approved\n"
                                    f"{ref},2026-11-03,1,Workshop,North Kent,submitted\n")
    assert report.created == 2
    rows = db.session.execute(select(HoursEntry.worked_on, HoursEntry.minutes, HoursEntry.status)
                              .where(HoursEntry.worked_on >= date(2026, 11, 1))
                              .order_by(HoursEntry.worked_on)).all()
    assert rows == [(date(2026, 11, 2), 150, HoursStatus.APPROVED),
                    (date(2026, 11, 3), 60, HoursStatus.SUBMITTED)]


@pytest.mark.parametrize("row,line,message", [
    ("NOPE,2026-11-02,2,Workshop,North Kent,approved", 3,
     "person_ref 'NOPE' is not a person at this provider"),
    ("{ref},31/02/2026,2,Workshop,North Kent,approved", 3,
     "date '31/02/2026' is not a date like 01/04/2026 or 2026-04-01"),
    ("{ref},2026-11-02,-2,Workshop,North Kent,approved", 3,
     "hours '-2' must be a number more than 0 and no more than 24, like 1.5 or 7.4"),
    ("{ref},2026-11-02,2,Knitting,North Kent,approved", 3,
     "activity 'Knitting' is not one of the activities in Pathway"),
    ("{ref},2026-11-02,2,Workshop,Mars,approved", 3, "area 'Mars' is not one of the areas in Pathway"),
    ("{ref},2026-11-02,2,Workshop,North Kent,paid", 3, "status must be submitted or approved"),
    ("{ref},2027-01-01,2,Workshop,North Kent,approved", 3, "date: The date you worked must be today or in the past"),
    ("{stranger},2026-11-02,2,Workshop,North Kent,approved", 3,
     "person_ref '{stranger}' is not a person at this provider"),
])
def test_each_bad_hours_row_is_reported_and_nothing_is_written(world, row, line, message):
    refs = {"ref": world.me.ref, "stranger": world.stranger.ref}
    before = _counts()
    text = HEADER + f"{world.me.ref},2026-11-01,1,Workshop,North Kent,approved\n" + row.format(**refs) + "\n"
    with pytest.raises(ImportFailed) as failed:
        _hours(world, text)
    assert failed.value.report.errors == [(line, message.format(**refs))]
    assert _counts() == before


@pytest.mark.parametrize("header,message", [
    ("person_ref,date,hours,activity,area,status,status", "Column status appears more than once"),
    ("person_ref,date,hours,activity,area,status,colour",
     "Unexpected column colour. The columns are: person_ref,date,hours,activity,area,status"),
    ("person_ref,date,hours,activity,area",
     "Missing column status. The columns are: person_ref,date,hours,activity,area,status"),
])
def test_wrong_columns_are_refused(world, header, message):
    before = _counts()
    with pytest.raises(ImportFailed) as failed:
        _hours(world, header + "\n" + f"{world.me.ref},2026-11-02,2,Workshop,North Kent,approved\n")
    assert (1, message) in failed.value.report.errors
    assert _counts() == before


def test_more_than_24_hours_on_a_day_across_rows(world):
    row = f"{world.me.ref},2026-11-02,10,Workshop,North Kent,approved\n"
    text = HEADER + row * 3
    with pytest.raises(ImportFailed) as failed:
        _hours(world, text)
    assert failed.value.report.errors == [
        (4, "hours: That would be more than 24 hours on one day. You can add up to 4 more")]


PEOPLE_HEADER = "person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"


def test_good_people_file(world):
    report = import_people(PEOPLE_HEADER + "KP001,Ada,Lovelace,ada@example.org,North Kent,co_facilitator,"
                           "2025-01-06,,yes\nKP002,Bo,Peep,,south kent,volunteer,2024-02-01,2025-03-31,no\n",
                           provider=world.provider, actor=world.user(Role.HR), today=TODAY)
    assert report.created == 2
    ada = db.session.scalar(select(Person).where(Person.ref == "KP001"))
    assert (ada.stage, ada.area.name, ada.has_lived_experience) == (Stage.CO_FACILITATOR, "North Kent", True)
    assert [c.to_stage for c in ada.stage_changes] == [Stage.CO_FACILITATOR]


def test_bad_people_rows_write_nothing(world):
    before = _counts()
    text = PEOPLE_HEADER + (f"{world.me.ref},A,B,,North Kent,volunteer,2025-01-01,,yes\n"
                            "X1,,B,not-an-email,Nowhere,boss,2025-13-01,,maybe\n")
    with pytest.raises(ImportFailed) as failed:
        import_people(text, provider=world.provider, actor=None, today=TODAY)
    errors = failed.value.report.errors
    assert (2, f"person_ref {world.me.ref} is already in use") in errors
    assert {line for line, _ in errors} == {2, 3}
    assert len([e for e in errors if e[0] == 3]) == 6
    assert _counts() == before


def test_cli_import_reports_line_numbers_and_exits_non_zero(world, app, tmp_path):
    bad = tmp_path / "hours.csv"
    bad.write_text(HEADER + "NOPE,2026-11-02,2,Workshop,North Kent,approved\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "hours", str(bad), "--provider", "Provider A"])
    assert result.exit_code == 1
    assert "line 2: person_ref 'NOPE' is not a person at this provider" in result.output
    good = tmp_path / "good.csv"
    good.write_text(HEADER + f"{world.me.ref},2026-11-02,2,Workshop,North Kent,approved\n")
    result = runner.invoke(args=["import", "hours", str(good), "--provider", "provider a"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 hours rows into Provider A" in result.output
    result = runner.invoke(args=["import", "hours", str(good)])
    assert result.exit_code == 2 and "more than one provider" in result.output


def test_upload_page_shows_the_report(world, sign_in):
    client = sign_in(world.user(Role.HR))
    before = _counts()
    bad = f"{HEADER}NOPE,2026-11-02,2,Workshop,North Kent,approved\n".encode()
    response = client.post("/imports/", data={"kind": "hours", "file": (io.BytesIO(bad), "hours.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    cells = [td.get_text(strip=True) for td in page(response).select("tbody td")]
    assert cells == ["2", "person_ref 'NOPE' is not a person at this provider"]
    assert _counts() == before
    good = f"{HEADER}{world.me.ref},2026-11-02,2,Workshop,North Kent,approved\n".encode()
    response = client.post("/imports/", data={"kind": "hours", "file": (io.BytesIO(good), "hours.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert _counts()[1] == before[1] + 1


EXPENSES_HEADER = "person_ref,date,category,amount,miles,vehicle,status\n"


def _expenses(world, text):
    from app.imports.expenses import import_expenses

    return import_expenses(text, provider=world.provider, actor=world.user(Role.HR), today=TODAY, now=NOW)


def test_good_expenses_file_prices_mileage_and_marks_no_receipt(world):
    from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine

    report = _expenses(world, EXPENSES_HEADER + f"{world.me.ref},2026-05-01,parking,3.50,,,paid\n"
                                                f"{world.me.ref},2026-05-02,Mileage,,10,car,approved\n")
    assert report.created == 2
    lines = db.session.execute(
        select(ExpenseLine.amount_pence, ExpenseLine.imported_without_receipt, ExpenseClaim.status)
        .join(ExpenseClaim).where(ExpenseLine.spent_on >= date(2026, 5, 1))
        .order_by(ExpenseLine.spent_on)).all()
    assert lines == [(350, True, ClaimStatus.PAID), (450, True, ClaimStatus.APPROVED)]


@pytest.mark.parametrize("row,message", [
    ("NOPE,2026-05-01,Parking,3.50,,,paid", "person_ref 'NOPE' is not a person at this provider"),
    ("{ref},2026-05-01,Parking,-3,,,paid", "amount '-3' must be between 0.01 and 1000, in pounds and pence"),
    ("{ref},2026-05-01,Mileage,,10,rocket,paid", "vehicle must be car, motorcycle, bicycle or passenger"),
    ("{ref},2026-05-01,Mileage,4.50,10,car,paid",
     "amount must be empty for mileage: it is worked out from the miles"),
    ("{ref},2026-05-01,Snacks,3,,,paid", "category 'Snacks' is not one of the categories in Pathway"),
    ("{ref},yesterday,Parking,3,,,paid", "date 'yesterday' is not a date like 01/04/2026 or 2026-04-01"),
])
def test_bad_expense_rows_write_nothing(world, row, message):
    from app.models.expenses import ExpenseLine

    before = db.session.scalar(select(func.count(ExpenseLine.id)))
    with pytest.raises(ImportFailed) as failed:
        _expenses(world, EXPENSES_HEADER + row.format(ref=world.me.ref) + "\n")
    assert failed.value.report.errors == [(2, message)]
    assert db.session.scalar(select(func.count(ExpenseLine.id))) == before


TRAINING_HEADER = "person_ref,course,completed_on\n"


def test_good_training_file_issues_certificates(world):
    from app.imports.training import import_training
    from app.models.certificates import Certificate
    from app.models.training import TrainingRecord

    report = import_training(TRAINING_HEADER + f"{world.neighbour.ref},SAFEGUARDING children (level 1),2026-03-02\n",
                             provider=world.provider, actor=world.user(Role.HR), today=TODAY)
    assert report.created == 1
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.person_id == world.neighbour.id))
    assert (record.completed_on, record.expires_on) == (date(2026, 3, 2), date(2027, 3, 2))
    assert db.session.scalar(select(Certificate).where(Certificate.training_record_id == record.id))


@pytest.mark.parametrize("row,message", [
    ("NOPE,Safeguarding children (level 1),2026-03-02", "person_ref 'NOPE' is not a person at this provider"),
    ("{ref},Basket weaving,2026-03-02", "course 'Basket weaving' is not a course in Pathway"),
    ("{ref},Safeguarding children (level 1),2 March 2026",
     "completed_on '2 March 2026' is not a date like 01/04/2026 or 2026-04-01"),
    ("{ref},Safeguarding children (level 1),2027-03-02", "completed_on is in the future"),
])
def test_bad_training_rows_write_nothing(world, row, message):
    from app.imports.training import import_training
    from app.models.training import TrainingRecord

    before = db.session.scalar(select(func.count(TrainingRecord.id)))
    text = TRAINING_HEADER + f"{world.neighbour.ref},Safeguarding children (level 1),2026-03-01\n" + \
        row.format(ref=world.neighbour.ref) + "\n"
    with pytest.raises(ImportFailed) as failed:
        import_training(text, provider=world.provider, actor=None, today=TODAY)
    assert failed.value.report.errors == [(3, message)]
    assert db.session.scalar(select(func.count(TrainingRecord.id))) == before


@pytest.mark.parametrize("text", [HEADER + "\r0", HEADER + 'a,"b\x00c",1,2,3,4\n', HEADER + '"unclosed,1,2,3,4,5\n'])
def test_unreadable_csv_is_a_clear_error_not_a_crash(world, text):
    before = _counts()
    with pytest.raises(ImportFailed) as failed:
        _hours(world, text)
    assert failed.value.report.errors
    assert _counts() == before


def test_uk_dates_and_any_letter_case_are_understood(world, sign_in):
    client = sign_in(world.user(Role.HR))
    data = (b"person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"
            b",Ada,Lovelace,,NORTH KENT,Co-Facilitator,05/10/2026,,YES\n"
            b",Alan,Turing,,north kent,Parent Volunteer,6.10.2026,,no\n")
    response = client.post("/imports/", data={"kind": "people", "file": (io.BytesIO(data), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, [td.get_text() for td in page(response).select("td")]
    ada = db.session.scalar(select(Person).where(Person.last_name == "Lovelace"))
    assert (ada.stage, ada.joined_on, ada.area_id, ada.has_lived_experience) == (
        Stage.CO_FACILITATOR, date(2026, 10, 5), world.north.id, True)
    assert db.session.scalar(select(Person.joined_on).where(Person.last_name == "Turing")) == date(2026, 10, 6)
    # After success: what was created, with the new references for the next file.
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 people rows imported" in after and ada.ref in after and "Ada Lovelace" in after
    refs = client.get("/imports/new-people.csv").get_data(as_text=True).splitlines()
    assert refs[0] == "person_ref,first_name,last_name" and f"{ada.ref},Ada,Lovelace" in refs


def test_an_xlsx_upload_imports_like_its_csv(world, sign_in):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["person_ref", "first_name", "last_name", "email", "area", "stage", "joined_on", "left_on",
                        "lived_experience"])
    book.active.append([None, "Grace", "Hopper", None, "North Kent", "volunteer", date(2026, 10, 7), None, "no"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = sign_in(world.user(Role.HR))
    response = client.post("/imports/", data={"kind": "people", "file": (io.BytesIO(buffer.getvalue()), "p.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(Person.joined_on).where(Person.last_name == "Hopper")) == date(2026, 10, 7)


@pytest.mark.parametrize("kind", ["people", "hours", "posts", "contracts", "checks", "expenses", "training",
                                  "sessions"])
def test_each_import_has_a_template_with_its_columns_and_an_example(world, sign_in, kind):
    from app.imports.routes import KINDS

    client = sign_in(world.user(Role.HR))
    response = client.get(f"/imports/template/{kind}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert "attachment" in response.headers["Content-Disposition"]
    assert rows[0] == KINDS[kind][1] and len(rows) == 2 and len(rows[1]) == len(rows[0])
