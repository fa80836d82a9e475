"""The return for people is in words: every page of it, its PDF, the XLSX sheets meant for
people and the change history show no measure code or model name. Every measure is present
even when it is zero. The tidy CSV keeps its documented columns and codes exactly."""

import io
import re
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from app.extensions import db
from app.models.auth import Role
from app.returns.measures import DEFINITIONS
from app.returns.outputs import CSV_COLUMNS, to_csv, to_pdf, to_xlsx
from app.returns.services import SECTIONS, build_return

from ..factories import make_hours

# Codes as they would leak: a measure code, a stage code, a model's class name with an id.
CODES = re.compile(r"\b(" + "|".join(sorted((m for m in DEFINITIONS if "_" in m), key=len, reverse=True))
                   + r"|co_facilitator|not_recorded|HoursEntry|ExpenseClaim|ExpenseLine|StageChange|ReturnSubmission"
                   + r"|Person \d+|User \d+)\b")


def _return(world):
    make_hours(world.me, worked_on=date(2026, 5, 5), hours="3", status="approved")
    db.session.commit()
    return build_return(start=date(2026, 4, 1), end=date(2026, 6, 30), provider=world.provider)


def test_the_return_page_pdf_and_people_sheets_have_no_codes(world, sign_in, app):
    ret = _return(world)
    client = sign_in(world.user(Role.HR))
    page = client.get("/returns/?from=2026-04-01&to=2026-06-30").get_data(as_text=True)
    main = page[page.index("<main"):page.index("</main>")]
    assert CODES.findall(re.sub(r"<[^>]+>", " ", main)) == []
    assert "Contracted FTE" in main and "Co-facilitator" in main
    with app.test_request_context():
        pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(ret))).pages)
    assert CODES.findall(pdf) == [] and "Contracted FTE" in pdf
    book = load_workbook(io.BytesIO(to_xlsx(ret)))
    for sheet in book.sheetnames:
        if sheet == "Tidy":
            continue
        text = " ".join(str(v) for row in book[sheet].iter_rows(values_only=True) for v in row if v is not None)
        assert CODES.findall(text) == [], sheet
    assert book["Workforce"].freeze_panes == "A2" and book["Workforce"].auto_filter.ref
    money = book["Money"]
    assert any(cell.number_format.startswith('"£"') for row in money.iter_rows(min_row=2) for cell in row)


def test_the_change_history_is_in_words(world, sign_in):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    client.post(f"/hours/{world.entry.id}/reject", data={"reason": "Wrong day"})
    client.post("/sign-out")
    hr = sign_in(world.user(Role.HR))
    for url in ("/audit", f"/hours/{world.entry.id}", f"/expenses/{world.claim.id}"):
        page = hr.get(url).get_data(as_text=True)
        main = re.sub(r"<[^>]+>", " ", page[page.index("<main"):page.index("</main>")])
        assert CODES.findall(main) == [], url


def test_every_measure_is_present_even_when_zero(world, app):
    ret = build_return(start=date(2030, 4, 1), end=date(2030, 6, 30), provider=world.other_provider)
    measures = {f.measure for f in ret.figures}
    wanted = {m for ms in SECTIONS.values() for m in ms if not m.endswith("_pct")
              and m not in ("headcount_lived_experience", "hours_per_family")}
    assert wanted <= measures
    assert ret.value("starters", "co_facilitator") == 0
    tidy = to_csv(ret).splitlines()
    assert tidy[0] == ",".join(CSV_COLUMNS)
    assert any(",starters,co_facilitator,0" in line for line in tidy)  # codes kept, zero present
    workforce = list(load_workbook(io.BytesIO(to_xlsx(ret)))["Workforce"].iter_rows(values_only=True))
    assert ("All", "Starters", "Co-facilitator", 0) in workforce
    with app.test_request_context():
        pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(ret))).pages)
    assert "Starters" in pdf and "Programmes started" in pdf


def test_leaving_reasons_are_named_with_one_query_however_many_rows(world, app):
    from sqlalchemy import event

    from app.returns.words import breakdown_label

    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context():
            labels = [breakdown_label("leavers_by_reason", code) for code in ("paid_work", "health", "moved",
                                                                              "not_recorded", "other")]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert labels == ["Paid work elsewhere", "Health", "Moved away", "Not recorded", "Other"]
    assert len([s for s in statements if "leaving_reason" in s]) == 1
