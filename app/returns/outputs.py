"""The return as CSV, XLSX (openpyxl) and PDF (WeasyPrint), all from the same figures."""

import io

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.budget.charts import bar_chart
from app.exports import csv_writer, safe_cell

from .measures import DEFINITIONS
from .services import ALL, SECTIONS, WorkforceReturn
from .words import MONEY, STAGES, breakdown_label, measure_label

CSV_COLUMNS = ["period_start", "period_end", "provider", "area", "measure", "breakdown", "value"]


def to_csv(ret: WorkforceReturn) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(ret.rows())
    return buffer.getvalue()


POUNDS = '"£"#,##0.00'
NUMBER = "#,##0.##"


def _format(measure: str) -> str:
    return POUNDS if measure in MONEY else ("0.0" if measure.endswith("_pct") else NUMBER)


def _table(sheet, header: list[str], rows: list[list], formats: list[str | None], widths: list[int]) -> None:
    """A sheet for people: a bold, frozen header row with filters, set widths, numbers formatted."""
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
            if number_format and isinstance(cell.value, int | float):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _summary(book: Workbook, ret: WorkforceReturn) -> None:
    sheet = book.active
    sheet.title = "Summary"
    sheet.append([f"Workforce return: {ret.provider}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{ret.start:%-d %B %Y} to {ret.end:%-d %B %Y}"])
    sheet.append([])
    sheet.append(["People", "Headcount", "Contracted FTE", "FTE used"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for code, stage in STAGES.items():
        sheet.append([stage, ret.value("headcount", code) or 0, ret.value("fte_contracted", code) or 0,
                      ret.value("fte_used", code) or 0])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = NUMBER
    sheet.append([])
    _by_post(sheet, ret)
    _by_line(sheet, ret)
    cost = sum(ret.value(m, line) or 0 for m in ("pay_cost", "non_pay_cost")
               for line in {f.breakdown for f in ret.figures if f.measure == m and f.area == ALL})
    budget = sum(f.value or 0 for f in ret.figures if f.measure == "budget" and f.area == ALL)
    sheet.append(["Money", "£"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for label, value in (("Cost (pay and non-pay)", cost), ("Budget for the period", budget),
                         ("Under (+) or over (-) budget", budget - cost),
                         ("Expenses approved", ret.value("expenses_approved") or 0),
                         ("Value of volunteer hours", ret.value("volunteer_hours_value") or 0)):
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 2).number_format = POUNDS
    sheet.append([])
    sheet.append(["Delivery", "Sessions delivered", "Sessions planned", "Families reached", "Families planned"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for kind in sorted({f.breakdown for f in ret.figures if f.measure == "sessions_planned" and f.area == ALL}):
        sheet.append([breakdown_label("sessions_planned", kind)] + [
            ret.value(m, kind) or 0 for m in ("sessions_delivered", "sessions_planned", "families_reached",
                                              "families_planned")])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = NUMBER
    for column, width in zip("ABCDE", (34, 18, 18, 18, 18), strict=True):
        sheet.column_dimensions[column].width = width


def _by_post(sheet, ret: WorkforceReturn) -> None:
    """Headcount and contracted FTE by post and grade."""
    _heading_row(sheet, ["Posts and grades", "Headcount", "Contracted FTE"])
    for post in sorted({f.breakdown for f in ret.figures if f.measure == "headcount_by_post" and f.area == ALL}):
        sheet.append([safe_cell(post), ret.value("headcount_by_post", post) or 0, ret.value("fte_by_post", post) or 0])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = NUMBER
    sheet.append([])


def _by_line(sheet, ret: WorkforceReturn) -> None:
    """Each budget line's cost against its budget for the period."""
    _heading_row(sheet, ["Budget line", "Cost", "Budget for the period", "Under (+) or over (-)"])
    lines = {f.breakdown for f in ret.figures if f.measure in ("pay_cost", "non_pay_cost", "budget") and f.area == ALL}
    for line in sorted(lines):
        spent = (ret.value("pay_cost", line) or 0) + (ret.value("non_pay_cost", line) or 0)
        budgeted = ret.value("budget", line) or 0
        sheet.append([safe_cell(line), spent, budgeted, round(budgeted - spent, 2)])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = POUNDS
    sheet.append([])


def _heading_row(sheet, labels: list[str]) -> None:
    sheet.append(labels)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def to_xlsx(ret: WorkforceReturn) -> bytes:
    """A summary, one sheet per section in words, the definitions, and the tidy sheet for analysts."""
    book = Workbook()
    _summary(book, ret)
    for title in SECTIONS:
        rows = [[safe_cell(f.area), measure_label(f.measure), safe_cell(breakdown_label(f.measure, f.breakdown)),
                 f.value if f.value is not None else "fewer than 5"] for f in ret.section(title)]
        sheet = book.create_sheet(title[:31])
        _table(sheet, ["Area", "Measure", "Breakdown", "Value"], rows, [None, None, None, None], [18, 34, 38, 16])
        for row, figure in zip(sheet.iter_rows(min_row=2), ret.section(title), strict=True):
            if isinstance(row[3].value, int | float):
                row[3].number_format = _format(figure.measure)
    _table(book.create_sheet("Definitions"), ["Measure", "Definition"],
           [[measure_label(m), text] for m, text in DEFINITIONS.items()], [None, None], [34, 120])
    # Analysts' scripts read this sheet: its columns and measure codes never change.
    _table(book.create_sheet("Tidy"), CSV_COLUMNS, [[safe_cell(v) if isinstance(v, str) else v for v in row]
                                                     for row in ret.rows()], [None] * 7, [12, 12, 30, 18, 26, 30, 12])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def charts(ret: WorkforceReturn) -> dict:
    areas = [a for a in ret.areas() if a != ALL]
    stages = ["volunteer", "co_facilitator", "employee"]
    headcount = {stage: [ret.value("headcount", stage, area) or 0 for area in areas] for stage in stages}
    activities = sorted({f.breakdown for f in ret.figures if f.measure == "hours" and f.area == ALL})
    return {
        "headcount": bar_chart(areas, {s.replace("_", "-").capitalize(): v for s, v in headcount.items()},
                               "Headcount by stage and area", "People"),
        "hours": bar_chart(activities, {"Hours": [ret.value("hours", a) or 0 for a in activities]},
                           "Approved hours by activity", "Hours", horizontal=True),
    }


def to_pdf(ret: WorkforceReturn) -> bytes:
    html = render_template("returns/return_pdf.html", ret=ret, sections=SECTIONS, definitions=DEFINITIONS,
                           charts=charts(ret), ALL=ALL)
    from weasyprint import HTML  # lazy: a heavy library, loaded when a PDF is written
    from weasyprint.urls import URLFetcher  # lazy: as above

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
