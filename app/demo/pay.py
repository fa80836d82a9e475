"""The demo's pay as payroll sees it: four points on each grade, each salaried member of staff
placed on one, and last month's payroll report imported (two people differ from Pathway's
estimate, as real payrolls do: overtime, and a day's unpaid leave)."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.budget.reconcile import reconciliation
from app.extensions import db
from app.models.establishment import Contract, Grade, GradePoint, PointPlacement, Post
from app.models.payroll import PayrollLine
from app.models.people import Person, Provider
from app.periods import day_before, month_of

POINTS = 4
POINTS_FROM = date(2025, 4, 1)


def load_points(grades: dict[str, Grade]) -> None:
    """Points 1 to 4 of each grade, spread from its minimum to its maximum, from each pay award
    since April 2025 (so awards move every point)."""
    for grade in grades.values():
        if grade.points:
            continue
        for band in grade.pay_points:
            if band.effective_from < POINTS_FROM:
                continue
            for point in range(1, POINTS + 1):
                amount = band.min_pence + (band.max_pence - band.min_pence) * (point - 1) // (POINTS - 1)
                grade.points.append(GradePoint(point=point, effective_from=band.effective_from,
                                               annual_pence=max(amount, 1)))
    db.session.flush()


def place_staff(provider: Provider) -> None:
    """Each salaried contract's holder on a point of its grade from its start (or April 2025)."""
    if db.session.scalar(select(PointPlacement.id).join(Person, Person.id == PointPlacement.person_id)
                         .where(Person.provider_id == provider.id).limit(1)):
        return
    for contract in db.session.scalars(select(Contract).join(Post, Post.id == Contract.post_id).where(
            Post.provider_id == provider.id, Post.grade_id.is_not(None), Contract.is_sessional.is_(False))
            .order_by(Contract.id)):
        start = max(contract.starts_on, POINTS_FROM)
        if contract.ends_on is not None and contract.ends_on < start:
            continue
        if db.session.scalar(select(PointPlacement.id).where(
                PointPlacement.person_id == contract.person_id, PointPlacement.grade_id == contract.post.grade_id)):
            continue
        db.session.add(PointPlacement(person_id=contract.person_id, grade_id=contract.post.grade_id,
                                      point=1 + contract.person_id % POINTS, effective_from=start,
                                      reason="Starting point"))
    db.session.flush()


def load_payroll(provider: Provider, today: date) -> None:
    """Last month's payroll report, as the bureau would send it: what Pathway works out for each
    person, salaried and sessional, but for overtime paid to one and unpaid leave taken by another."""
    month = month_of(day_before(month_of(today)[0]))[0]
    if db.session.scalar(select(PayrollLine.id).where(PayrollLine.provider_id == provider.id).limit(1)):
        return
    for index, row in enumerate(reconciliation(provider.id, month)):
        cost = row.cost
        if cost is None or not cost.pay:
            continue
        earned = cost.pay + cost.holiday_pay
        gross = earned + (8_500 if index == 1 else -12_000 if index == 3 else 0)
        # The demo's on-costs are the grades' flat 30%: payroll splits the same into NI and pension.
        on_costs = int(Decimal(cost.employer_ni + cost.employer_pension) * gross / earned)
        ni = min(on_costs, max(0, int((Decimal(gross) - Decimal(500_000) / 12) * Decimal("0.15"))))
        db.session.add(PayrollLine(provider_id=provider.id, person_id=row.person.id, period=month, gross_pence=gross,
                                   employer_ni_pence=ni, employer_pension_pence=on_costs - ni))
    db.session.flush()
