"""Hardening from the outside test: user text in chart labels cannot break a page, and
nothing personal is kept by browsers or proxies."""

import pytest
from markupsafe import Markup

from app.budget.charts import bar_chart
from app.models.auth import Role


@pytest.mark.parametrize("label", ["Travel $\\evil$ costs", "$$", "a $b", "\\frac{1}{2} $x^2$", "$\\alpha"])
def test_chart_labels_are_words_never_maths(label):
    svg = bar_chart([label, "Workshop"], {"Hours": [3.0, 4.0]}, f"Hours by {label}", "Hours")
    assert "<svg" in svg and str(Markup.escape(label)) in svg


@pytest.mark.parametrize("path", ["/", "/people", "/establishment/budget.csv", "/budget/monitor.csv"])
def test_signed_in_pages_and_downloads_are_not_stored(world, sign_in, client, path):
    sign_in(world.user(Role.HR))
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_public_sign_in_page_may_be_cached_as_usual(client):
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")


FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"


def _cells(text: str) -> list[str]:
    import csv
    import io

    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_exports_never_hold_a_formula(world, sign_in, client):
    """Formula-looking text in a person's name, an activity, a budget line and a note: no CSV
    or XLSX cell starts with a formula character (numbers like -12.50 stay numbers)."""
    import io
    import zipfile
    from datetime import date

    from openpyxl import load_workbook

    from app.exports import DANGEROUS, safe_cell
    from app.extensions import db
    from app.models.establishment import BudgetLine
    from app.models.hours import Activity
    from app.returns.outputs import to_xlsx
    from app.returns.services import build_return

    from ..factories import make_hours

    world.me.last_name = FORMULA
    activity = Activity(name="+SUM(A1:A9)", is_active=True, sort_order=99)
    db.session.add(activity)
    db.session.flush()
    make_hours(world.me, worked_on=date(2026, 5, 5), activity_name="+SUM(A1:A9)", note="@cmd|' /C calc'!A0")
    line = db.session.scalar(db.select(BudgetLine))
    line.name = "-2+3"
    db.session.commit()
    assert safe_cell("-12.50") == "-12.50" and safe_cell(-3) == -3  # numbers stay numbers

    sign_in(world.user(Role.HR))
    texts = [client.get("/people/export.csv").get_data(as_text=True),
             client.get("/establishment/budget.csv").get_data(as_text=True),
             client.get("/returns/return.csv?from=2026-04-01&to=2026-06-30").get_data(as_text=True)]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/people/{world.me.id}/export.zip").data))
    texts += [archive.read(name).decode() for name in archive.namelist() if name.endswith(".csv")]
    cells = [cell for text in texts for cell in _cells(text)]
    assert any(FORMULA in cell for cell in cells) and any("+SUM(A1:A9)" in cell for cell in cells)
    assert [c for c in cells if c.startswith(DANGEROUS) and c != "-"  # "-" alone means none
            and not c.lstrip("-").replace(".", "").isdigit()] == []

    book = load_workbook(io.BytesIO(to_xlsx(build_return(start=date(2026, 4, 1), end=date(2026, 6, 30),
                                                         provider=world.provider))))
    values = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    assert "'+SUM(A1:A9)" in values
    assert [v for v in values if isinstance(v, str) and v.startswith(DANGEROUS)] == []


def test_links_in_emails_use_the_public_address_never_the_host_header(app, world, sign_in, client, smtp):
    from app.extensions import db

    from ..factories import make_person

    app.config["PUBLIC_BASE_URL"] = "https://pathway.example.org"
    try:
        parent = make_person(provider=world.provider, area=world.north, email="pat@example.org")
        db.session.commit()
        sign_in(world.user(Role.HR))
        client.post(f"/people/{parent.id}/invite", data={"how": "email"})
        from app.views import public_url

        with app.test_request_context("/", base_url="http://evil.example"):
            assert public_url("certificates.verify", number="X").startswith("https://pathway.example.org/")
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    [message] = smtp
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "https://pathway.example.org/account/set-password/" in body and "localhost" not in body


def test_requests_for_unknown_hosts_are_refused(app, client):
    app.config["TRUSTED_HOSTS"] = ["pathway.example.org", "localhost"]
    try:
        assert client.get("/sign-in", headers={"Host": "evil.example"}).status_code == 400
        assert client.get("/sign-in", headers={"Host": "pathway.example.org"}).status_code == 200
    finally:
        app.config["TRUSTED_HOSTS"] = None


def test_a_receipt_comes_back_as_a_download_named_by_its_real_type(world, sign_in, client):
    """A PNG uploaded as x.html is served as an attachment named x.png, never shown inline."""
    from app.expenses.receipts import store_receipt
    from app.extensions import db

    line = world.claim.lines[0]
    receipt = store_receipt(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "x.html", actor=None)
    line.receipt_id = receipt.id
    db.session.commit()
    sign_in(world.user(Role.HR))
    response = client.get(f"/receipts/{receipt.id}")
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment") and "x.png" in response.headers[
        "Content-Disposition"] and ".html" not in response.headers["Content-Disposition"]
    certificate = client.get(f"/certificates/{world.certificate.id}.pdf")
    assert certificate.headers["Content-Disposition"].startswith("attachment")
