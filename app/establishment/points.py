"""Pay as people are paid: the point a person sits on in a grade on a day, with annual
increments to the top of the grade, and the salary that gives.

A person is placed on a point when they start (or moved by HR, dated); from then on they go up
one point on each increment date (each 1 April after the placement, or each anniversary of it,
as the provider chooses) until the grade's highest point. A pay award moves every point's
amount from its date. Where nobody has been placed, a contract is priced at the grade's
mid-point, as before points were kept.
"""

from collections.abc import Sequence
from datetime import date

from app.models.establishment import Contract, Grade, PointPlacement
from app.periods import contract_year_starting

APRIL = "april"  # the other choice is "anniversary"


def _anniversary(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return date(year, 3, 1)


def increment_dates(placed_on: date, until: date, increment_on: str) -> list[date]:
    """The days a person placed on ``placed_on`` goes up a point, up to ``until``."""
    dates, year = [], placed_on.year
    while True:
        day = contract_year_starting(year)[0] if increment_on == APRIL else _anniversary(placed_on, year)
        if day > until:
            return dates
        if day > placed_on:
            dates.append(day)
        year += 1


def placement_on(placements: Sequence[PointPlacement], grade_id: int, day: date) -> PointPlacement | None:
    current = None
    for placement in placements:
        if placement.grade_id == grade_id and placement.effective_from <= day and (
                current is None or placement.effective_from >= current.effective_from):
            current = placement
    return current


def point_on(grade: Grade, placements: Sequence[PointPlacement], day: date, increment_on: str) -> int | None:
    """The point a person is on in a grade on a day: their placement plus the increments since,
    no higher than the top of the grade then. None if they have not been placed on it."""
    placement = placement_on(placements, grade.id, day)
    amounts = grade.points_on(day)
    if placement is None or not amounts:
        return None
    return min(placement.point + len(increment_dates(placement.effective_from, day, increment_on)), max(amounts))


def change_days(grade: Grade, placements: Sequence[PointPlacement], start: date, end: date,
                increment_on: str) -> set[date]:
    """Every day in (start, end] a person's pay on a grade can change: a placement, an increment,
    a new amount for a point, a new grade range (which carries the flat on-cost)."""
    days = {p.effective_from for p in placements if p.grade_id == grade.id}
    for placement in placements:
        if placement.grade_id == grade.id:
            days |= set(increment_dates(placement.effective_from, end, increment_on))
    days |= {row.effective_from for row in grade.points} | {row.effective_from for row in grade.pay_points}
    return {day for day in days if start < day <= end}


def is_placed(contract: Contract) -> bool:
    grade = contract.post.grade
    return grade is not None and bool(grade.points) and any(p.grade_id == grade.id for p in contract.placements)
