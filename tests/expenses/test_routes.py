import csv
import io
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.expenses.services import create_claim
from app.extensions import db
from app.models.auth import Role
from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus

from ..conftest import error_messages, page
from ..factories import PNG, category, make_claim, make_user

YESTERDAY = date.today() - timedelta(days=1)


def _day(d):
    return [str(d.day), str(d.month), str(d.year)]


@pytest.mark.parametrize("who,status", [
    ("volunteer", 200), ("facilitator", 200), ("hr", 200), ("other_hr", 404),
    ("south_facilitator", 404), ("neighbour", 404), ("admin", 403), ("coordinator", 403),
])
def test_receipt_is_served_only_to_claimant_their_facilitator_and_hr(world, sign_in, who, status):
    users = {"volunteer": world.user(Role.VOLUNTEER), "facilitator": world.user(Role.AREA_FACILITATOR),
             "hr": world.user(Role.HR), "other_hr": world.other_hr, "admin": world.user(Role.ADMIN),
             "coordinator": world.user(Role.COORDINATOR),
             "south_facilitator": make_user(Role.AREA_FACILITATOR, provider=world.provider, area=world.south),
             "neighbour": make_user(Role.VOLUNTEER, provider=world.provider, person=world.neighbour)}
    db.session.commit()
    response = sign_in(users[who]).get(f"/receipts/{world.claim.lines[0].receipt_id}")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "image/png"
        assert response.data == PNG
        assert response.headers["Content-Disposition"].startswith("attachment")  # never shown inline
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_volunteer_claims_parking_with_a_receipt_and_mileage(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/expenses/new")
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.status == ClaimStatus.DRAFT))
    response = client.post(f"/expenses/{claim.id}/items/new", data={
        "category_id": str(category("Parking").id), "spent_on": _day(YESTERDAY),
        "description": "Car park at the hall", "amount": "3.60",
        "receipt": (io.BytesIO(PNG), "ticket.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    client.post(f"/expenses/{claim.id}/items/new", data={
        "category_id": str(category("Mileage").id), "spent_on": _day(YESTERDAY),
        "description": "Peer support group", "journey_from": "Home", "journey_to": "Hall",
        "miles": "12.4", "vehicle": "car"}, content_type="multipart/form-data")
    lines = db.session.scalars(select(ExpenseLine).where(ExpenseLine.claim_id == claim.id)
                               .order_by(ExpenseLine.id)).all()
    assert [(line.amount_pence, line.receipt_id is not None) for line in lines] == [(360, True), (558, False)]
    assert client.post(f"/expenses/{claim.id}/submit").status_code == 302
    assert db.session.get(ExpenseClaim, claim.id).status == ClaimStatus.SUBMITTED


@pytest.mark.parametrize("upload,message", [
    ((io.BytesIO(b"<html>not a receipt</html>"), "receipt.pdf"),
     "The receipt must be a PDF, JPEG, PNG or HEIC file"),
    (None, "Add a photo or scan of the receipt"),
])
def test_upload_rejections_store_nothing(world, sign_in, upload, message):
    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/expenses/new")
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.status == ClaimStatus.DRAFT))
    data = {"category_id": str(category("Parking").id), "spent_on": _day(YESTERDAY),
            "description": "Car park", "amount": "3.60"}
    if upload:
        data["receipt"] = upload
    response = client.post(f"/expenses/{claim.id}/items/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert message in error_messages(response)
    assert db.session.scalar(select(ExpenseLine).where(ExpenseLine.claim_id == claim.id)) is None


def test_an_oversized_upload_is_refused(world, sign_in, app):
    client = sign_in(world.user(Role.VOLUNTEER))
    big = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    response = client.post(f"/expenses/{world.claim.id}/items/new", data={"receipt": (big, "big.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_facilitator_decides_only_in_their_area(world, sign_in, client):
    south_claim = make_claim(world.south_person)
    db.session.commit()
    sign_in(world.user(Role.AREA_FACILITATOR))
    queue = [a.get_text(strip=True) for a in page(client.get("/approvals/expenses")).select(".pathway-queue-card li a")]
    assert [q.split(":")[0] for q in queue] == [f"Claim {world.claim.id}"]
    assert client.post(f"/expenses/items/{south_claim.lines[0].id}/decide",
                       data={"approve": "Approve"}).status_code == 404
    client.post(f"/expenses/items/{world.claim.lines[0].id}/decide", data={"approve": "Approve"})
    assert db.session.get(ExpenseClaim, world.claim.id).status == ClaimStatus.APPROVED


def test_rejection_needs_a_reason_the_person_sees(world, sign_in, client):
    sign_in(world.user(Role.AREA_FACILITATOR))
    client.post(f"/expenses/items/{world.claim.lines[0].id}/decide", data={"reject": "Reject", "reason": ""})
    assert db.session.get(ExpenseLine, world.claim.lines[0].id).status == LineStatus.PENDING
    client.post(f"/expenses/items/{world.claim.lines[0].id}/decide",
                data={"reject": "Reject", "reason": "This car park is free before 6pm"})
    client.post("/sign-out")
    sign_in(world.user(Role.VOLUNTEER))
    text = client.get(f"/expenses/{world.claim.id}").get_data(as_text=True)
    assert "This car park is free before 6pm" in text


def test_a_paid_claim_cannot_be_edited(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    paid = world.paid_claim
    response = client.post(f"/expenses/{paid.id}/items/new", data={
        "category_id": str(category("Parking").id), "spent_on": _day(YESTERDAY), "description": "x",
        "amount": "1", "receipt": (io.BytesIO(PNG), "r.png")}, content_type="multipart/form-data")
    assert "cannot be changed" in response.get_data(as_text=True)
    client.post(f"/expenses/items/{paid.lines[0].id}/remove")
    assert len(db.session.get(ExpenseClaim, paid.id).lines) == 1


def test_hr_pays_a_batch_and_downloads_its_csv_with_one_row_per_payee(world, sign_in):
    approved = make_claim(world.me, status="approved", lines=[{"amount": 1234}])
    second = make_claim(world.me, status="approved", lines=[{"amount": 100}])
    theirs = make_claim(world.neighbour, status="approved", lines=[{"amount": 250}])
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    response = client.post("/payments", data={"claim": [str(approved.id), str(second.id), str(theirs.id)],
                                              "paid_on": _day(date.today()), "reference": "BACS-2026-11",
                                              "as_batch": "y"})
    assert response.status_code == 302
    claim = db.session.get(ExpenseClaim, approved.id)
    assert (claim.status, claim.payment_reference) == (ClaimStatus.PAID, "BACS-2026-11")
    rows = list(csv.reader(io.StringIO(client.get(f"/payments/batches/{claim.batch_id}.csv")
                                      .get_data(as_text=True))))
    assert rows[0] == ["batch_reference", "paid_on", "payee_reference", "person_ref", "name", "claims", "amount_gbp"]
    assert [row[2:] for row in rows[1:]] == [
        [f"BACS-2026-11-{world.neighbour.ref}", world.neighbour.ref, world.neighbour.name, str(theirs.id), "2.50"],
        [f"BACS-2026-11-{world.me.ref}", world.me.ref, world.me.name, f"{approved.id};{second.id}", "13.34"]]
    assert client.get(f"/payments/batches/{claim.batch_id}.csv").status_code == 200
    client.post("/sign-out")
    assert sign_in(world.other_hr).get(f"/payments/batches/{claim.batch_id}.csv").status_code == 404


def test_round_amount_and_repeats_are_flagged_for_volunteers(world, sign_in):
    for _ in range(3):
        make_claim(world.me, status="approved", lines=[{"amount": 1000, "spent_on": date.today()}])
    flagged = make_claim(world.me, lines=[{"amount": 1000, "spent_on": date.today()}])
    flagged.lines[0].receipt = None
    flagged.lines[0].imported_without_receipt = True
    db.session.commit()
    text = page(sign_in(world.user(Role.AREA_FACILITATOR)).get(f"/expenses/{flagged.id}")).get_text(" ")
    assert "The same amount has been claimed 4 times in the last 3 months" in text
    assert "A round amount with no receipt can look like a flat-rate allowance" in text


def test_person_page_shows_tax_year_miles(world, sign_in):
    from decimal import Decimal

    from app.models.expenses import Vehicle

    make_claim(world.me, status="approved", lines=[{
        "category": "Mileage", "amount": 4500, "miles": Decimal("100"), "vehicle": Vehicle.CAR,
        "spent_on": date.today()}])
    db.session.commit()
    text = page(sign_in(world.user(Role.VOLUNTEER)).get(f"/people/{world.me.id}/expenses")).get_text(" ")
    assert "100.0 of the 10,000" in text




def test_a_partly_approved_paid_claim_shows_what_was_paid_not_what_was_claimed(world, sign_in):
    from tests.factories import make_claim

    claim = make_claim(world.me, status="paid", lines=[{"category": "Parking", "amount": 1427},
                                                      {"category": "Parking", "amount": 573, "status": "rejected"}])
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    heading = page(client.get(f"/expenses/{claim.id}")).select_one("h1").get_text(" ", strip=True)
    assert heading.startswith(f"Claim {claim.id}: £14.27 paid of £20.00 claimed")
    row = [r for r in page(client.get(f"/people/{world.me.id}/expenses")).select("tbody tr")
           if f"Claim {claim.id}," in r.get_text()][0]
    assert [td.get_text(strip=True) for td in row.select("td.govuk-table__cell--numeric")] == ["£20.00", "£14.27"]


def _parking(client, claim, data=PNG, name="ticket.png"):
    return client.post(f"/expenses/{claim.id}/items/new", data={
        "category_id": str(category("Parking").id), "spent_on": _day(YESTERDAY), "description": "Car park",
        "amount": "3.60", "receipt": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_removing_an_item_asks_first_then_deletes_its_receipt_file(world, sign_in, app):
    from pathlib import Path

    from app.models.expenses import Receipt

    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/expenses/new")
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.status == ClaimStatus.DRAFT))
    assert _parking(client, claim).status_code == 302
    line = db.session.scalar(select(ExpenseLine).where(ExpenseLine.claim_id == claim.id))
    stored = Path(app.config["RECEIPT_DIR"]) / line.receipt.stored_name
    receipt_id = line.receipt_id
    assert stored.read_bytes() == PNG
    question = client.get(f"/expenses/items/{line.id}/remove").get_data(as_text=True)
    assert "Remove this item from the claim?" in question and "its receipt will be deleted" in question
    assert db.session.get(ExpenseLine, line.id) is not None  # asking changed nothing
    response = client.post(f"/expenses/items/{line.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ExpenseLine, line.id) is None and db.session.get(Receipt, receipt_id) is None
    assert not stored.exists()


def test_receipts_beyond_a_persons_quota_are_refused_with_a_clear_message(world, sign_in, app, monkeypatch):
    from app.expenses.receipts import used_bytes

    monkeypatch.setitem(app.config, "RECEIPT_QUOTA_BYTES", used_bytes(world.me.id) + len(PNG) + 10)
    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/expenses/new")
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.status == ClaimStatus.DRAFT))
    assert _parking(client, claim).status_code == 302
    before = db.session.scalar(select(func.count()).select_from(ExpenseLine))
    response = _parking(client, claim, data=PNG + b"0" * 20)
    assert response.status_code == 200
    assert any("There is no room for this receipt" in m for m in error_messages(response))
    assert db.session.scalar(select(func.count()).select_from(ExpenseLine)) == before


@pytest.mark.parametrize(("typed", "pence"), [("£3.50", 350), ("3.50", 350), ("£ 3.5", 350), ("£1,000", 100000)])
def test_money_is_understood_as_people_type_it(world, sign_in, typed, pence):
    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/expenses/new")
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.status == ClaimStatus.DRAFT))
    response = client.post(f"/expenses/{claim.id}/items/new", data={
        "category_id": str(category("Parking").id), "spent_on": _day(YESTERDAY), "description": "Car park",
        "amount": typed, "receipt": (io.BytesIO(PNG), "ticket.png")}, content_type="multipart/form-data")
    assert response.status_code == 302, error_messages(response)
    assert db.session.scalar(select(ExpenseLine.amount_pence).where(ExpenseLine.claim_id == claim.id)) == pence


def test_an_amount_that_is_not_money_says_what_to_type(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/expenses/new")
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.status == ClaimStatus.DRAFT))
    response = client.post(f"/expenses/{claim.id}/items/new", data={
        "category_id": str(category("Parking").id), "spent_on": _day(YESTERDAY), "description": "Car park",
        "amount": "three pounds", "receipt": (io.BytesIO(PNG), "ticket.png")}, content_type="multipart/form-data")
    assert "Enter the amount in pounds, like 3.50" in error_messages(response)


def test_a_payment_date_in_the_future_is_questioned_before_it_is_recorded(world, sign_in):
    approved = make_claim(world.me, status="approved", lines=[{"amount": 1234}])
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    later = date.today() + timedelta(days=40)
    data = {"claim": [str(approved.id)], "paid_on": _day(later), "reference": "BACS-LATER"}
    response = client.post("/payments", data=data)
    assert response.status_code == 200
    assert any("is in the future" in m for m in error_messages(response))
    kept = f'name="claim" type="checkbox" value="{approved.id}" data-pence="1234" checked'
    assert kept in response.get_data(as_text=True)  # the ticks are kept
    assert db.session.get(ExpenseClaim, approved.id).status == ClaimStatus.APPROVED
    response = client.post("/payments", data={**data, "future_ok": "y"})
    assert response.status_code == 302
    assert db.session.get(ExpenseClaim, approved.id).paid_on == later


def test_a_claim_missing_a_receipt_says_so_beside_that_item(world, sign_in):
    claim = make_claim(world.me, status="draft", lines=[{"description": "Bus", "category": "Mileage",
                                                         "amount": 0, "miles": 2, "vehicle": "car"},
                                                        {"description": "Car park at the hall"}])
    line = [ln for ln in claim.lines if ln.description == "Car park at the hall"][0]
    line.receipt = None
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/expenses/{claim.id}/submit")
    assert response.status_code == 200
    body = page(response)
    message = "Parking: Car park at the hall on 5 January needs a receipt."
    assert any(message in a.get_text() for a in body.select(".govuk-error-summary a"))
    assert body.select_one(".govuk-error-summary a")["href"] == f"#line-{line.id}"
    assert message in body.select_one(f"#line-{line.id} .govuk-error-message").get_text()
    assert db.session.get(ExpenseClaim, claim.id).status == ClaimStatus.DRAFT


def test_the_journey_fields_are_revealed_only_under_mileage(world, sign_in):
    """GOV.UK's conditional reveal: a parent claiming parking never sees miles and vehicles."""
    claim = create_claim(world.me, actor=world.user(Role.VOLUNTEER))
    db.session.commit()
    page = BeautifulSoup(sign_in(world.user(Role.VOLUNTEER)).get(f"/expenses/{claim.id}/items/new").data,
                         "html.parser")
    mileage = next(label for label in page.select("label.govuk-radios__label") if label.text.strip() == "Mileage")
    revealed = page.find(id=page.find(id=mileage["for"])["data-aria-controls"])
    assert revealed is not None and "govuk-radios__conditional" in revealed["class"]
    assert revealed.find(id="miles") is not None and revealed.find(attrs={"name": "vehicle"}) is not None
    others = [label["for"] for label in page.select("label.govuk-radios__label") if label.text.strip() != "Mileage"
              and label["for"].startswith("category_id")]
    assert others and all(not page.find(id=other).get("data-aria-controls") for other in others)


def test_the_claims_queue_groups_each_persons_claims(world, sign_in, client):
    second = make_claim(world.me)
    other = make_claim(world.neighbour)
    db.session.commit()
    sign_in(world.user(Role.AREA_FACILITATOR))
    cards = page(client.get("/approvals/expenses")).select(".pathway-queue-card")
    by_person = {card.h2.a.get_text(strip=True): [a.get_text(strip=True).split(":")[0] for a in card.select("li a")]
                 for card in cards}
    assert by_person[world.me.name] == [f"Claim {world.claim.id}", f"Claim {second.id}"]
    assert by_person[world.neighbour.name] == [f"Claim {other.id}"]
