"""Recording non-pay spending and deciding on it. Each function audits and flushes; the caller commits."""

from datetime import date, datetime

from sqlalchemy import select

from app.access import recorded_it
from app.audit import services as audit
from app.extensions import db
from app.formatting import long_date, pounds
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear
from app.models.spending import Spend, SpendStatus


class SpendError(ValueError):
    """A rule was broken; args are (field name, message)."""


def lines_for(provider_id: int) -> list[BudgetLine]:
    """The non-pay lines of the provider's contract years, newest year first."""
    return list(db.session.scalars(
        select(BudgetLine).join(ContractYear, ContractYear.id == BudgetLine.contract_year_id)
        .where(ContractYear.provider_id == provider_id, BudgetLine.kind != BudgetLineKind.PAY)
        .order_by(ContractYear.starts_on.desc(), BudgetLine.sort_order)))


def record_spend(*, provider_id: int, line: BudgetLine, spent_on: date, supplier: str, description: str,
                 amount_pence: int, area_id: int | None, course_id: int | None, receipt, actor, today: date) -> Spend:
    """:raises SpendError: for a line of another provider or a pay line, a date outside the
    line's contract year or in the future, or a course's invoice on a line that is not training."""
    year = line.contract_year
    if year.provider_id != provider_id or line.kind == BudgetLineKind.PAY:
        raise SpendError("budget_line_id", "Choose one of your non-pay budget lines")
    if spent_on > today:
        raise SpendError("spent_on", "The date must be today or in the past")
    if not year.starts_on <= spent_on <= year.ends_on:
        raise SpendError("spent_on", f"{line.name} is a {year.label} line: the date must be between "
                                     f"{long_date(year.starts_on)} and {long_date(year.ends_on)}")
    if course_id is not None and line.kind != BudgetLineKind.TRAINING:
        raise SpendError("course_id", "Only a training line's invoice can be for a course")
    spend = Spend(provider_id=provider_id, budget_line_id=line.id, spent_on=spent_on, supplier=supplier.strip(),
                  description=description.strip(), amount_pence=amount_pence, area_id=area_id, course_id=course_id,
                  receipt_id=receipt.id if receipt else None, recorded_by_id=actor.id if actor else None)
    db.session.add(spend)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=spend, provider_id=provider_id,
                 summary=f"Recorded {pounds(amount_pence, pence_shown=True)} to {spend.supplier} on "
                         f"{long_date(spent_on)} against {line.name} ({year.label})")
    return spend


def decide(spend: Spend, *, approve: bool, reason: str | None, actor, now: datetime) -> None:
    """Approve, or send back with a reason. Someone else must decide on what you recorded.

    :raises SpendError: for one already decided, your own, or sending back without a reason.
    """
    if spend.status != SpendStatus.SUBMITTED:
        raise SpendError("reason", f"This was already {spend.status.label.lower()}")
    if actor is not None and recorded_it(actor, spend):
        raise SpendError("reason", "You recorded this: someone else in HR must approve it")
    if not approve and not (reason or "").strip():
        raise SpendError("reason", "Say why you are sending it back")
    spend.status = SpendStatus.APPROVED if approve else SpendStatus.REJECTED
    spend.decided_by_id, spend.decided_at = (actor.id if actor else None), now
    spend.decision_reason = None if approve else reason.strip()
    audit.record(actor=actor, action="approve" if approve else "reject", entity=spend, provider_id=spend.provider_id,
                 summary=f"{'Approved' if approve else 'Sent back'} {pounds(spend.amount_pence, pence_shown=True)} to "
                         f"{spend.supplier}" + ("" if approve else f": {spend.decision_reason}"))
    db.session.flush()
