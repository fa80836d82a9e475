"""Importing the payroll bureau's monthly report: person_ref, pay_period, gross_pay, employer_ni,
employer_pension. The bureau's own column names are read through the provider's saved map, and
its other columns (tax, the employee's NI and so on) are left out. All rows or none."""

import csv
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, tuple_

from app.extensions import db
from app.formatting import long_date
from app.models.payroll import PAYROLL_FIELDS, PayrollColumns, PayrollLine
from app.models.people import Person, Provider

from .csvfile import ImportFailed, ImportReport, read_rows
from .services import _audit_import, _date

PAYROLL_COLUMNS = list(PAYROLL_FIELDS)
MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), start=1)}


def pay_period(value: str) -> date | None:
    """The month a pay period names, as its first day: 2027-02, 02/2027, February 2027, Feb 2027,
    or any date in the month."""
    value = (value or "").strip().lower()
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", value):
        month, year = int(match.group(1)), int(match.group(2))
    elif match := re.fullmatch(r"([a-z]+)[ -](\d{2}|\d{4})", value):
        names = [n for n in MONTHS if len(match.group(1)) >= 3 and n.startswith(match.group(1))]
        if len(names) != 1:
            return None
        month, year = MONTHS[names[0]], int(match.group(2)) + (2000 if len(match.group(2)) == 2 else 0)
    else:
        day = _date(value)
        return date(day.year, day.month, 1) if day else None
    return date(year, month, 1) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def money_pence(value: str) -> int | None:
    """Pence in an amount as payroll prints it: 1,234.56, £1234.56, -12.00 or (12.00)."""
    text = (value or "").strip().replace("£", "").replace(",", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    try:
        amount = Decimal(text.strip("()"))
    except InvalidOperation:
        return None
    if not amount.is_finite() or abs(amount) >= 10_000_000 or amount != amount.quantize(Decimal("0.01")):
        return None
    return int(amount * 100) * (-1 if negative else 1)


def with_pathway_columns(text: str, columns: PayrollColumns | None) -> str:
    """The report with the bureau's column names turned into Pathway's (through the saved map)
    and every other column left out. A file that already uses Pathway's names reads as it is."""
    text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline="")))
    if not rows:
        return text
    names = {bureau: field for field, bureau in (columns.mapping() if columns else {}).items()}
    header = [h.strip().lower() for h in rows[0]]
    header = [names.get(h, h) for h in header]
    keep = [i for i, h in enumerate(header) if h in PAYROLL_FIELDS]
    if not keep:
        return text  # nothing recognised: let the reader say which columns it wants
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header[i] for i in keep])
    for row in rows[1:]:
        writer.writerow([row[i] if i < len(row) else "" for i in keep] if any(v.strip() for v in row) else [])
    return out.getvalue()


def import_payroll(text: str, *, provider: Provider, actor, today: date, **_) -> ImportReport:
    """Add a month's (or several months') payroll lines from the bureau's report; all or nothing.

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("payroll")
    rows = read_rows(with_pathway_columns(text, db.session.get(PayrollColumns, provider.id)), PAYROLL_COLUMNS,
                     report)
    if report.errors and report.errors[0][0] == 1:
        report.error(1, "If your payroll names these columns differently, tell Pathway its names once under "
                        "'Payroll columns' on the import page")
    people = dict(db.session.execute(select(Person.ref, Person.id).where(Person.provider_id == provider.id)).all())
    this_month = date(today.year, today.month, 1)
    parsed, seen = [], {}
    for line, row in rows:
        person_id, period = people.get(row["person_ref"]), pay_period(row["pay_period"])
        amounts = {field: money_pence(row[field]) for field in ("gross_pay", "employer_ni", "employer_pension")}
        problems = [message for failed, message in (
            (person_id is None, f"person_ref {row['person_ref']!r} is not a person at this provider"),
            (period is None, f"pay_period {row['pay_period']!r} is not a month like 2027-02 or February 2027"),
            (period is not None and period > this_month, "pay_period is a month still to come"),
            *((amounts[field] is None, f"{field} {row[field]!r} is not an amount of money like 1,234.56")
              for field in amounts),
            ((person_id, period) in seen, f"this person's {period and f'{period:%B %Y}'} pay is on line "
                                          f"{seen.get((person_id, period))} too"),
        ) if failed]
        for problem in problems:
            report.error(line, problem)
        if not problems:
            seen[(person_id, period)] = line
            parsed.append((line, person_id, period, amounts))
    _refuse_months_already_imported(parsed, report)
    if not report.ok:
        raise ImportFailed(report)
    for _line, person_id, period, amounts in parsed:
        db.session.add(PayrollLine(provider_id=provider.id, person_id=person_id, period=period,
                                   gross_pence=amounts["gross_pay"], employer_ni_pence=amounts["employer_ni"],
                                   employer_pension_pence=amounts["employer_pension"]))
    report.created = len(parsed)
    _audit_import(actor, provider, report)
    return report


def _refuse_months_already_imported(parsed: list, report: ImportReport) -> None:
    """A person's month imported once is never overwritten: undo that import to bring in a corrected one."""
    if not parsed:
        return
    keys = [(person_id, period) for _line, person_id, period, _ in parsed]
    already = {(person_id, period): when for person_id, period, when in db.session.execute(
        select(PayrollLine.person_id, PayrollLine.period, PayrollLine.created_at)
        .where(tuple_(PayrollLine.person_id, PayrollLine.period).in_(keys)))}
    for line, person_id, period, _ in parsed:
        if (person_id, period) in already:
            report.error(line, f"this person's {period:%B %Y} pay was imported on "
                               f"{long_date(already[(person_id, period)])}: undo that import to bring in a "
                               "corrected report")
