"""A year of volunteer expense claims: mileage to groups, parking and bus fares with
receipts, paid monthly in batches; last month approved, this month submitted."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.expenses.receipts import store_receipt
from app.expenses.rules import mileage_pence
from app.expenses.services import rate_on
from app.extensions import db
from app.models.expenses import (
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    ExpenseLine,
    LineStatus,
    PaymentBatch,
    Vehicle,
)
from app.models.people import Person, Provider, Stage

# A 1x1 PNG: the demo's stand-in for a photographed receipt.
RECEIPT_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
               b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
               b"\x00IEND\xaeB`\x82")
PLACES = ["Sittingbourne Library", "Gravesend Family Hub", "Ashford Gateway", "Canterbury Baptist Hall",
          "Tonbridge Youth Hub", "Dover Discovery Centre", "Maidstone Community Centre"]


def _month_starts(today: date) -> list[date]:
    first = date(today.year - 1, today.month, 1)
    months = []
    while first <= today:
        months.append(first)
        first = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return months


def _claim_lines(person: Person, month: date, today: date, categories,
                 rng: random.Random) -> list[ExpenseLine]:
    lines = []
    for _ in range(rng.randint(4, 8)):
        day = month + timedelta(days=rng.randint(0, 27))
        if day >= today or day < person.joined_on or (person.left_on and day > person.left_on):
            continue
        miles = Decimal(rng.randint(80, 260)) / 10
        place = rng.choice(PLACES)
        lines.append(ExpenseLine(
            category_id=categories["Mileage"].id, spent_on=day, description="Peer support group",
            miles=miles, vehicle=Vehicle.CAR, journey_from="Home", journey_to=place,
            amount_pence=mileage_pence(miles, rate_on(Vehicle.CAR, day)), status=LineStatus.PENDING))
        if rng.random() < 0.4:
            lines.append(ExpenseLine(
                category_id=categories["Parking"].id, spent_on=day, description=f"Car park at {place}",
                amount_pence=rng.choice([180, 250, 320, 400]), status=LineStatus.PENDING,
                receipt=store_receipt(RECEIPT_PNG, "parking-ticket.png", actor=None)))
    return lines


def load_expenses(provider: Provider, today: date) -> int:
    """Create the demo claims unless some exist; returns how many claims."""
    exists = db.session.scalar(select(ExpenseClaim.id).join(Person).where(
        Person.provider_id == provider.id).limit(1))
    if exists:
        return 0
    rng = random.Random(45)
    categories = {c.name: c for c in db.session.scalars(select(ExpenseCategory))}
    people = db.session.scalars(select(Person).where(
        Person.provider_id == provider.id, Person.stage == Stage.VOLUNTEER)).all()
    now = datetime.now(UTC)
    months = _month_starts(today)
    batches: dict[date, PaymentBatch] = {}
    count = 0
    for person in people:
        for month in months:
            lines = _claim_lines(person, month, today, categories, rng)
            if not lines:
                continue
            claim = ExpenseClaim(person_id=person.id, is_on_behalf=False, submitted_at=now, lines=lines,
                                 status=ClaimStatus.SUBMITTED)
            if month < months[-2]:
                _pay(claim, month, batches, provider, now)
            elif month == months[-2]:
                claim.status = ClaimStatus.APPROVED
                for line in lines:
                    line.status, line.decided_at = LineStatus.APPROVED, now
            db.session.add(claim)
            count += 1
    db.session.flush()
    return count


def _pay(claim: ExpenseClaim, month: date, batches: dict, provider: Provider, now: datetime) -> None:
    paid_on = date(month.year + (month.month == 12), month.month % 12 + 1, 10)
    if month not in batches:
        batches[month] = PaymentBatch(provider_id=provider.id, reference=f"BACS-{paid_on:%Y-%m}",
                                      paid_on=paid_on)
    claim.status, claim.paid_on, claim.payment_reference = ClaimStatus.PAID, paid_on, batches[month].reference
    claim.batch = batches[month]
    for line in claim.lines:
        line.status, line.decided_at = LineStatus.APPROVED, now
