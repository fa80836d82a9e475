"""Reading an import CSV: exact columns, rows with their line numbers."""

import csv
import io
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Rows left out on purpose (a probable duplicate of someone already there), with why.
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFailed(Exception):
    def __init__(self, report: ImportReport):
        super().__init__(f"{len(report.errors)} problems")
        self.report = report


def read_rows(text: str, columns: list[str], report: ImportReport,
              optional: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    """Rows as (line number, {column: stripped value}); every problem goes in the report.
    ``optional`` columns may be left out of the file (they read as empty)."""
    try:
        return _read_rows(text, columns, report, optional)
    except csv.Error as error:
        report.error(report.errors[-1][0] if report.errors else 1,
                     f"The file is not a CSV file Pathway can read ({error}). Save it as CSV (UTF-8) and try again")
        return []


def _refuse_nul(text: str, report: ImportReport) -> bool:
    """No database text column may hold a NUL byte (PostgreSQL refuses one): say where it is."""
    if "\x00" not in text:
        return False
    line = text[:text.index("\x00")].count("\n") + 1
    report.error(line, "This line holds a character that cannot be stored (a NUL byte). "
                       "Save the file again as CSV (UTF-8) and try again")
    return True


def _header_ok(header: list[str], columns: list[str], report: ImportReport, optional: tuple[str, ...] = ()) -> bool:
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        report.error(1, f"Column {', '.join(duplicates)} appears more than once")
    extra = [h for h in header if h not in columns and h not in optional]
    missing = [c for c in columns if c not in header]
    if extra:
        report.error(1, f"Unexpected column {', '.join(extra)}. The columns are: {','.join(columns)}"
                        + (f" (and, if you have them, {','.join(optional)})" if optional else ""))
    if missing:
        report.error(1, f"Missing column {', '.join(missing)}. The columns are: {','.join(columns)}")
    return report.ok


def _read_rows(text: str, columns: list[str], report: ImportReport,
               optional: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")  # Excel's BOM; any line endings
    if _refuse_nul(text, report):
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        report.error(1, "The file is empty. The first line must be the column names")
        return []
    header = [h.strip().lower() for h in header]
    if not _header_ok(header, columns, report, optional):
        return []
    blanks = {column: "" for column in optional if column not in header}
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            report.error(number, f"Expected {len(header)} values but found {len(values)}")
            continue
        rows.append((number, {**blanks, **{h: v.strip() for h, v in zip(header, values, strict=True)}}))
    if not rows and report.ok:
        report.error(2, "The file has column names but no rows")
    return rows


@dataclass(frozen=True)
class Limits:
    """How big an import may be: checked before the file is read whole."""
    file_bytes: int = 10 * 1024 * 1024
    rows: int = 100_000
    unzipped_bytes: int = 100 * 1024 * 1024


LIMITS = Limits()
NO_LIMITS = Limits(file_bytes=2**62, rows=2**62, unzipped_bytes=2**62)


class TooBig(ValueError):
    """The file is past a limit; args[0] says which, in words."""


def check_size(data: bytes, limits: Limits = LIMITS) -> None:
    """:raises TooBig: for a file past the size limit."""
    if len(data) > limits.file_bytes:
        raise TooBig(f"The file is {len(data) / 1024 / 1024:.1f} MB: an import can be up to "
                     f"{limits.file_bytes // 1024 // 1024} MB. Split it into smaller files")


def xlsx_as_csv(data: bytes, limits: Limits = LIMITS) -> str | None:
    """An Excel workbook's first sheet as CSV text (dates as 2026-04-01), or None if it is not one.
    Its size unzipped is checked before anything is read, and its rows are counted as they stream
    in: a small file that unzips to millions of rows is refused in seconds, in little memory.

    :raises TooBig: past a limit.
    """
    import zipfile
    from datetime import date, datetime

    from openpyxl import load_workbook

    check_size(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > limits.unzipped_bytes:
            raise TooBig(f"The workbook unzips to {unzipped / 1024 / 1024:.0f} MB: an import can be up to "
                         f"{limits.unzipped_bytes // 1024 // 1024} MB unzipped. Split it into smaller files")
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _count_rows(archive, name, limits.rows + 1)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        if isinstance(error, TooBig):
            raise
        return None
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        return None
    out = io.StringIO()
    writer = csv.writer(out)
    for count, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if count > limits.rows + 1:  # the column names, then the rows
            raise TooBig(f"The sheet has more than {limits.rows:,} rows: an import can be up to {limits.rows:,} "
                         "rows. Split it into smaller files")
        writer.writerow(["" if v is None else v.date().isoformat() if isinstance(v, datetime)
                         else v.isoformat() if isinstance(v, date) else f"{v:g}" if isinstance(v, float)
                         else str(v) for v in row])
    return out.getvalue()


def _count_rows(archive, name: str, most: int) -> None:
    """Count a sheet's rows as it unzips, a chunk at a time, stopping as soon as there are too
    many: openpyxl would read the whole sheet first to learn its size.

    :raises TooBig: past ``most`` rows (the column names and the rows).
    """
    rows, tail = 0, b""
    with archive.open(name) as sheet:
        while chunk := sheet.read(1 << 20):
            rows += (tail + chunk).count(b"<row") - tail.count(b"<row")
            tail = chunk[-4:]
            if rows > most:
                raise TooBig(f"The sheet has more than {most - 1:,} rows: an import can be up to {most - 1:,} "
                             "rows. Split it into smaller files")


def workbook_template(columns: list[str], example: str, *, choices: dict[str, list[str]]) -> bytes:
    """An import template as an Excel workbook: the columns, an example row, and a drop-down on
    each column that names something (lists kept on a hidden sheet, so long ones work too)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet, lists = book.active, book.create_sheet("Lists")
    sheet.title = "Import"
    lists.sheet_state = "hidden"
    sheet.append(columns)
    if example and example.count(",") == len(columns) - 1:
        sheet.append(next(csv.reader([example])))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column) + 4)
        values = choices.get(column)
        if not values:
            continue
        letter = get_column_letter(index)
        for row, value in enumerate(values, start=1):
            lists[f"{letter}{row}"] = value
        check = DataValidation(type="list", formula1=f"=Lists!${letter}$1:${letter}${len(values)}",
                               allow_blank=True, showErrorMessage=True, errorTitle=column,
                               error=f"Choose a {column.replace('_', ' ')} from the list")
        sheet.add_data_validation(check)
        check.add(f"{letter}2:{letter}5000")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
