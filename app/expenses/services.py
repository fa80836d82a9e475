"""Writing expense claims: lines, submission, decisions, payment and adjustments.

Each function takes the acting user, writes the audit history and flushes;
the route or command commits once.
"""

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, false, func, or_, select, update

from app.access import refuse_own
from app.audit import services as audit
from app.expenses.receipts import forget_receipt
from app.extensions import db
from app.formatting import pounds
from app.models.expenses import (
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    ExpenseLine,
    LineStatus,
    MileageRate,
    PaymentBatch,
    Vehicle,
)
from app.models.people import Person
from app.notify import link, tell

from .rules import Rate, mileage_pence, tax_year_end, tax_year_start


class ExpenseError(ValueError):
    """A rule was broken. ``problems`` maps form fields to messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def rate_on(vehicle: Vehicle, day: date) -> Rate:
    row = db.session.scalar(
        select(MileageRate).where(MileageRate.vehicle == vehicle, MileageRate.effective_from <= day)
        .order_by(MileageRate.effective_from.desc()).limit(1))
    if row is None:
        raise ExpenseError({"vehicle": f"There is no mileage rate for {vehicle.label.lower()} on that date"})
    return Rate(row.pence_per_mile, row.threshold_miles, row.pence_after_threshold)


def create_claim(person: Person, *, actor) -> ExpenseClaim:
    claim = ExpenseClaim(person_id=person.id, status=ClaimStatus.DRAFT, entered_by_id=actor.id,
                         is_on_behalf=actor.person_id != person.id)
    db.session.add(claim)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=claim, provider_id=person.provider_id,
                 summary="Started an expense claim" + (f" for {person.name}" if claim.is_on_behalf else ""))
    return claim


def _line_problems(claim: ExpenseClaim, category: ExpenseCategory, spent_on: date, today: date,
                   amount_pence: int | None, miles, vehicle) -> dict[str, str]:
    problems = {}
    person = claim.person
    if spent_on > today:
        problems["spent_on"] = "The date must be today or in the past"
    elif spent_on < person.joined_on or (person.left_on and spent_on > person.left_on):
        problems["spent_on"] = "The date must be while they were on the pathway"
    if category.is_mileage:
        if not miles or miles <= 0:
            problems["miles"] = "Enter the miles, like 12.5"
        if vehicle is None:
            problems["vehicle"] = "Select how you travelled"
    elif amount_pence is None or amount_pence <= 0:
        problems["amount"] = "Enter the amount, like 4.50"
    return problems


def add_line(claim: ExpenseClaim, *, category: ExpenseCategory, spent_on: date, description: str,
             amount_pence: int | None, miles: Decimal | None, vehicle: Vehicle | None,
             journey_from: str | None, journey_to: str | None, receipt, actor, today: date) -> ExpenseLine:
    """Add a line to a draft claim. Mileage is priced from the HMRC rate; others need an amount.

    :raises ExpenseError: for a claim that is not a draft, or a line that breaks a rule.
    """
    if not claim.is_editable:
        raise ExpenseError({"description": f"This claim is {claim.status.value} and cannot be changed"})
    problems = _line_problems(claim, category, spent_on, today, amount_pence, miles, vehicle)
    if category.needs_receipt and receipt is None:
        problems["receipt"] = "Add a photo or scan of the receipt"
    if problems:
        raise ExpenseError(problems)
    line = ExpenseLine(
        category=category, spent_on=spent_on, description=description.strip(),
        amount_pence=0 if category.is_mileage else amount_pence,
        miles=miles if category.is_mileage else None, vehicle=vehicle if category.is_mileage else None,
        journey_from=journey_from if category.is_mileage else None,
        journey_to=journey_to if category.is_mileage else None,
        receipt=receipt, status=LineStatus.PENDING)
    claim.lines.append(line)
    if category.is_mileage:
        _price_mileage(claim)
    db.session.flush()
    audit.record(actor=actor, action="add_line", entity=claim, provider_id=claim.person.provider_id,
                 summary=f"Added {category.name}: {description.strip()} (£{line.amount_pence / 100:,.2f})")
    return line


def _price_mileage(claim: ExpenseClaim) -> None:
    """Price the claim's mileage, and re-price the person's undecided mileage in the same tax years."""
    db.session.flush()
    for start in sorted({tax_year_start(line.spent_on) for line in claim.lines if line.miles is not None}):
        reprice_mileage(claim.person_id, start, include_claim_id=claim.id)


def reprice_mileage(person_id: int, day: date, *, include_claim_id: int | None = None,
                    open_line_ids: Collection[int] = (), actor=None, now: datetime | None = None) -> None:
    """The one mileage rule, for screens, imports and decisions alike: every mileage line of the
    person's tax year is priced in date order (then the order it was entered) against the car
    miles of the lines before it (the 10,000-mile threshold counts per tax year), so neither the
    order lines arrive in nor the order they are decided in changes what the year pays.

    - Lines still undecided (and ``open_line_ids``, lines an import has just added) are priced
      against every line before them that is sent or decided.
    - An approved line keeps its amount: when what it is due changes (an earlier line was
      rejected, approved or imported after it was decided), ``actor`` puts the difference right
      with an adjusting line, to be paid, as a paid mistake is put right. Its due counts only the
      approved lines before it, so once every line is decided the year pays HMRC's rule for its
      approved miles, whatever the order of the decisions.
    - A rejected line no longer counts."""
    start = tax_year_start(day)
    counted = or_(ExpenseClaim.status.in_([ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID]),
                  ExpenseClaim.id == include_claim_id)
    opened = ExpenseLine.id.in_(list(open_line_ids)) if open_line_ids else false()
    lines = db.session.scalars(
        select(ExpenseLine).join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
        .where(ExpenseClaim.person_id == person_id, ExpenseLine.miles.is_not(None),
               ExpenseLine.adjusts_id.is_(None), ExpenseLine.spent_on.between(start, tax_year_end(day)),
               or_(and_(counted, ExpenseLine.status != LineStatus.REJECTED), opened))
        .order_by(ExpenseLine.spent_on, ExpenseLine.id)).all()
    adjusted = _adjustments_to([line.id for line in lines])
    opened_ids = set(open_line_ids)
    # Every rate in force up to the year's end, read once, not once a line.
    dated = db.session.scalars(select(MileageRate).where(MileageRate.effective_from <= tax_year_end(day))
                               .order_by(MileageRate.effective_from.desc())).all()

    def rate(line: ExpenseLine) -> Rate:
        row = next((r for r in dated if r.vehicle == line.vehicle and r.effective_from <= line.spent_on), None)
        return rate_on(line.vehicle, line.spent_on) if row is None else Rate(
            row.pence_per_mile, row.threshold_miles, row.pence_after_threshold)  # none: rate_on says why

    so_far, approved_so_far = Decimal(0), Decimal(0)
    for line in lines:
        if line.id in opened_ids or line.status == LineStatus.PENDING:
            line.amount_pence = max(0, mileage_pence(line.miles, rate(line), so_far) - adjusted.get(line.id, 0))
        elif line.status == LineStatus.APPROVED and actor is not None:
            due = mileage_pence(line.miles, rate(line), approved_so_far)
            if due != line.amount_pence + adjusted.get(line.id, 0):
                _adjust_mileage(line, due - line.amount_pence - adjusted.get(line.id, 0), actor=actor, now=now)
        if line.vehicle == Vehicle.CAR and line.status != LineStatus.REJECTED:  # refused miles were never paid
            so_far += Decimal(line.miles)
            if line.status == LineStatus.APPROVED:
                approved_so_far += Decimal(line.miles)


def _adjustments_to(line_ids: list[int]) -> dict[int, int]:
    if not line_ids:
        return {}
    return dict(db.session.execute(
        select(ExpenseLine.adjusts_id, func.sum(ExpenseLine.amount_pence))
        .where(ExpenseLine.adjusts_id.in_(line_ids), ExpenseLine.status == LineStatus.APPROVED)
        .group_by(ExpenseLine.adjusts_id)).all())


def _adjust_mileage(line: ExpenseLine, delta: int, *, actor, now: datetime | None) -> None:
    """An approved mileage line's due changed: the difference, as an approved adjusting line."""
    now = now or datetime.now(UTC)
    reason = "Mileage re-priced: the car miles before it in the tax year changed"
    claim = ExpenseClaim(person_id=line.claim.person_id, status=ClaimStatus.APPROVED, entered_by_id=actor.id,
                         is_on_behalf=True, submitted_at=now)
    claim.lines.append(ExpenseLine(
        category_id=line.category_id, spent_on=line.spent_on, description=f"Adjustment: {reason}"[:200],
        amount_pence=delta, imported_without_receipt=True, status=LineStatus.APPROVED, decision_reason=reason,
        decided_by_id=actor.id, decided_at=now, adjusts_id=line.id))
    db.session.add(claim)
    db.session.flush()
    audit.record(actor=actor, action="adjust", entity=line.claim, provider_id=line.claim.person.provider_id,
                 summary=f"Adjustment of £{delta / 100:+,.2f} to {line.description}: {reason}")


def remove_line(line: ExpenseLine, *, actor) -> None:
    """:raises ExpenseError: unless the claim is still a draft."""
    claim = line.claim
    if not claim.is_editable:
        raise ExpenseError({"description": "Only lines on a draft claim can be removed"})
    receipt = line.receipt
    claim.lines.remove(line)
    _price_mileage(claim)
    audit.record(actor=actor, action="remove_line", entity=claim, provider_id=claim.person.provider_id,
                 summary=f"Removed {line.category.name}: {line.description}"
                         + (f" and its receipt {receipt.original_name}" if receipt else ""))
    db.session.flush()
    if receipt is not None:
        forget_receipt(receipt)
        db.session.flush()


def submit_claim(claim: ExpenseClaim, *, actor, now: datetime) -> None:
    """Send a whole draft claim for approval.

    :raises ExpenseError: for an empty claim, or a line that needs a receipt and has none.
    """
    if claim.status != ClaimStatus.DRAFT:
        raise ExpenseError({"claim": f"This claim is already {claim.status.value}"})
    if not claim.lines:
        raise ExpenseError({"claim": "Add at least one item before you submit the claim"})
    missing = [ln for ln in claim.lines if ln.category.needs_receipt and ln.receipt_id is None
               and not ln.imported_without_receipt]
    if missing:  # each named, so the page can say it beside the item
        raise ExpenseError({f"line-{ln.id}": f"{ln.category.name}: {ln.description} on {ln.spent_on:%-d %B} needs a "
                                             "receipt. Remove the item and add it again with a photo of the receipt"
                            for ln in missing})
    _price_mileage(claim)
    db.session.flush()
    # Conditional, so a claim sent twice at once (a double tap) is submitted once.
    changed = db.session.execute(update(ExpenseClaim).where(
        ExpenseClaim.id == claim.id, ExpenseClaim.status == ClaimStatus.DRAFT).values(
        status=ClaimStatus.SUBMITTED, submitted_at=now)).rowcount
    if not changed:
        raise ExpenseError({"claim": "This claim has already been submitted"})
    db.session.refresh(claim)
    audit.record(actor=actor, action="submit", entity=claim, provider_id=claim.person.provider_id,
                 summary=f"Submitted a claim for £{claim.total_pence / 100:,.2f}")
    db.session.flush()


def decide_line(line: ExpenseLine, *, approve: bool, reason: str | None, actor, now: datetime) -> None:
    """Approve or reject one line of a submitted claim; the claim is decided when every line is.

    :raises ExpenseError: if the claim is not awaiting approval, or a rejection has no reason.
    """
    claim = line.claim
    refuse_own(actor, "decide_expense_lines", claim, lambda message: ExpenseError({"reason": message}))
    if claim.status != ClaimStatus.SUBMITTED:
        raise ExpenseError({"reason": f"This claim is {claim.status.value}, not waiting for approval"})
    if not approve and not (reason or "").strip():
        raise ExpenseError({"reason": "Enter the reason, so they know why"})
    changed = db.session.execute(update(ExpenseLine).where(
        ExpenseLine.id == line.id, ExpenseLine.status == LineStatus.PENDING).values(
        status=LineStatus.APPROVED if approve else LineStatus.REJECTED,
        decision_reason=(reason or "").strip() or None, decided_by_id=actor.id, decided_at=now)).rowcount
    if not changed:
        raise ExpenseError({"reason": "This item has already been decided"})
    db.session.refresh(line)
    verb = "Approved" if approve else "Sent back"
    audit.record(actor=actor, action="approve_line" if approve else "reject_line", entity=claim,
                 provider_id=claim.person.provider_id,
                 summary=f"{verb} {line.category.name}: {line.description} (£{line.amount_pence / 100:,.2f})"
                 + (f": {line.decision_reason}" if line.decision_reason else ""))
    if not approve:
        tell(claim.person, "An item on your expense claim was not approved", lambda: (
             f"{line.category.name}: {line.description} ({pounds(line.amount_pence, pence_shown=True)}) was not "
             f"approved by {actor.name}, who said:\n\n{line.decision_reason}\n\n"
             f"See your claim here: {link('expenses.view_claim', claim_id=claim.id)}"))
    if all(ln.status != LineStatus.PENDING for ln in claim.lines):
        approved = any(ln.status == LineStatus.APPROVED for ln in claim.lines)
        claim.status = ClaimStatus.APPROVED if approved else ClaimStatus.REJECTED
    db.session.flush()
    if line.vehicle == Vehicle.CAR:  # the year's later lines may now fall on the other side of the threshold
        reprice_mileage(claim.person_id, line.spent_on, actor=actor, now=now)
        db.session.flush()


def mark_paid(claims: list[ExpenseClaim], *, paid_on: date, reference: str, actor,
              provider_id: int, as_batch: bool) -> PaymentBatch | None:
    """Record payment of approved claims, singly or as one batch; paid claims are locked.

    :raises ExpenseError: if any claim is not approved, or no reference is given.
    """
    if not reference.strip():
        raise ExpenseError({"reference": "Enter the payment reference"})
    for claim in claims:
        refuse_own(actor, "pay_expenses", claim, lambda message: ExpenseError({"claims": message}))
    not_ready = [c.id for c in claims if c.status != ClaimStatus.APPROVED]
    if not_ready or not claims:
        raise ExpenseError({"claims": "Only approved claims can be marked as paid"})
    batch = None
    if as_batch:
        batch = PaymentBatch(provider_id=provider_id, reference=reference.strip(), paid_on=paid_on,
                             created_by_id=actor.id)
        db.session.add(batch)
    db.session.flush()
    for claim in claims:
        changed = db.session.execute(update(ExpenseClaim).where(
            ExpenseClaim.id == claim.id, ExpenseClaim.status == ClaimStatus.APPROVED).values(
            status=ClaimStatus.PAID, paid_on=paid_on, payment_reference=reference.strip(),
            batch_id=batch.id if batch else None)).rowcount
        if not changed:
            raise ExpenseError({"claims": "A claim was paid by someone else meanwhile: nothing was marked"})
        db.session.refresh(claim)
        audit.record(actor=actor, action="paid", entity=claim, provider_id=claim.person.provider_id,
                     summary=f"Paid £{claim.approved_pence / 100:,.2f} on {paid_on:%-d %B %Y}, "
                             f"reference {reference.strip()}")
        tell(claim.person, f"Your expenses claim of {pounds(claim.approved_pence, pence_shown=True)} has been paid",
             f"Your expenses claim of {pounds(claim.approved_pence, pence_shown=True)} was paid on "
             f"{paid_on:%-d %B %Y}, reference {reference.strip()}. It may take a few days to reach your account.")
    db.session.flush()
    return batch


def adjust_paid_line(line: ExpenseLine, *, amount_pence: int, reason: str, actor,
                     now: datetime) -> ExpenseLine:
    """Put right a paid line with a new approved adjusting line on a new claim, to be paid.

    :raises ExpenseError: if the line was not paid, or there is no reason or no change.
    """
    refuse_own(actor, "pay_expenses", line.claim, lambda message: ExpenseError({"amount": message}))
    if line.claim.status != ClaimStatus.PAID or line.status != LineStatus.APPROVED:
        raise ExpenseError({"amount": "Only paid items are put right with an adjustment"})
    if not reason.strip():
        raise ExpenseError({"reason": "Enter the reason for the adjustment"})
    if amount_pence == 0:
        raise ExpenseError({"amount": "Enter the amount to add (or take away, with a minus sign)"})
    claim = ExpenseClaim(person_id=line.claim.person_id, status=ClaimStatus.APPROVED,
                         entered_by_id=actor.id, is_on_behalf=True, submitted_at=now)
    adjustment = ExpenseLine(category_id=line.category_id, spent_on=line.spent_on,
                             description=f"Adjustment: {reason.strip()}"[:200], amount_pence=amount_pence,
                             imported_without_receipt=True, status=LineStatus.APPROVED,
                             decision_reason=reason.strip(), decided_by_id=actor.id, decided_at=now,
                             adjusts_id=line.id)
    claim.lines.append(adjustment)
    db.session.add(claim)
    db.session.flush()
    audit.record(actor=actor, action="adjust", entity=line.claim, provider_id=line.claim.person.provider_id,
                 summary=f"Adjustment of £{amount_pence / 100:+,.2f} to {line.description}: {reason.strip()}")
    return adjustment


UNDO_WINDOW = timedelta(hours=24)


def withdraw_claim(claim: ExpenseClaim, *, actor, now: datetime) -> None:
    """Take back a claim nobody has started deciding; it becomes a draft to change.

    :raises ExpenseError: once any item has been decided.
    """
    if claim.status != ClaimStatus.SUBMITTED or any(ln.status != LineStatus.PENDING for ln in claim.lines):
        raise ExpenseError({"claim": "Only a claim nobody has started deciding can be withdrawn"})
    claim.status, claim.submitted_at = ClaimStatus.DRAFT, None
    audit.record(actor=actor, action="withdraw", entity=claim, provider_id=claim.person.provider_id,
                 summary=f"Withdrew the claim for {pounds(claim.total_pence, pence_shown=True)} to change it")
    db.session.flush()


def approve_claim(claim: ExpenseClaim, *, actor, now: datetime) -> int:
    """Approve every item still waiting on a claim; returns how many."""
    waiting = [ln for ln in claim.lines if ln.status == LineStatus.PENDING]
    for line in waiting:
        decide_line(line, approve=True, reason=None, actor=actor, now=now)
    return len(waiting)


def undo_decision(line: ExpenseLine, *, actor, now: datetime) -> None:
    """Put a decided item back to waiting, within 24 hours and before the claim is paid.

    :raises ExpenseError: if it is too late, the claim is paid, or the approver is the claimant.
    """
    claim = line.claim
    refuse_own(actor, "decide_expense_lines", claim, lambda message: ExpenseError({"reason": message}))
    decided = line.decided_at.replace(tzinfo=UTC) if line.decided_at and line.decided_at.tzinfo is None \
        else line.decided_at
    if line.status == LineStatus.PENDING or decided is None:
        raise ExpenseError({"reason": "This item has not been decided"})
    if claim.status == ClaimStatus.PAID or claim.batch_id is not None:
        raise ExpenseError({"reason": "This claim has been paid: put it right with an adjustment instead"})
    if now - decided > UNDO_WINDOW:
        raise ExpenseError({"reason": "A decision can only be undone in the 24 hours after it"})
    was = line.status
    line.status, line.decision_reason, line.decided_by_id, line.decided_at = LineStatus.PENDING, None, None, None
    claim.status = ClaimStatus.SUBMITTED
    audit.record(actor=actor, action="undo_decision", entity=claim, provider_id=claim.person.provider_id,
                 summary=f"Undid the decision ({was.value}) on {line.category.name}: {line.description}")
    db.session.flush()
    if line.vehicle == Vehicle.CAR:
        reprice_mileage(claim.person_id, line.spent_on, actor=actor, now=now)
        db.session.flush()
