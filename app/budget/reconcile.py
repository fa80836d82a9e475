"""A month's payroll beside Pathway's estimate, person by person, with the reasons for any
difference Pathway can name (a part month, a pay award, hours changed, no contract, no pay point).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.establishment.payroll import MonthCost
from app.extensions import db
from app.formatting import hours as hours_text
from app.models.establishment import Contract, CostMonth, Post
from app.models.payroll import PayrollLine
from app.models.people import Person
from app.periods import month_end

from .services import PRICING_LOADS, sessional_minutes

# A difference this small is rounding, not a reason to look.
AGREES_WITHIN = 100


@dataclass
class PersonMonth:
    person: Person
    payroll: PayrollLine | None
    estimate: int
    # Pathway's estimate of the month as payroll works it: pay, holiday pay, employer NI, pension.
    cost: MonthCost | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def difference(self) -> int | None:
        """Payroll less Pathway's estimate: positive means payroll paid more."""
        return None if self.payroll is None else self.payroll.total_pence - self.estimate

    @property
    def agrees(self) -> bool:
        return self.difference is not None and abs(self.difference) <= AGREES_WITHIN


def _month_contracts(provider_id: int, month: date) -> list[Contract]:
    return list(db.session.scalars(
        select(Contract).join(Person, Person.id == Contract.person_id).join(Post, Post.id == Contract.post_id)
        .where(Person.provider_id == provider_id, Post.is_volunteer.is_(False), Contract.starts_on <= month_end(month),
               or_(Contract.ends_on.is_(None), Contract.ends_on >= month))
        .options(*PRICING_LOADS)))


def _reasons(person: Person, held: list[Contract], month: date, minutes: int) -> list[str]:
    """What Pathway can name that makes a month differ from a plain twelfth of a year's pay."""
    last = month_end(month)
    reasons = []
    for contract in held:
        if month < contract.starts_on <= last:
            reasons.append(f"{contract.post.title} started on {contract.starts_on:%-d %B}: a part month")
        if contract.ends_on is not None and month <= contract.ends_on < last:
            reasons.append(f"{contract.post.title} ended on {contract.ends_on:%-d %B}: a part month")
        grade = contract.post.grade
        if grade is not None:
            reasons += [f"Pay award for {grade.code} from {point.effective_from:%-d %B}"
                        for point in grade.pay_points if month < point.effective_from <= last]
            if not contract.is_sessional and grade.pay_point_on(max(month, contract.starts_on)) is None:
                reasons.append(f"{grade.code} has no pay point on {max(month, contract.starts_on):%-d %B %Y}: "
                               "Pathway cannot price it")
        if contract.is_sessional:
            reasons.append(f"Sessional: {hours_text(minutes)} approved hours in Pathway this month")
    if person.left_on is not None and month <= person.left_on < last:
        reasons.append(f"Left on {person.left_on:%-d %B}: a part month")
    if len({c.weekly_hours for c in held if not c.is_sessional}) > 1:
        reasons.append("Contracted hours changed in the month")
    return list(dict.fromkeys(reasons))


def _row(person: Person, line: PayrollLine | None, cost: MonthCost | None, held: list[Contract], month: date,
         minutes: int) -> PersonMonth:
    row = PersonMonth(person, line, cost.total if cost else 0, cost)
    if line is None and row.estimate:
        row.reasons.append("Not in this month's payroll")
    elif line is not None and not held:
        row.reasons.append("No contract in Pathway for this month: add one, or check the person reference")
    if not row.agrees:
        row.reasons += _reasons(person, held, month, minutes)
    if line is not None and held and not row.agrees and not row.reasons:
        row.reasons.append("No reason Pathway can name: check the person's pay point (without one Pathway uses "
                           "the grade's mid-point), contracted hours and pension opt-out")
    return row


def ledger_month(provider_id: int, month: date) -> dict[int, MonthCost]:
    """Each person's month from the cost ledger: pay, holiday pay, employer NI and pension (a
    grade's flat on-cost counted with NI, where the provider has no statutory rule)."""
    return {person_id: MonthCost(int(pay), int(holiday), int(ni) + int(flat), int(pension))
            for person_id, pay, holiday, ni, pension, flat in db.session.execute(
                select(CostMonth.person_id, func.sum(CostMonth.pay_pence), func.sum(CostMonth.holiday_pence),
                       func.sum(CostMonth.ni_pence), func.sum(CostMonth.pension_pence),
                       func.sum(CostMonth.flat_on_cost_pence))
                .where(CostMonth.provider_id == provider_id, CostMonth.month == month)
                .group_by(CostMonth.person_id))}


def reconciliation(provider_id: int, month: date) -> list[PersonMonth]:
    """Each person payroll paid, or Pathway expected to be paid, in a month: payroll beside
    Pathway's estimate and the reasons for any difference it can name."""
    from_day, to_day = month, month_end(month)
    contracts = _month_contracts(provider_id, month)
    minutes_of: dict[int, int] = defaultdict(int)
    held: dict[int, list[Contract]] = defaultdict(list)
    for contract in contracts:
        held[contract.person_id].append(contract)
    for contract, _month, _priced_on, minutes in sessional_minutes(contracts, from_day, to_day):
        minutes_of[contract.person_id] += minutes
    estimate = ledger_month(provider_id, month)
    paid = {line.person_id: line for line in db.session.scalars(
        select(PayrollLine).where(PayrollLine.provider_id == provider_id, PayrollLine.period == month)
        .options(selectinload(PayrollLine.person)))}
    people = {c.person_id: c.person for c in contracts} | {pid: line.person for pid, line in paid.items()}
    rows = [_row(person, paid.get(person_id), estimate.get(person_id), held.get(person_id, []), month,
                 minutes_of.get(person_id, 0)) for person_id, person in people.items()]
    rows = [row for row in rows if row.payroll is not None or row.estimate]
    return sorted(rows, key=lambda r: (r.agrees, r.person.last_name.lower(), r.person.first_name.lower()))
