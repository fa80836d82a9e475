"""Imports with limits: over 10 MB, over 100,000 rows or over 100 MB unzipped is refused before
the file is read whole, with a clear message, on the screen and the command line (which may
override it)."""

import io
import time
import tracemalloc
import zipfile

import pytest

from app.imports.csvfile import TooBig, xlsx_as_csv
from app.models.auth import Role

from ..conftest import error_messages

PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.'
    'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def workbook(rows: int) -> bytes:
    """A real workbook of ``rows`` one-cell rows, written as a stream: small zipped, huge unzipped."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
                        b'org/spreadsheetml/2006/main"><sheetData>')
            row = b"<row><c><v>1</v></c></row>"
            for start in range(0, rows, 50_000):
                sheet.write(row * min(50_000, rows - start))
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_workbook_of_two_million_rows_is_refused_in_seconds_and_little_memory():
    data = workbook(2_000_000)
    assert len(data) < 10 * 1024 * 1024  # small enough to pass the size check: the rows must stop it
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(TooBig, match="more than 100,000 rows"):
        xlsx_as_csv(data)
    took = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert took < 5, f"{took:.1f} s"
    assert peak < 80 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB"


def test_a_workbook_that_unzips_past_100_mb_is_refused_before_it_is_read():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("padding.bin", b"\0" * (101 * 1024 * 1024))
    with pytest.raises(TooBig, match="unzips to 101 MB"):
        xlsx_as_csv(out.getvalue())


def test_the_upload_page_refuses_big_files_with_a_message(world, sign_in):
    client = sign_in(world.user(Role.HR))
    response = client.post("/imports/", data={"kind": "hours", "file": (io.BytesIO(workbook(100_002)), "big.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "The sheet has more than 100,000 rows" in " ".join(error_messages(response))
    too_big = b"person_ref,date,hours,activity,area,status\n" + b"x" * (10 * 1024 * 1024)
    response = client.post("/imports/", data={"kind": "hours", "file": (io.BytesIO(too_big), "big.csv")},
                           content_type="multipart/form-data")
    assert "an import can be up to 10 MB" in " ".join(error_messages(response))


def test_the_command_line_has_the_same_limits_and_a_flag_to_pass_them(world, app, tmp_path):
    path = tmp_path / "hours.xlsx"
    path.write_bytes(workbook(100_002))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["import", "hours", str(path), "--provider", "Provider A"])
    assert refused.exit_code == 1 and "more than 100,000 rows" in refused.output
    passed = runner.invoke(args=["import", "hours", str(path), "--provider", "Provider A", "--no-limits"])
    assert "more than 100,000 rows" not in passed.output  # read whole: its rows are then checked as usual
