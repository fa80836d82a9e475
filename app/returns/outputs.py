"""The return as CSV, XLSX (openpyxl) and PDF (WeasyPrint), all from the same figures."""

import io

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Font
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from app.budget.charts import bar_chart
from app.exports import csv_writer, safe_cell

from .measures import DEFINITIONS
from .services import ALL, SECTIONS, WorkforceReturn

CSV_COLUMNS = ["period_start", "period_end", "provider", "area", "measure", "breakdown", "value"]


def to_csv(ret: WorkforceReturn) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(ret.rows())
    return buffer.getvalue()


def to_xlsx(ret: WorkforceReturn) -> bytes:
    """One sheet per section, plus the definitions."""
    book = Workbook()
    about = book.active
    about.title = "About"
    about.append(["Workforce return", safe_cell(ret.provider)])
    about.append(["Period", f"{ret.start.isoformat()} to {ret.end.isoformat()}"])
    about.append([])
    about.append(["Measure", "Definition"])
    for measure, definition in DEFINITIONS.items():
        about.append([measure, definition])
    for title, _measures in SECTIONS.items():
        sheet = book.create_sheet(title[:31])
        sheet.append(["area", "measure", "breakdown", "value"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for figure in ret.section(title):
            sheet.append([safe_cell(figure.area), figure.measure, safe_cell(figure.breakdown),
                          figure.value if figure.value is not None else "fewer than 5"])
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 28
        sheet.column_dimensions["C"].width = 34
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
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
